"""The rubric's settings: weights, extras counted or not, hidden checks, and --rubric FILE."""

from __future__ import annotations

import json
import sys

import pytest
from conftest import STARTER, run_checks
from fakes import with_settings

from checks import rubric

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the same parser, as the tomli package (pinned in requirements.txt)
    import tomli as tomllib

TEXT = rubric.RUBRIC.read_text()


def edit(*changes: tuple[str, str]) -> str:
    """The default rubric's text with some edits, each of text found exactly once."""
    text = TEXT
    for old, new in changes:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def edited(tmp_path, *changes: tuple[str, str]) -> str:
    """A copy of the default rubric with edits, as an instructor would make it; returns its path."""
    path = tmp_path / "rubric.toml"
    path.write_text(edit(*changes))
    return str(path)


def weight(step: str, value: str) -> tuple[str, str]:
    """The edit that sets a step's weight."""
    doc = f"{'extra' if step in ('6', '7') else 'step'}-{step}.md"
    return f'{doc}"\nweight = 1', f'{doc}"\nweight = {value}'


def test_the_default_rubric_is_the_contracts():
    """Every weight is 1, the extras count and nothing is hidden: the contract's 100 points."""
    steps = rubric.load()
    assert all(step.weight == 1 and step.counted and not step.hidden for step in steps.values())
    assert sum(step.max_score for step in steps.values()) == 100


def test_a_weight_multiplies_the_steps_points():
    """weight = 2 doubles each of the step's checks; weight = 0 keeps them, worth nothing."""
    steps = rubric.parse(tomllib.loads(edit(weight("5", "2"))))
    assert steps["5"].max_score == 60 and steps["5"].points["test_profiles_are_kept_apart"] == 10
    steps = rubric.parse(tomllib.loads(edit(weight("7", "0"))))
    assert steps["7"].max_score == 0 and len(steps["7"].points) == 4


def test_extras_can_be_left_out_of_the_total():
    """count_extras = false marks extras 6 and 7 as not counted, and nothing else."""
    steps = with_settings(TEXT, count_extras="false")
    assert [step.id for step in steps.values() if not step.counted] == ["6", "7"]


def test_level2_turns_steps_8_to_11_on():
    """level2 = true grades steps 8 to 11 in every run; false (the default) leaves them to --step N."""
    assert list(with_settings(TEXT, level2="true")) == [str(number) for number in range(1, 12)]
    assert list(with_settings(TEXT, level2="false")) == [str(number) for number in range(1, 8)]


def test_a_rubric_without_level_2_still_grades_level_1():
    """An instructor's copy made before level 2 (no [steps.8] to [steps.11]) loads; level2 = true then can't."""
    level_1 = TEXT[: TEXT.index("\n[steps.8]\n")]
    assert list(rubric.parse(tomllib.loads(level_1))) == [str(number) for number in range(1, 8)]
    with pytest.raises(rubric.RubricError, match=r"level2 = true needs \[steps.8\] to \[steps.11\]"):
        rubric.parse(tomllib.loads(level_1.replace("level2 = false", "level2 = true")))


def test_level3_turns_steps_12_to_16_on():
    """level3 = true grades steps 12 to 16 in every run, with or without level 2; false leaves them to --step N."""
    assert list(with_settings(TEXT, level3="true")) == [*map(str, range(1, 8)), "12", "13", "14", "15", "16"]
    assert list(with_settings(TEXT, level2="true", level3="true")) == [str(number) for number in range(1, 17)]
    assert list(with_settings(TEXT, level3="false")) == [str(number) for number in range(1, 8)]


def test_a_rubric_without_level_3_still_grades_levels_1_and_2():
    """An instructor's copy made before level 3 (no [steps.12] on) loads; level3 = true then can't."""
    before = TEXT[: TEXT.index("\n[steps.12]\n")]
    assert list(rubric.parse(tomllib.loads(before), every_step=True)) == [str(number) for number in range(1, 12)]
    with pytest.raises(rubric.RubricError, match=r"level3 = true needs \[steps.12\] to \[steps.16\]"):
        rubric.parse(tomllib.loads(before.replace("level3 = false", "level3 = true")))


def test_hidden_checks_belong_to_their_steps():
    """hidden names checks; each step knows which of its own are hidden."""
    steps = with_settings(TEXT, hidden='["test_template_is_html", "test_post_without_password_is_refused"]')
    assert steps["3"].hidden == {"test_template_is_html"}
    assert steps["7"].hidden == {"test_post_without_password_is_refused"}
    assert not steps["5"].hidden


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        ("hidden = []", 'hidden = ["test_nothing"]', "hidden names no check of the rubric: test_nothing"),
        ("hidden = []", 'hidden = "test_template_is_html"', "hidden must be a list"),
        ("count_extras = true", "count_extras = 1", "count_extras must be true or false"),
        ("level2 = false", 'level2 = "yes"', "level2 must be true or false"),
        (*weight("2", "-1"), "[steps.2] weight must be a number, 0 or more"),
        ('step-2.md"\nweight = 1', 'step-2.md"\nwieght = 1', "[steps.2] has unknown key(s) wieght"),
        ("test_template_exists = 4", 'test_template_exists = "4"', "test_template_exists must be a number"),
        ("count_extras = true", "count_extras = true\npass_mark = 50", "unknown setting(s) pass_mark"),
        ('[steps.6]\ntitle = "Extra: unknown user"', '[steps.99]\ntitle = "Extra: unknown user"', "[steps.7] must"),
        ("level3 = false", "level3 = 1", "level3 must be true or false"),
        ("hidden = []", "hidden = [", "is not valid TOML"),
    ],
)
def test_a_broken_rubric_is_refused_with_the_reason(tmp_path, old, new, said):
    """A rubric with a mistake is refused by --rubric with one sentence and exit 2, before any grading."""
    path = edited(tmp_path, (old, new))
    with pytest.raises(rubric.RubricError) as error:
        rubric.load(path)
    assert said in str(error.value)
    done = run_checks(STARTER, "--rubric", path)
    assert done.returncode == 2 and said in done.stderr and "Traceback" not in done.stderr


def test_grading_with_an_edited_rubric(tmp_path):
    """--rubric FILE grades with the instructor's copy: its weights and hidden checks."""
    path = edited(tmp_path, ("hidden = []", 'hidden = ["test_template_is_html"]'), weight("3", "2"))
    result = json.loads(run_checks(STARTER, "--step", "3", "--seed", "1", "--format", "json", "--rubric", path).stdout)
    assert result["max_score"] == 20
    assert [check["max_score"] for check in result["steps"][0]["checks"]] == [8, 6, 6]


def test_students_see_a_hidden_check_as_a_count(tmp_path):
    """With --student (make check, CI) a hidden check is counted, never named; without it, it is named."""
    path = edited(tmp_path, ("hidden = []", 'hidden = ["test_template_is_html"]'))
    student = run_checks(STARTER, "--step", "3", "--seed", "1", "--rubric", path, "--student")
    assert student.returncode == 0, student.stderr
    assert "1 hidden check: 0 passed" in student.stdout
    assert "templates/user.html is HTML" not in student.stdout
    assert "1 thing to fix, 2 failed checks (and 1 hidden)" in student.stdout
    instructor = run_checks(STARTER, "--step", "3", "--seed", "1", "--rubric", path)
    assert "templates/user.html is HTML  (hidden from students)" in instructor.stdout
