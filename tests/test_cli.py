"""`python -m checks`: the reference gets full marks, the starter zero, and the output keeps the contract."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import ROOT, SOLUTION, STARTER, run_checks

STEP_TITLES = [
    ("1", "A Flask server", 10),
    ("2", "POST /user/", 15),
    ("3", "templates/user.html exists", 10),
    ("4", "The template's fields", 15),
    ("5", "GET /user/<username>", 30),
    ("6", "Extra: unknown user", 10),
    ("7", "Extra: club password", 10),
]


@pytest.mark.parametrize("seed", [1, 424242, 987654])
def test_solution_scores_full_marks(grade, seed):
    """The reference solution passes every check, whatever the seed."""
    result = grade(SOLUTION, seed=seed)
    failures = [c["message"] for s in result["steps"] for c in s["checks"] if not c["passed"]]
    assert failures == []
    assert (result["score"], result["max_score"]) == (100, 100)


def test_starter_scores_zero(grade):
    """The starter imports but does nothing yet: zero, with every step failed."""
    result = grade(STARTER)
    assert result["score"] == 0
    assert all(not step["passed"] and step["score"] == 0 for step in result["steps"])


def test_every_starter_failure_names_its_step(grade):
    """Each failing check of the starter says which step and which doc page to read."""
    result = grade(STARTER)
    for step in result["steps"]:
        label = f"extra {step['id']}" if step["id"] in ("6", "7") else f"step {step['id']}"
        for check in step["checks"]:
            assert f"({label})" in check["message"], check
            assert "read: docs/student/" in check["message"], check


def test_json_is_exactly_the_contracts_shape(grade):
    """The JSON holds the contract's keys (others may be added), the seven steps in order, the default points."""
    result = grade(SOLUTION, seed=7)
    assert {"submission", "score", "max_score", "seed", "steps"} <= set(result)
    assert result["submission"] == str(SOLUTION) and result["seed"] == 7
    assert [(s["id"], s["title"], s["max_score"]) for s in result["steps"]] == STEP_TITLES
    for step in result["steps"]:
        assert {"id", "title", "score", "max_score", "passed", "checks"} <= set(step)
        assert step["score"] == sum(check["score"] for check in step["checks"])
        for check in step["checks"]:
            assert {"name", "passed", "score", "max_score", "message", "blocked_by", "failure"} <= set(check)


def test_same_seed_repeats_a_run(grade):
    """Given back, the seed repeats the run's data exactly."""
    first, second = grade(SOLUTION, seed=31337), grade(SOLUTION, seed=31337)
    assert first == second


def test_a_new_seed_brings_new_data(grade):
    """Different seeds send different usernames."""
    first, second = grade(SOLUTION, seed=1), grade(SOLUTION, seed=2)
    assert first["steps"][4]["checks"][0]["message"] != second["steps"][4]["checks"][0]["message"]


def test_a_run_without_seed_prints_the_one_it_chose():
    """Without --seed, the text output names the seed to repeat the run with."""
    done = run_checks(STARTER, "--step", "3")
    assert done.returncode == 0
    assert "--seed " in done.stdout


@pytest.mark.parametrize("step", ["3", "5"])
def test_step_option_grades_one_step(grade, step):
    """--step N grades that step alone."""
    result = grade(SOLUTION, "--step", step)
    assert [s["id"] for s in result["steps"]] == [step]
    assert result["score"] == result["max_score"]


def test_text_output_has_the_table_and_total():
    """The default output is a table for a person: one row per step, then the total."""
    done = run_checks(SOLUTION, "--seed", "5")
    assert done.returncode == 0, done.stderr
    for _, title, points in STEP_TITLES:
        assert title in done.stdout and f"{points}/{points}" in done.stdout
    assert "100/100" in done.stdout


@pytest.mark.parametrize(
    ("argument", "said"),
    [
        ("no/such/folder", "there is no folder"),
        ("pyproject.toml", "is a file"),
    ],
)
def test_a_bad_submission_path_is_a_clear_error(argument, said):
    """A path that is not a folder gets one sentence on stderr and exit 2, never a traceback."""
    done = run_checks(argument, "--format", "json")
    assert done.returncode == 2
    assert said in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""


@pytest.mark.parametrize("arguments", [["--step", "99"], ["--timeout", "-1"], ["--seed", "abc"], ["--level", "0"]])
def test_bad_options_are_refused_with_usage(arguments):
    """Options out of range are refused by the argument parser, with exit 2."""
    done = run_checks(SOLUTION, *arguments)
    assert done.returncode == 2 and "usage:" in done.stderr and "Traceback" not in done.stderr


def test_json_goes_alone_to_stdout():
    """With --format json, standard output is one JSON document and nothing else."""
    done = run_checks(SOLUTION, "--format", "json", "--seed", "3")
    assert json.loads(done.stdout)["score"] == 100


def test_a_grader_failure_is_one_line_and_exit_1(monkeypatch, capsys):
    """A bug of the grader's on one submission is one line (the whole traceback with -v), never a bare traceback."""
    from checks import cli

    def broken(submission, options):
        raise KeyError("a bug in the grader")

    monkeypatch.setattr(cli, "grade", broken)
    monkeypatch.setenv("CI", "")
    assert cli.main([str(SOLUTION), "--no-sandbox"]) == 1
    err = capsys.readouterr().err
    assert "python -m checks: the grader failed on this submission: KeyError: 'a bug in the grader'" in err
    assert "Traceback" not in err
    assert cli.main([str(SOLUTION), "--no-sandbox", "-v"]) == 1
    assert "Traceback" in capsys.readouterr().err


def test_watch_skips_what_the_copy_leaves_out(tmp_path):
    """make watch never recurses into a tree an app nested thousands deep: past DEEPEST, folders are not read."""
    import os

    from checks import watch
    from checks.run.tree import remove_tree

    (tmp_path / "app.py").write_text("app = 1\n")
    folder = os.open(tmp_path, os.O_RDONLY)
    try:
        for _ in range(1200):
            os.mkdir("d", dir_fd=folder)
            deeper = os.open("d", os.O_RDONLY, dir_fd=folder)
            os.close(folder)
            folder = deeper
        assert [path.name for path in watch.files(tmp_path)] == ["app.py"]
    finally:
        os.close(folder)
        remove_tree(tmp_path / "d")


def test_plain_pytest_runs_the_checks_on_a_submission():
    """`pytest checks/… --submission DIR` (the checks run as any pytest suite, marks and all) grades that app."""
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "checks/test_extra7_password.py", "-n", "0", "-q", "--submission",
         str(SOLUTION)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0 and " passed" in done.stdout, done.stdout[-2000:] + done.stderr[-2000:]
