"""The order a grade runs its checks in, and what starts before the first one.

The rubric's order, step by step, a module keeping its own; a check marked `runs_last` (step 14's
expired link, which waits 4 s from its setup) after every other check of the grade, so its wait overlaps
them. Level 3's shared apps start as soon as the checks are collected, so that their setups (slow
registrations) overlap levels 1 and 2; a run that only lists the checks starts none.
"""

from __future__ import annotations

import subprocess
import sys
import types

from conftest import ROOT

import checks.conftest as the_conftest


def collected(*modules: str) -> list[str]:
    """The checks a plain `pytest checks/...` would run on the level-3 reference, in their order."""
    listed = subprocess.run(
        [sys.executable, "-m", "pytest", *(f"checks/{module}" for module in modules), "-c", "checks/pytest.ini",
         "--rootdir", "checks", "--submission=solution-level3", "--collect-only", "-q", "--seed", "5"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert listed.returncode == 0, listed.stdout + listed.stderr
    return [line.split("::")[-1] for line in listed.stdout.splitlines() if "::" in line]


def test_the_expiry_check_runs_after_every_other_check_and_the_rest_keep_the_rubrics_order():
    """Step 14's expired link, marked runs_last, is graded after steps 13 to 15's other checks, and before step 16's,
    which have five minutes of their own (after them, the submission's 120 s may be spent: "not run")."""
    order = collected("test_step16_tests.py", "test_step15_admin.py", "test_step13_register.py",
                      "test_step14_confirm.py")
    step16 = ["test_tests_pass_on_your_app", "test_tests_use_the_test_client", "test_tests_kill_the_mutants"]
    assert order[-4:] == ["test_expired_link_is_refused", *step16]
    order = order[:-3]
    assert order[0] == "test_register_page_has_form" and order[-2] == "test_club_password_gives_no_admin_rights"
    assert order.index("test_accounts_survive_restart") < order.index("test_registration_writes_a_link")
    assert order.index("test_link_is_tied_to_secret_key") < order.index("test_roles_are_shown")


def session(collect_only: bool) -> types.SimpleNamespace:
    return types.SimpleNamespace(config=types.SimpleNamespace(option=types.SimpleNamespace(collectonly=collect_only)))


def test_level3s_shared_apps_start_once_the_checks_are_collected(monkeypatch):
    """The collection's end starts the run's shared apps; listing the checks (--collect-only) starts none."""
    started = []
    monkeypatch.setattr(the_conftest, "find", lambda config: "the run")
    monkeypatch.setattr(the_conftest, "start_shared", lambda grading, session: started.append((grading, session)))
    listing, grading = session(True), session(False)
    the_conftest.pytest_collection_finish(listing)
    assert started == []
    the_conftest.pytest_collection_finish(grading)
    assert started == [("the run", grading)]
