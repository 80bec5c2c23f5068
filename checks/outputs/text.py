"""The text format: what a person reads in a terminal (and a class's feedback/<student>.txt)."""

from __future__ import annotations

from checks.outputs.items import failed_items, item_lines, things_to_fix
from checks.outputs.wording import (
    FAIL,
    NOT_RUN,
    PASS,
    below,
    counted,
    graded,
    hidden_line,
    paint,
    points,
    repeat,
    shown,
    visible,
)
from checks.results import Grade, StepResult, number


def marks(grade: Grade, step: StepResult, color: bool = False) -> str:
    """One ✓ or ✗ per check the reader sees."""
    return "".join(
        NOT_RUN if check.not_run else paint(PASS, "32", color) if check.passed else paint(FAIL, "31", color)
        for check in step.checks
        if visible(grade, check)
    )


def render_text(grade: Grade, color: bool = False, fail_under: float | None = None) -> str:
    """The per-step table, then each thing to fix (a shared cause once), then how to repeat the run."""
    lines = [f"Flask Club checks for {grade.submission}: {graded(grade)} (seed {grade.seed})", ""]
    if grade.void:
        lines += [paint(f"! {grade.void}", "1;33", color), ""]
    width = max((len(step.title) for step in grade.steps), default=10)
    for step in grade.steps:
        note = "  (not counted)" if not step.counted else ""
        score = points(grade.points(step), step.max_score)
        lines.append(f"  {step.label:<8} {step.title:<{width}}  {score:>7}  {marks(grade, step, color)}{note}")
    lines.append(f"  {'total':<8} {'':<{width}}  {points(grade.score, grade.max_score):>7}")
    if hidden_line(grade):
        lines.append(f"  {hidden_line(grade)}")
    items = failed_items(grade)
    for item in items:
        tag = "  (hidden from students)" if item.check.hidden else ""
        heading = item.heading if item.cause else f"{item.step.label}  {item.check.name}"
        lines += ["", paint(f"{FAIL} {heading}{tag}", "1;31", color)]
        if item.same_as:
            lines.append(f"    the same as for “{item.same_as}” above")
            continue
        lines += [f"    {line}" for line in item_lines(grade, item)]
    for step, check in shown(grade):
        if check.not_run:
            lines += ["", f"{NOT_RUN} {step.label}  {check.name}"]
            lines += [f"    {line}" for line in check.details.problem.splitlines()]
    lines.append("")
    failed = [check for _, check in shown(grade) if not check.passed and not check.not_run]
    hidden_failed = sum(1 for _, check in grade.checks if not visible(grade, check) and not check.passed)
    if grade.void:
        lines.append(paint(f"! {grade.void}", "1;33", color))
    elif failed or hidden_failed:
        extra = f" (and {hidden_failed} hidden)" if hidden_failed else ""
        things = f"{counted(things_to_fix(items), 'thing')} to fix, {counted(len(failed), 'failed check')}{extra}."
        lines.append(f"{things} Repeat this run's data: {repeat(grade)}")
    else:
        lines.append(paint("Every check passed.", "1;32", color) + f" (seed {grade.seed})")
    if below(grade, fail_under):
        lines.append(f"Below the pass mark: {number(fail_under):g} points needed.")
    if grade.isolation:
        lines.append(f"The app ran in: {grade.isolation}")
    return "\n".join(lines) + "\n"
