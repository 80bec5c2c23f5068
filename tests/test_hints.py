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
from checks.hints import STATE, read_hints

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
