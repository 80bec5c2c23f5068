"""What a check says: the requests it sent, what came back, and how it failed (a `CheckFailed`).

Every text a check reports goes through `Notes`, so this is where text from the app is made
safe for every output; `Notes.fail` stops the check with a `Failure` (checks/results.py) that
says what was sent, what came back, what was expected, a hint and where to read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NoReturn

from checks.results import Failure
from checks.rubric import Step
from checks.sandbox.text import clean


class CheckFailed(Exception):
    """A check did not pass: `failure` holds its parts, `message` the whole text for the student."""

    def __init__(self, failure: Failure):
        super().__init__(failure.text())
        self.failure = failure
        self.message = failure.text()


@dataclass
class Notes:
    """What a check says: the requests it sent and what came back, and how it failed.

    Every text a check reports goes through here, so this is where text from the app
    (answers, errors, what it printed) is made safe for every output.
    """

    step: Step
    lines: list[str] = field(default_factory=list)
    replay: list[str] = field(default_factory=list)
    earned: float = 0.0  # the points a failed check still earns (step 16's mutants killed), at most its own
    worth: float | None = None  # the check's points in this grade, where they are not the rubric's (0: not run here)

    def add(self, line: str) -> None:
        self.lines.append(clean(line))

    def fail(
        self,
        problem: str,
        hint: str | None = None,
        *,
        expected: str | None = None,
        actual: str | None = None,
        cause: str | None = None,
        not_run: bool = False,
    ) -> NoReturn:
        """Stop the check: the log, the problem, a hint, where to read, the commands that replay it.

        `not_run`: the check cannot run in this copy of the kit; it is reported as not run, not failed.
        """
        raise CheckFailed(
            Failure(
                problem=clean(problem),
                log=list(self.lines),
                expected=None if expected is None else clean(expected),
                actual=None if actual is None else clean(actual),
                hint=clean(hint) if hint else None,
                doc=f"{self.step.doc}#how-it-is-checked",
                label=self.step.label,
                cause=cause,
                replay=list(self.replay),
                not_run=not_run,
            )
        )
