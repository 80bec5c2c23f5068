"""`python -m checks --hint N`: each step's hints come from its page, one level more each time."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import ROOT

from checks import rubric
from checks.cli import main
from checks.hints import STATE, load_state, next_hint, read_hints, save_state

STEP_IDS = [str(number) for number in range(1, 8)]


@pytest.fixture
def student_folder(tmp_path, monkeypatch):
    """The current folder is an empty temporary one, where the hint levels are remembered."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def hint(capsys, *argv: str) -> str:
    """What `python -m checks ARGV` prints, run in this process; it must exit 0."""
    assert main(list(argv)) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("step_id", STEP_IDS)
def test_every_step_page_has_three_hints(step_id):
    """Each step's page holds `### Hint 1` to `### Hint 3` under `## Hints`, none of them empty."""
    hints = read_hints(ROOT / rubric.load()[step_id].doc)
    assert sorted(hints) == [1, 2, 3]
    assert all(text.strip() for text in hints.values())


def test_a_hint_keeps_its_code_block_whole():
    """A `# comment` inside a code block is code, not a heading that would end the hint."""
    last = read_hints(ROOT / "docs/student/step-5.md")[3]
    assert last.startswith("```python") and last.endswith("```")
    assert "# and at the end of step 2's view" in last


def test_hints_stop_at_the_next_section(tmp_path):
    """Only `### Hint N` headings under `## Hints` are hints; the next `##` heading ends them."""
    page = tmp_path / "page.md"
    page.write_text(
        "# Step\n\n### Hint 9\n\nnot under Hints\n\n## Hints\n\n### Hint 1\n\nnudge\n\n"
        "### Hint 2\n\n```sh\n# not a heading\n```\n\n## After\n\n### Hint 3\n\nnot a hint\n"
    )
    assert read_hints(page) == {1: "nudge", 2: "```sh\n# not a heading\n```"}


def test_each_call_shows_the_next_level(student_folder, capsys):
    """--hint 5 shows hint 1, then 2, then 3, and then 3 again, from step 5's page."""
    hints = read_hints(ROOT / "docs/student/step-5.md")
    for level in (1, 2, 3, 3):
        out = hint(capsys, "--hint", "5")
        assert out.startswith(f"Hint {level} of 3 for step 5: GET /user/<username>")
        assert f"docs/student/step-5.md#hint-{level}" in out
        assert hints[level] in out
    assert "That was the last hint" in out
    assert json.loads((student_folder / STATE).read_text()) == {"5": 3}


def test_steps_keep_their_own_levels(student_folder, capsys):
    """Asking for step 2's hints does not move step 7's on."""
    hint(capsys, "--hint", "2")
    hint(capsys, "--hint", "2")
    assert hint(capsys, "--hint", "7").startswith("Hint 1 of 3 for extra 7: Extra: club password")
    assert json.loads((student_folder / STATE).read_text()) == {"2": 2, "7": 1}


def test_level_picks_a_hint_and_the_next_call_goes_on_from_it(student_folder, capsys):
    """--hint-level 2 shows hint 2 at once; the next plain --hint shows 3."""
    assert hint(capsys, "--hint", "3", "--hint-level", "2").startswith("Hint 2 of 3 for step 3")
    assert hint(capsys, "--hint", "3").startswith("Hint 3 of 3 for step 3")


def test_a_broken_state_file_starts_again_at_hint_1(student_folder, capsys):
    """A state file that is not the kit's JSON is ignored, and replaced."""
    (student_folder / STATE).write_text("{not json")
    assert hint(capsys, "--hint", "1").startswith("Hint 1 of 3 for step 1")
    assert json.loads((student_folder / STATE).read_text()) == {"1": 1}


def test_a_hint_with_a_folder_grades_nothing(student_folder, capsys):
    """`python -m checks starter --hint 4` (DIR still accepted) prints the hint alone."""
    out = hint(capsys, str(ROOT / "starter"), "--hint", "4")
    assert out.startswith("Hint 1 of 3 for step 4")
    assert "Flask Club checks" not in out and "total" not in out


