"""The steps of the exercise and what each check is worth, read from rubric.toml."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

RUBRIC = Path(__file__).with_name("rubric.toml")
CHECKS = Path(__file__).parent

MODULES = {
    "1": "test_step1_server.py",
    "2": "test_step2_post_user.py",
    "3": "test_step3_template_exists.py",
    "4": "test_step4_template_fields.py",
    "5": "test_step5_show_user.py",
    "6": "test_extra6_unknown_user.py",
    "7": "test_extra7_password.py",
}


@dataclass(frozen=True)
class Step:
    """One step of the exercise: its id ("1".."7"), title, doc page and check points."""

    id: str
    title: str
    doc: str
    points: dict[str, float]

    @property
    def label(self) -> str:
        """'step 5' or 'extra 6', as the student docs say it."""
        return f"extra {self.id}" if self.id in ("6", "7") else f"step {self.id}"

    @property
    def module(self) -> Path:
        return CHECKS / MODULES[self.id]

    @property
    def max_score(self) -> float:
        return sum(self.points.values())

    @property
    def needs_app(self) -> bool:
        """Steps 3 and 4 read the template file alone; every other step asks the app."""
        return self.id not in ("3", "4")


def load(path: Path = RUBRIC) -> dict[str, Step]:
    """The steps in order, keyed by id."""
    with open(path, "rb") as file:
        data = tomllib.load(file)
    steps = {}
    for step_id in sorted(data["steps"], key=int):
        entry = data["steps"][step_id]
        steps[step_id] = Step(
            id=step_id,
            title=entry["title"],
            doc=entry["doc"],
            points={name: float(points) for name, points in entry["points"].items()},
        )
    return steps


def step_of_module(filename: str) -> str | None:
    """The step id a check module belongs to, from its file name."""
    for step_id, module in MODULES.items():
        if module == filename:
            return step_id
    return None
