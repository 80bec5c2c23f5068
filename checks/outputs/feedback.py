"""What a person reads about the failed checks: one cause once, the same failure once, safe Markdown.

`failed_items` is the one de-duplication every person-readable output uses (text,
Markdown, the feedback files, GitHub's job summary and annotations, Gradescope,
and the Classroom 50 release body): checks failed by one shared
cause (CAUSES: app.py does not load, no route for POST /user/...) become one item that
names the cause, its fix and its step, and lists the checks it blocks; a check that
failed exactly as an earlier one says so instead of repeating it. `md` is the one
escaping rule for text put into Markdown, `fence` the one way to quote a message.

`feedback_markdown` and `feedback_text` write one student's feedback file from the
contract's JSON (with the keys it adds): a class's feedback/<student>.md and .txt,
and the body of a release.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from html import escape
from pathlib import Path

from checks.results import CAUSES, Cause, CheckResult, Failure, Grade, StepResult, number
from checks.rubric import label

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "reports"


@dataclass
class Item:
    """One thing to fix: a shared cause with the checks it blocks, or one failed check."""

    step: StepResult
    check: CheckResult
    failure: Failure
    cause: Cause | None = None
    blocked: list[tuple[StepResult, CheckResult]] = field(default_factory=list)
    same_as: str = ""  # the name of an earlier check that failed the same way
    same_hint_as: str = ""  # the name of an earlier check whose failure got the same hint

    @property
    def heading(self) -> str:
        """'app.py does not load (step 1)' or 'step 5: GET /user/<username> shows …'."""
        if self.cause is not None:
            return f"{self.cause.title} ({label(self.cause.step)})"
        return f"{self.step.label}: {self.check.name}"

    def blocked_line(self) -> str:
        """'blocked: 14 checks need app.py to import and define a Flask app'."""
        assert self.cause is not None
        return f"blocked: {len(self.blocked)} checks {self.cause.needs}"


def visible(grade: Grade, check: CheckResult) -> bool:
    """Whether a reader of this grade sees the check by name (not a hidden one in a student view)."""
    return not (grade.student_view and check.hidden)


def failed_items(grade: Grade) -> list[Item]:
    """The failed checks a reader sees, each cause shared by two or more named once, repeats collapsed."""
    failed = [
        (step, check)
        for step, check in grade.checks
        if visible(grade, check) and not check.passed and not check.not_run
    ]
    shared = Counter(check.cause for _, check in failed if check.cause in CAUSES)
    items: list[Item] = []
    by_cause: dict[str, Item] = {}
    said: dict[tuple, str] = {}
    hinted: dict[str, str] = {}
    for step, check in failed:
        failure = check.details
        if check.cause in CAUSES and shared[check.cause] >= 2:
            if check.cause not in by_cause:
                cause = CAUSES[check.cause]  # its page says how to fix it, whichever check met it first
                failure = replace(failure, doc=f"{cause.doc}#how-it-is-checked", label=label(cause.step))
                by_cause[check.cause] = Item(step, check, failure, cause)
                items.append(by_cause[check.cause])
            by_cause[check.cause].blocked.append((step, check))
            continue
        key = (failure.problem, failure.hint)
        if key in said:
            items.append(Item(step, check, failure, same_as=said[key]))
            continue
        said[key] = check.name
        if failure.hint and failure.hint in hinted:
            items.append(Item(step, check, failure, same_hint_as=hinted[failure.hint]))
            continue
        if failure.hint:
            hinted[failure.hint] = check.name
        items.append(Item(step, check, failure))
    return items


def things_to_fix(items: list[Item]) -> int:
    """How many things there are to fix: a cause once, and a failure that repeats an earlier one not again."""
    return sum(1 for item in items if not item.same_as and not item.same_hint_as)


def blocked_note(grade: Grade, check: CheckResult) -> str:
    """For a check blocked by a shared cause ('' otherwise): one line naming the cause, for per-check outputs."""
    for item in failed_items(grade):
        if item.cause is not None and item.check is not check and any(c is check for _, c in item.blocked):
            return (
                f"blocked: this check {item.cause.needs.replace('need ', 'needs ', 1)} "
                f"({item.cause.title}: see “{item.check.name}”, {item.step.label})"
            )
    return ""


# -- commands a reader can run ----------------------------------------------------------
def repeat(grade: Grade, step: StepResult | None = None) -> str:
    """The command that repeats this run (or one step of it): the make form for a student."""
    if grade.student_view:
        only = f" STEP={step.id}" if step else ""
        return f"make check{only} SEED={grade.seed}"
    only = f" --step {step.id}" if step else ""
    return f"python -m checks {grade.submission}{only} --seed {grade.seed}"


# -- Markdown -----------------------------------------------------------------------------
MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|#~])")


def md(text: str) -> str:
    """Text safe in Markdown, a table cell or a heading: no tags, no emphasis or links, one line."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", escape(text, quote=False)).replace("\n", " ")


