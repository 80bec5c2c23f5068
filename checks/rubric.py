"""The steps of the exercise and what each check is worth, read from rubric.toml.

The rubric is the one place points come from. Besides each check's points it says:
a step's `weight` (its checks' points are multiplied by it), whether the extras count
towards the total (`count_extras`), which checks are `hidden` from students, and
whether level 2 (steps 8 to 11) is graded (`level2`), and whether level 3 (steps 12 to 16) is (`level3`).

`ALL_LEVELS` is the one list of the levels: their numbers, names, steps and the rubric setting that
turns each on. Every output reads the levels from it, so a level 4 is one more entry there (with its
check modules in MODULES).
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
    "8": "test_step8_layout.py",
    "9": "test_step9_login.py",
    "10": "test_step10_account.py",
    "11": "test_step11_photo.py",
    "12": "test_step12_factory.py",
    "13": "test_step13_register.py",
    "14": "test_step14_confirm.py",
    "15": "test_step15_admin.py",
    "16": "test_step16_tests.py",
}
EXTRAS = ("6", "7")


@dataclass(frozen=True)
class Level:
    """One level of the exercise: its number, its name in the guides, its steps in order, and the rubric's
    setting that turns it on (`setting` None: level 1, graded in every run)."""

    number: int
    name: str
    steps: tuple[str, ...]
    setting: str | None = None

    @property
    def span(self) -> str:
        """'steps 8 to 11'."""
        return f"steps {self.steps[0]} to {self.steps[-1]}"


# The levels, in order: the one place that says which exist, what they are called and which steps they hold.
# A level with a setting is graded where the rubric sets it true (`level2 = true`), or one of its steps is asked for.
ALL_LEVELS: tuple[Level, ...] = (
    Level(1, "Level 1", ("1", "2", "3", "4", "5", "6", "7")),
    Level(2, "Level 2: the club's members", ("8", "9", "10", "11"), "level2"),
    Level(3, "Level 3: the club grows up", ("12", "13", "14", "15", "16"), "level3"),
)
STEP_IDS = list(ALL_LEVELS[0].steps)  # level 1, in order: graded in every run
LEVEL_2 = list(ALL_LEVELS[1].steps)
LEVEL_3 = list(ALL_LEVELS[2].steps)
ALL_STEP_IDS = [step_id for level in ALL_LEVELS for step_id in level.steps]
LEVELS = {level.number: list(level.steps) for level in ALL_LEVELS}  # a level's steps, for `--level N`


def level_of(step_id: str) -> Level:
    """The level a step belongs to (a step no level holds counts as level 1's)."""
    return next((level for level in ALL_LEVELS if step_id in level.steps), ALL_LEVELS[0])


def every_step_id() -> list[str]:
    """Every step of every level, in order (read from ALL_LEVELS at each call)."""
    return [step_id for level in ALL_LEVELS for step_id in level.steps]


def parse_steps(text: str) -> list[str]:
    """The steps `--step` names: one ("9"), a range ("8-11"), a list ("9,10") or a mix ("2,8-9"), in order.

    Raises ValueError with a sentence naming what is not a step.
    """
    wanted: list[str] = []
    for part in text.replace(" ", "").split(","):
        first, dash, last = part.partition("-")
        if first not in ALL_STEP_IDS or (dash and last not in ALL_STEP_IDS):
            raise ValueError(f"there is no step {part!r}: steps are 1 to {ALL_STEP_IDS[-1]}, one (9), a range "
                             "(8-11) or a list (9,10)")
        span = ALL_STEP_IDS[ALL_STEP_IDS.index(first) : ALL_STEP_IDS.index(last) + 1] if dash else [first]
        if not span:
            raise ValueError(f"the range {part!r} runs backwards: write it low to high, such as 8-11")
        wanted += [step for step in span if step not in wanted]
    return wanted


def label(step_id: str) -> str:
    """'step 5' or 'extra 6', as the student docs say it."""
    return f"extra {step_id}" if step_id in EXTRAS else f"step {step_id}"
TOP_KEYS = {"count_extras", "hidden", "steps", *(level.setting for level in ALL_LEVELS if level.setting)}
STEP_KEYS = {"title", "doc", "weight", "points"}


class RubricError(ValueError):
    """The rubric file can't be used; the message says where and why."""


@dataclass(frozen=True)
class Step:
    """One step of the exercise: its id ("1".."7"), title, doc page and check points.

    `points` are already multiplied by the step's `weight`. `counted` is false for an extra
    when the rubric says extras don't count. `hidden` names the checks students see only
    as a count. `on` is false for a step of level 2 or 3 the rubric leaves off: graded only
    when asked for (`--step 9`, `--step 13`).
    """

    id: str
    title: str
    doc: str
    points: dict[str, float]
    weight: float = 1.0
    counted: bool = True
    hidden: frozenset[str] = frozenset()
    on: bool = True

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
    def level(self) -> int:
        return level_of(self.id).number

    @property
    def fresh(self) -> bool:
        """Levels 2 and 3: each check that asks the app starts it on a fresh copy of the submission."""
        return self.level >= 2

    @property
    def needs_app(self) -> bool:
        """Whether the step asks the app the run shares: steps 3 and 4 read the template file alone,
        and the checks of levels 2 and 3 each start the app on a copy of their own."""
        return self.id not in ("3", "4") and not self.fresh


def load(path: Path | str = RUBRIC, *, every_step: bool = False) -> dict[str, Step]:
    """The steps a run grades, in order, keyed by id; raise RubricError if the file is not a usable rubric.

    Those are level 1's steps, and level 2's and level 3's where the rubric turns them on; with
    `every_step`, every step the rubric defines (those of levels 2 and 3 marked `on` or not), for `--step N`.
    """
    path = Path(path)
    try:
        with open(path, "rb") as file:
            data = tomllib.load(file)
    except OSError as error:
        raise RubricError(f"cannot read the rubric {path}: {error.strerror or error}") from None
    except tomllib.TOMLDecodeError as error:
        raise RubricError(f"{path} is not valid TOML: {error}") from None
    return parse(data, str(path), every_step=every_step)


def parse(data: dict, where: str = "rubric", *, every_step: bool = False) -> dict[str, Step]:
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
    first, *further = ALL_LEVELS
    graded = {level.number: True for level in ALL_LEVELS}  # whether each level is on: its setting, level 1 always
    for level in further:
        graded[level.number] = data.get(level.setting, False)
        if not isinstance(graded[level.number], bool):
            raise RubricError(f"{where}: {level.setting} must be true or false")
    table = data.get("steps")
    if not isinstance(table, dict) or not set(first.steps) <= set(table) or not set(table) <= set(MODULES):
        others = " and ".join(f"level {level.number}'s {level.steps[0]} to {level.steps[-1]}" for level in further)
        raise RubricError(
            f"{where}: [steps.{first.steps[0]}] to [steps.{first.steps[-1]}] must each be there, and no other step "
            f"than {others}"
        )
    for level in further:
        if graded[level.number] and not set(level.steps) <= set(table):
            needs = f"[steps.{level.steps[0]}] to [steps.{level.steps[-1]}]"
            raise RubricError(f"{where}: {level.setting} = true needs {needs}")
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
            on=graded[level_of(step_id).number],
        )
    known = {name for step in steps.values() for name in step.points}
    missing = [name for name in hidden if name not in known]
    if missing:
        raise RubricError(f"{where}: hidden names no check of the rubric: {', '.join(missing)}")
    return steps if every_step else {step_id: step for step_id, step in steps.items() if step.on}


def step_of_module(filename: str) -> str | None:
    """The step id a check module belongs to, from its file name."""
    for step_id, module in MODULES.items():
        if module == filename:
            return step_id
    return None
