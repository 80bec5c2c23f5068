"""The result of grading one submission: steps, checks, points. Renderers read only this."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class CheckResult:
    """One check: its student-facing name, whether it passed, its points and message."""

    id: str
    name: str
    passed: bool
    score: float
    max_score: float
    message: str


@dataclass
class StepResult:
    """One step of the exercise and the results of its checks."""

    id: str
    title: str
    label: str
    doc: str
    checks: list[CheckResult] = field(default_factory=list)

    @property
    def score(self) -> float:
        return sum(check.score for check in self.checks)

    @property
    def max_score(self) -> float:
        return sum(check.max_score for check in self.checks)

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(check.passed for check in self.checks)


@dataclass
class Grade:
    """A graded submission."""

    submission: str
    seed: int
    steps: list[StepResult]

    @property
    def score(self) -> float:
        return sum(step.score for step in self.steps)

    @property
    def max_score(self) -> float:
        return sum(step.max_score for step in self.steps)

    def to_dict(self) -> dict:
        """Exactly the contract's JSON object."""
        return {
            "submission": self.submission,
            "score": number(self.score),
            "max_score": number(self.max_score),
            "seed": self.seed,
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