@pytest.mark.parametrize(
    ("argv", "error"),
    [
        ([], "the following arguments are required: DIR"),
        (["starter", "--hint-level", "2"], "--hint-level goes with --hint N"),
        (["--hint", "99"], "invalid choice: '99'"),
        (["--hint", "1", "--hint-level", "4"], "invalid choice: 4"),
        (["--hint", "1", "--level", "2"], "--level is the exercise's level (1, 2 or 3), for grading; the hint's "
                                          "number is --hint-level K"),
    ],
)
def test_bad_hint_command_lines_exit_2(student_folder, capsys, argv, error):
    """A missing DIR (no --hint), --hint-level alone, a step or hint out of range, or the old --level: refused."""
    with pytest.raises(SystemExit) as exit:
        main(argv)
    assert exit.value.code == 2
    assert error in capsys.readouterr().err
    assert not (student_folder / STATE).exists()


def test_python_m_checks_hint_from_a_students_folder(tmp_path):
    """The real command, run where a student runs it, exits 0 and remembers the level there."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "checks", "--hint", "6"]
    runs = [subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60) for _ in "12"]
    assert [run.returncode for run in runs] == [0, 0]
    assert runs[0].stdout.startswith("Hint 1 of 3 for extra 6") and runs[1].stdout.startswith("Hint 2 of 3")
    assert json.loads((tmp_path / STATE).read_text()) == {"6": 2}


def test_lines_before_the_hints_section_are_never_a_hint(tmp_path):
    """A page whose first heading is a `### Hint N` outside `## Hints` has that hint nowhere."""
    page = tmp_path / "page.md"
    page.write_text("### Hint 7\n\nstray\n\n## Hints\n\n### Hint 1\n\nnudge\n")
    assert read_hints(page) == {1: "nudge"}


def test_a_state_file_keeps_only_whole_numbers(student_folder):
    """Levels that are text, true/false or fractions are dropped; a state that is not an object is none."""
    (student_folder / STATE).write_text('{"1": "2", "2": true, "3": 2.5, "4": 2}')
    assert load_state(student_folder) == {"4": 2}
    (student_folder / STATE).write_text("[1, 2]")
    assert load_state(student_folder) == {}


def test_the_state_file_is_sorted_json_one_step_a_line(student_folder, capsys):
    hint(capsys, "--hint", "7")
    hint(capsys, "--hint", "2")
    assert (student_folder / STATE).read_text() == '{\n "2": 1,\n "7": 1\n}\n'


def test_the_next_hint_is_named_with_the_command_that_shows_it(tmp_path):
    """The default command is the kit's; a handout passes its own (`make hint STEP=5`)."""
    first = next_hint("5", folder=tmp_path)
    assert first.endswith("\nStill stuck? `python -m checks --hint 5` again shows hint 2, which gives away more.\n")
    second = next_hint("5", folder=tmp_path, command="make hint STEP=5")
    assert second.endswith("\nStill stuck? `make hint STEP=5` again shows hint 3, which gives away more.\n")
    assert next_hint("5", folder=tmp_path).endswith(
        "\nThat was the last hint. Read the whole page, docs/student/step-5.md, and run the checks again.\n"
    )


def test_a_folder_that_cannot_be_written_to_says_the_hints_start_again(tmp_path):
    """Without a state file, every call shows hint 1, and says why; where it can be written, nothing is said."""
    missing = tmp_path / "no-such-folder"
    for _ in "12":
        shown = next_hint("3", folder=missing)
        assert shown.startswith("Hint 1 of 3 for step 3")
        assert shown.endswith(f"\n(Could not write {STATE} here, so the next call starts again at hint 1.)\n")
    assert save_state(missing, {"3": 1}) is False
    assert save_state(tmp_path, {"3": 1}) is True
    assert "Could not write" not in next_hint("3", folder=tmp_path)


@pytest.mark.parametrize("step_id", ["8", "11", "12", "16"])
def test_hints_of_levels_2_and_3_are_there_whatever_the_rubric_grades(tmp_path, step_id):
    """The default rubric grades level 1 alone; the hints of every level are still shown."""
    assert next_hint(step_id, folder=tmp_path).startswith(f"Hint 1 of 3 for step {step_id}: ")
