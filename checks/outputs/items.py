"""What a person reads about the failed checks: one cause once, the same failure once.

`failed_items` is the one de-duplication every person-readable output uses (text,
Markdown, the feedback files, GitHub's job summary and annotations, Gradescope,
and the Classroom 50 release body): checks failed by one shared
cause (CAUSES: app.py does not load, no route for POST /user/...) become one item that
names the cause, its fix and its step, and lists the checks it blocks; a check that
failed exactly as an earlier one says so instead of repeating it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace

from checks.causes import CAUSES, Cause
from checks.outputs.wording import repeat, visible
from checks.results import CheckResult, Failure, Grade, StepResult
from checks.rubric import label


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


def check_output(grade: Grade, step: StepResult, check: CheckResult) -> str:
    """A check's text where each check has its own (Gradescope, Classroom 50): a blocked one names its cause."""
    if check.passed:
        return check.message
    return blocked_note(grade, check) or check.message


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
