"""The pieces of wording every output shares: points, marks, what a reader sees, what was graded, safe Markdown.

`visible` says which checks a reader sees by name (not a hidden one in a student view);
`graded` names what a run graded from the rubric's levels; `repeat` is the command that
repeats a run; `md` is the one escaping rule for text put into Markdown, `fence` the one
way to quote a message there.
"""

from __future__ import annotations

import re
from html import escape

from checks import rubric
from checks.results import CheckResult, Grade, StepResult, number

PASS, FAIL, NOT_RUN = "✓", "✗", "–"  # not run: a check this copy of the kit cannot run (worth 0 here)


def counted(count: int, word: str, plural: str = "") -> str:
    """'1 thing', '2 things': a count and its noun (`plural` where it is not the noun and an s)."""
    return f"{count} {word if count == 1 else plural or word + 's'}"


def points(score: float, max_score: float) -> str:
    return f"{number(score):g}/{number(max_score):g}"


def paint(text: str, code: str, color: bool) -> str:
    return f"\033[{code}m{text}\033[0m" if color else text


def title(step: StepResult, check: CheckResult) -> str:
    """'step 5: two users' profiles don't overwrite each other'."""
    return f"{step.label}: {check.name}"


def visible(grade: Grade, check: CheckResult) -> bool:
    """Whether a reader of this grade sees the check by name (not a hidden one in a student view)."""
    return not (grade.student_view and check.hidden)


def shown(grade: Grade) -> list[tuple[StepResult, CheckResult]]:
    """The checks a reader sees by name, with their steps."""
    return [(step, check) for step, check in grade.checks if visible(grade, check)]


def hidden_line(grade: Grade) -> str:
    """'2 hidden checks: 1 passed', in a student view with hidden checks; else ''."""
    count, passed = grade.hidden_count()
    if not grade.student_view or not count:
        return ""
    return f"{count} hidden check{'s' if count != 1 else ''}: {passed} passed"


def below(grade: Grade, fail_under: float | None) -> bool:
    """Whether the run misses the pass mark (a grade with modified checks always does)."""
    return fail_under is not None and (grade.score < fail_under or bool(grade.void))


def graded(grade: Grade) -> str:
    """What the run graded: 'level 1', 'levels 1 and 2', or 'steps 8, 9' where it is no whole level."""
    ids = [step.id for step in grade.steps]
    levels = [level for level in rubric.ALL_LEVELS if set(level.steps) <= set(ids)]
    if levels and sorted(ids, key=int) == sorted((s for level in levels for s in level.steps), key=int):
        names = [str(level.number) for level in levels]
        return f"level {names[0]}" if len(names) == 1 else f"levels {', '.join(names[:-1])} and {names[-1]}"
    return ("step " if len(ids) == 1 else "steps ") + ", ".join(ids)


def repeat(grade: Grade, step: StepResult | None = None) -> str:
    """The command that repeats this run (or one step of it): the make form for a student."""
    if grade.student_view:
        only = f" STEP={step.id}" if step else ""
        return f"make check{only} SEED={grade.seed}"
    only = f" --step {step.id}" if step else ""
    return f"python -m checks {grade.submission}{only} --seed {grade.seed}"


MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|#~])")


def md(text: str) -> str:
    """Text safe in Markdown, a table cell or a heading: no tags, no emphasis or links, one line."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", escape(text, quote=False)).replace("\n", " ")


def fence(text: str) -> str:
    """A fenced code block that no run of backticks in the text can close."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}text\n{text}\n{ticks}"
