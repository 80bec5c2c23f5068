"""The result of grading one submission: steps, checks, points. Renderers read only this."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

BROKEN = "the check itself broke"
HIDDEN_NAME = "hidden check"


@dataclass
class CheckResult:
    """One check: its student-facing name, whether it passed, its points and message.

    `hidden` checks are graded like any other; student-facing output shows them only as a
    count. `file` and `line` say where the check is defined (checks/test_….py), `duration`
    how long it took, in seconds.
    """

    id: str
    name: str
    passed: bool
    score: float
    max_score: float
    message: str
    hidden: bool = False
    file: str = ""
    line: int = 0
    duration: float = 0.0

    @property
    def broken(self) -> bool:
        """The check itself raised an unexpected error: a bug in the checks, not in the submission."""
        return not self.passed and self.message.startswith(BROKEN)


@dataclass
class StepResult:
    """One step of the exercise and the results of its checks.

    A step that is not `counted` (an extra, when the rubric says extras don't count) is
    graded and shown, but its points stay out of the submission's total.
    """

    id: str
    title: str
    label: str
    doc: str
    checks: list[CheckResult] = field(default_factory=list)
    counted: bool = True

    @property
    def score(self) -> float:
        return sum(check.score for check in self.checks)

    @property
    def max_score(self) -> float:
        return sum(check.max_score for check in self.checks)

    @property
    def passed(self) -> bool:
        """Every check worth points passed: a check worth 0 is feedback, reported but not holding a step back.

        (A step whose checks are all worth 0, weight = 0 in the rubric, passes when they all pass.)
        """
        worth = [check for check in self.checks if check.max_score > 0] or self.checks
        return bool(worth) and all(check.passed for check in worth)


@dataclass
class Grade:
    """A graded submission.

    `modified` lists the files of checks/ that differ from their manifest (empty when they
    match, or when there is no manifest): such a grade is not the instructor's. `student_view`
    is true once hidden checks have been masked (see `for_students`). `isolation` says how the
    student's app was isolated, with every limit that could not be set.
    """

    submission: str
    seed: int
    steps: list[StepResult]
    duration: float = 0.0
    modified: list[str] = field(default_factory=list)
    student_view: bool = False
    isolation: str = ""  # how the app was isolated: "bubblewrap", "process limits (--no-sandbox)"…

    @property
    def score(self) -> float:
        return sum(step.score for step in self.steps if step.counted)

    @property
    def max_score(self) -> float:
        return sum(step.max_score for step in self.steps if step.counted)

    @property
    def checks(self) -> list[tuple[StepResult, CheckResult]]:
        """Every check with its step, in order."""
        return [(step, check) for step in self.steps for check in step.checks]

    def hidden_count(self) -> tuple[int, int]:
        """How many checks are hidden, and how many of those passed."""
        hidden = [check for _, check in self.checks if check.hidden]
        return len(hidden), sum(check.passed for check in hidden)

    def for_students(self) -> Grade:
        """The same grade with every hidden check's name and message masked; points are kept."""
        steps = [
            replace(
                step,
                checks=[
                    replace(check, name=HIDDEN_NAME, message="", file="", line=0) if check.hidden else check
                    for check in step.checks
                ],
            )
            for step in self.steps
        ]
        return replace(self, steps=steps, student_view=True)

    def to_dict(self) -> dict:
        """The contract's JSON object, and `isolation`: how the app was isolated."""
        return {
            "submission": self.submission,
            "score": number(self.score),
            "max_score": number(self.max_score),
            "seed": self.seed,
            "isolation": self.isolation,
            "steps": [
                {
                    "id": step.id,
                    "title": step.title,
                    "score": number(step.score),
                    "max_score": number(step.max_score),
                    "passed": step.passed,
                    "checks": [
                        {
                            "name": check.name,
                            "passed": check.passed,
                            "score": number(check.score),
                            "max_score": number(check.max_score),
                            "message": check.message,
                        }
                        for check in step.checks
                    ],
                }
                for step in self.steps
            ],
        }


def number(value: float) -> int | float:
    """85 rather than 85.0; 2.5 stays 2.5; sums rounded clear of float noise."""
    value = round(value, 4)
    return int(value) if value == int(value) else value
