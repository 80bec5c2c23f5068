"""Renderers: a graded result as text for a person, or as the contract's JSON.

Each renderer returns a string and never prints; the CLI decides where it goes.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from checks.results import Grade, number

PASS, FAIL = "✓", "✗"


def points(score: float, max_score: float) -> str:
    return f"{number(score):g}/{number(max_score):g}"


def paint(text: str, code: str, color: bool) -> str:
    return f"\033[{code}m{text}\033[0m" if color else text


def render_text(grade: Grade, color: bool = False) -> str:
    """The per-step table, then what each failed check said, then how to repeat the run."""
    lines = [f"Flask Club checks for {grade.submission} (seed {grade.seed})", ""]
    width = max((len(step.title) for step in grade.steps), default=10)
    for step in grade.steps:
        marks = "".join(paint(PASS, "32", color) if check.passed else paint(FAIL, "31", color) for check in step.checks)
        lines.append(f"  {step.label:<8} {step.title:<{width}}  {points(step.score, step.max_score):>7}  {marks}")
    lines.append(f"  {'total':<8} {'':<{width}}  {points(grade.score, grade.max_score):>7}")
    failed = [(step, check) for step in grade.steps for check in step.checks if not check.passed]
    said: dict[str, str] = {}
    for step, check in failed:
        lines += ["", paint(f"{FAIL} {step.label}  {check.name}", "1;31", color)]
        reason = check.message.split("\nread: ")[0]
        if reason in said:
            lines.append(f"    the same as for “{said[reason]}” above")
            continue
        said[reason] = check.name
        lines += [f"    {line}" for line in check.message.splitlines()]
    lines.append("")
    if failed:
        lines.append(f"{len(failed)} check(s) to fix. Repeat this run's data with --seed {grade.seed}.")
    else:
        lines.append(paint("Every check passed.", "1;32", color) + f" (seed {grade.seed})")
    return "\n".join(lines) + "\n"


def render_json(grade: Grade, color: bool = False) -> str:
    """Exactly the contract's JSON object."""
    return json.dumps(grade.to_dict(), indent=2, ensure_ascii=False) + "\n"


RENDERERS: dict[str, Callable[..., str]] = {"text": render_text, "json": render_json}
