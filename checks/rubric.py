"""The steps of the exercise and what each check is worth, read from rubric.toml.

The rubric is the one place points come from. Besides each check's points it says:
a step's `weight` (its checks' points are multiplied by it), whether the extras count
towards the total (`count_extras`), and which checks are `hidden` from students.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the same parser, as the tomli package (pinned in requirements.txt)
    import tomli as tomllib

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
EXTRAS = ("6", "7")
STEP_IDS = list(MODULES)  # "1" to "7", in order


def label(step_id: str) -> str:
    """'step 5' or 'extra 6', as the student docs say it."""
    return f"extra {step_id}" if step_id in EXTRAS else f"step {step_id}"
TOP_KEYS = {"count_extras", "hidden", "steps"}
STEP_KEYS = {"title", "doc", "weight", "points"}


class RubricError(ValueError):
    """The rubric file can't be used; the message says where and why."""


@dataclass(frozen=True)
class Step:
    """One step of the exercise: its id ("1".."7"), title, doc page and check points.

    `points` are already multiplied by the step's `weight`. `counted` is false for an extra
    when the rubric says extras don't count. `hidden` names the checks students see only
    as a count.
    """

    id: str
    title: str
    doc: str
    points: dict[str, float]
    weight: float = 1.0
    counted: bool = True
    hidden: frozenset[str] = frozenset()

    @property
    def label(self) -> str:
        """'step 5' or 'extra 6', as the student docs say it."""
        return label(self.id)

    @property
    def extra(self) -> bool:
        return self.id in EXTRAS

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


def load(path: Path | str = RUBRIC) -> dict[str, Step]:
    """The steps in order, keyed by id; raise RubricError if the file is not a usable rubric."""
    path = Path(path)
    try:
        with open(path, "rb") as file:
            data = tomllib.load(file)
    except OSError as error:
        raise RubricError(f"cannot read the rubric {path}: {error.strerror or error}") from None
    except tomllib.TOMLDecodeError as error:
        raise RubricError(f"{path} is not valid TOML: {error}") from None
    return parse(data, str(path))


def parse(data: dict, where: str = "rubric") -> dict[str, Step]:
    """The steps a rubric's parsed TOML describes (see load)."""
    unknown = set(data) - TOP_KEYS
    if unknown:
        raise RubricError(f"{where}: unknown setting(s) {', '.join(sorted(unknown))}")
    count_extras = data.get("count_extras", True)
    if not isinstance(count_extras, bool):
        raise RubricError(f"{where}: count_extras must be true or false")
    hidden = data.get("hidden", [])
    if not isinstance(hidden, list) or not all(isinstance(name, str) for name in hidden):
        raise RubricError(f'{where}: hidden must be a list of check names, such as ["test_template_is_html"]')
    table = data.get("steps")
    if not isinstance(table, dict) or set(table) != set(MODULES):
        raise RubricError(f"{where}: [steps.1] to [steps.7] must each be there, and no other step")
    steps = {}
    for step_id in sorted(table, key=int):
        entry = table[step_id]
        unknown = set(entry) - STEP_KEYS
        if unknown:
            raise RubricError(f"{where}: [steps.{step_id}] has unknown key(s) {', '.join(sorted(unknown))}")
        for key in ("title", "doc"):
            if not isinstance(entry.get(key), str):
                raise RubricError(f"{where}: [steps.{step_id}] needs its {key}, as a string")
        weight = entry.get("weight", 1)
        if isinstance(weight, bool) or not isinstance(weight, int | float) or weight < 0:
            raise RubricError(f"{where}: [steps.{step_id}] weight must be a number, 0 or more")
        points = entry.get("points")
        if not isinstance(points, dict) or not points:
            raise RubricError(f"{where}: [steps.{step_id}.points] must give each check its points")
        for name, value in points.items():
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise RubricError(f"{where}: [steps.{step_id}.points] {name} must be a number, 0 or more")
        steps[step_id] = Step(
            id=step_id,
            title=entry["title"],
            doc=entry["doc"],
            points={name: float(value) * weight for name, value in points.items()},
            weight=float(weight),
            counted=count_extras or step_id not in EXTRAS,
            hidden=frozenset(name for name in hidden if name in points),
        )
    known = {name for step in steps.values() for name in step.points}
    missing = [name for name in hidden if name not in known]
    if missing:
        raise RubricError(f"{where}: hidden names no check of the rubric: {', '.join(missing)}")
    return steps


def step_of_module(filename: str) -> str | None:
    """The step id a check module belongs to, from its file name."""
    for step_id, module in MODULES.items():
        if module == filename:
            return step_id
    return None