def fence(text: str) -> str:
    """A fenced code block that no run of backticks in the text can close."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}text\n{text}\n{ticks}"


def item_lines(grade: Grade, item: Item) -> list[str]:
    """An item's text: the failure's parts, then (for a cause) the checks it blocks, then how to repeat it."""
    if item.same_hint_as:  # the problem alone: the requests, hint and replay are like the earlier one's
        return [*item.failure.problem.splitlines(), f"hint: the same as for “{item.same_hint_as}” above"]
    # a short failure names the command that shows it whole: this check's repeat, with the verbose option
    brief = f"{repeat(grade, item.step)} {grade.brief}" if grade.brief else ""
    lines = item.failure.lines(brief=brief)
    if item.cause is not None:
        lines.append(item.blocked_line() + ":")
        lines += [
            f"  {step.label:<8} {check.name}" + ("  (hidden from students)" if check.hidden else "")
            for step, check in item.blocked
        ]
    elif item.failure.replay or item.failure.log:
        lines.append(f"repeat this check: {repeat(grade, item.step)}")
    return lines


def markdown_items(grade: Grade, level: int = 3) -> list[str]:
    """The failed checks as Markdown: a heading per item, its text in a fenced block."""
    lines = []
    for item in failed_items(grade):
        tag = " (hidden from students)" if item.check.hidden else ""
        if item.same_as:
            lines += [f"- ✗ {md(item.heading)}{tag}: the same as for “{md(item.same_as)}” above", ""]
            continue
        lines += [f"{'#' * level} ✗ {md(item.heading)}{tag}", "", fence("\n".join(item_lines(grade, item))), ""]
    return lines


def markdown_table(grade: Grade) -> list[str]:
    """The per-step table, in Markdown (a void grade's points all 0)."""
    lines = ["| step | | points | checks |", "| --- | --- | ---: | --- |"]
    for step in grade.steps:
        note = " (not counted)" if not step.counted else ""
        score = f"{number(grade.points(step)):g}/{number(step.max_score):g}"
        marks = "".join(
            "–" if check.not_run else "✓" if check.passed else "✗" for check in step.checks if visible(grade, check)
        )
        lines.append(f"| {md(step.label)} | {md(step.title)}{note} | {score} | {marks or ' '} |")
    lines.append(f"| **total** | | **{number(grade.score):g}/{number(grade.max_score):g}** | |")
    return lines


def feedback_markdown(result: dict | Grade, student: str = "") -> str:
    """One student's feedback file (or a release's body) in Markdown, from the contract's JSON or a Grade."""
    grade = result if isinstance(result, Grade) else Grade.from_dict(result)
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["md"] = md
    return env.get_template("feedback.md.j2").render(
        grade=grade,
        student=student or grade.submission,
        score=f"{number(grade.score):g}/{number(grade.max_score):g}",
        table=markdown_table(grade),
        items=markdown_items(grade),
        repeat=repeat(grade),
    ).rstrip("\n") + "\n"


def feedback_text(result: dict | Grade, student: str = "") -> str:
    """One student's feedback as plain text: the text format's report, with the student named."""
    from checks.outputs.formats import render_text

    grade = result if isinstance(result, Grade) else Grade.from_dict(result)
    return f"Feedback for {student or grade.submission}\n\n" + render_text(grade)
