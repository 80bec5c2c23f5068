"""Step 16's first check says how long the student's tests took on their app, and warns where a run of
them comes near a run's 30 s (on a busier machine, a mutant's run might then not finish, and kill nothing)."""

from __future__ import annotations

from test_level2_checks import step
from test_level3_hint_selection import PASSING, run_of

from checks import test_step16_tests as step16
from checks.notes import Notes


def test_a_quick_suite_is_timed_and_not_warned():
    notes = Notes(step("16"))
    step16.test_tests_pass_on_your_app(run_of(PASSING, seconds=4.25), notes)
    assert notes.lines == ["python -m pytest tests on a fresh copy of your folder → 3 passed in 4.2 s"]


def test_a_suite_past_three_fifths_of_a_run_is_told_which_tests_are_slowest():
    durations = {"tests/test_club.py::test_a": 1.0, "tests/test_club.py::test_b": 9.5,
                 "tests/test_club.py::test_c": 6.0}
    notes = Notes(step("16"))
    step16.test_tests_pass_on_your_app(run_of(PASSING, seconds=18.2, durations=durations), notes)
    assert notes.lines[1] == (
        "note: your tests took 18 s of the 30 s a run has: on a busier machine a run on a mutant may not finish, "
        "and then kills nothing; the slowest: tests/test_club.py::test_b (9.5 s), tests/test_club.py::test_c "
        "(6.0 s), tests/test_club.py::test_a (1.0 s) (each registration or login hashes a password: register "
        "once per module, in a fixture)"
    )
    quick = Notes(step("16"))
    step16.test_tests_pass_on_your_app(run_of(PASSING, seconds=17.9, durations=durations), quick)
    assert len(quick.lines) == 1
