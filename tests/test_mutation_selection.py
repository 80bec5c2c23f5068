"""`make mutation` tests each file against verdict tests that grade what the file decides (tools/mutation.py)."""

from __future__ import annotations

import json
import re

import pytest
import verdicts

from tools import mutants, mutation

LEVEL_2_FILES = [
    "checks/test_step8_layout.py",
    "checks/test_step9_login.py",
    "checks/test_step10_account.py",
    "checks/test_step11_photo.py",
    "checks/members.py",
]


@pytest.fixture(autouse=True)
def in_the_kit(monkeypatch):
    """The selection read from the kit itself, not from a run's copy."""
    monkeypatch.setattr(mutation, "WORK", mutation.ROOT)


def graded(ids: list[str]) -> list[str]:
    """The samples and mutants a selection grades, by name, in order."""
    return [match[1] for case in ids if (match := re.search(r"\[(\w+)\]$", case))]


def level2(name: str) -> bool:
    if name in verdicts.samples():
        return name in verdicts.level2_samples()
    return mutants.load(name).get("level2") is True


@pytest.mark.parametrize("file", LEVEL_2_FILES)
def test_level_2_is_tested_against_its_own_samples_a_valid_one_first(file):
    ids = mutation.selection(file)
    names = graded(ids)
    assert names[0] == "valid_level2_signed_session"
    assert "valid_level2_server_session" in names
    assert all(level2(name) for name in names), names
    assert ids[0] == "tests/test_level2_checks.py"


def failed_checks(names: list[str]) -> set[str]:
    """The checks that the samples and mutants named fail, each with a phrase of its own."""
    found = set()
    for name in names:
        fails = verdicts.samples()[name] if name in verdicts.samples() else verdicts.expectation(mutants.load(name))
        found |= verdicts.targets(fails)
    return found


@pytest.mark.parametrize("file", LEVEL_2_FILES[:4])
def test_a_level_2_step_is_tested_against_a_failure_of_each_of_its_checks(file):
    step = verdicts.steps()[mutation.step_of(file)]
    assert set(step.points) <= failed_checks(graded(mutation.selection(file)))


def test_members_is_tested_against_a_failure_of_every_check_of_level_2():
    failed = failed_checks(graded(mutation.selection("checks/members.py")))
    for step in ("8", "9", "10", "11"):
        assert set(verdicts.steps()[step].points) <= failed, step


def test_a_level_1_step_is_still_tested_against_level_1_samples():
    names = graded(mutation.selection("checks/test_step2_post_user.py"))
    assert names[-2:] == mutation.VALID
    assert not any(level2(name) for name in names)


@pytest.mark.parametrize(
    "file",
    [
        "checks/test_step1_server.py", "checks/test_step2_post_user.py", "checks/test_step5_show_user.py",
        "checks/test_extra6_unknown_user.py", "checks/test_extra7_password.py",
    ],
)
def test_a_level_1_step_is_first_tested_against_the_hints_its_checks_choose(file):
    ids = mutation.selection(file)
    assert ids[0] == "tests/test_hint_selection.py"
    assert graded(ids)[-2:] == mutation.VALID


def test_the_hints_command_is_tested_against_its_own_tests_alone():
    # No grade runs checks/hints.py (only `--hint N` does): a verdict test could notice nothing.
    assert mutation.selection("checks/hints.py") == ["tests/test_hints.py"]
    assert "checks/hints.py" in mutation.DEFAULT


def test_the_report_counts_a_mutant_failed_slowly_as_killed_and_gives_each_files_minutes(tmp_path, monkeypatch):
    # mutmut marks ok_suspicious a mutant whose tests failed, but slowly (a loaded machine): it is killed.
    monkeypatch.setattr(mutation, "RESULTS", tmp_path)
    mutants = [
        {"id": 1, "status": "ok_killed", "line": 3, "diff": ""},
        {"id": 2, "status": "ok_suspicious", "line": 4, "diff": ""},
        {"id": 3, "status": "bad_timeout", "line": 5, "diff": "-a\n+b"},
        {"id": 4, "status": "bad_survived", "line": 6, "diff": "-c\n+d"},
    ]
    (tmp_path / "checks__x.py.json").write_text(json.dumps({"file": "checks/x.py", "minutes": 2.5, "mutants": mutants}))
    text = mutation.report()
    assert f"{'checks/x.py':42}       2      4   50 %      2.5" in text
    assert "\n#3 checks/x.py:5 bad_timeout\n-a\n+b\n" in text and "\n#4 checks/x.py:6 bad_survived\n" in text
    assert "#2 " not in text


LEVEL_3_FILES = [
    "checks/test_step12_factory.py",
    "checks/test_step13_register.py",
    "checks/test_step14_confirm.py",
    "checks/test_step15_admin.py",
    "checks/test_step16_tests.py",
]


@pytest.mark.parametrize("file", LEVEL_3_FILES)
def test_a_level_3_step_is_tested_first_in_process_then_against_its_own_samples_one_valid_last(file):
    # Grading a level-3 sample is slow (members registered with a salted hash): its fast tests first, then
    # only the samples that fail its checks, one valid sample last, each graded on that step alone.
    ids = mutation.selection(file)
    assert ids[0] == "tests/test_level3_hint_selection.py"
    names = graded(ids)
    assert names[-1] == "valid_level3_sqlite" and names.count("valid_level3_sqlite") == 1
    assert all(name.startswith("mistake_level3_") for name in names[:-1]), names
    step = verdicts.steps()[mutation.step_of(file)]
    assert set(step.points) <= failed_checks(names)
