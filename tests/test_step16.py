"""Step 16: a submission's own tests, run in the sandbox on its app, on the level-3 reference and on its mutants.

The runner is tested on small suites written into temporary copies (how it reads outcomes, that a
hostile suite is bounded and sees nothing of the kit); the check end to end on the reference (its
own tests score 20/20) and on the samples tests/submissions/*level3_tests*, whose scores are counted
by hand below; and on a handout, where the third check is not run and is worth 0.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest
from conftest import ROOT, SUBMISSIONS
from fakes import fake_grade
from test_attacks import shared_base, throwaway_user, user_kit  # noqa: F401 - the attack tests' user and kit

from checks.outputs import classroom50
from checks.outputs.formats import RENDERERS
from checks.run import student_tests
from checks.sandbox import bubblewrap, pytest_run
from checks.sandbox.isolation import choose
from checks.sandbox.limits import Limits
from checks.sandbox.pytest_run import PytestRun, run_tests
from tools import handout
from tools.level3_mutants import MUTANTS, for_levels

REFERENCE = ROOT / "solution-level3"
ENV = {"SECRET_KEY": "a-key", "CLUB_PASSWORD": "a-club-password", "CLUB_ADMIN": "ChiefOtter42",
       "CLUB_CONFIRM_SECONDS": "3600"}
LEVELS_1_AND_3 = len(for_levels({1, 3}))  # the mutants a grade without level 2 counts (24)

needs_sandbox = pytest.mark.skipif(not bubblewrap.available(), reason="needs the bubblewrap sandbox")


CHECKS = ("test_tests_pass_on_your_app", "test_tests_use_the_test_client", "test_tests_kill_the_mutants")


def step16(result: dict) -> dict:
    """Step 16's entry of a graded result, its checks by function name (the JSON has them in the rubric's order)."""
    entry = next(step for step in result["steps"] if step["id"] == "16")
    return {**entry, "by_name": dict(zip(CHECKS, entry["checks"], strict=True))}


def names_of(entry: dict) -> dict:
    """Each check's (score, max_score, passed) by its function name."""
    return {name: (check["score"], check["max_score"], check["passed"]) for name, check in entry["by_name"].items()}


# -- reading a run ------------------------------------------------------------------------------------
def record(run: PytestRun, **fields) -> None:
    run.record(json.dumps(fields).encode())


def test_a_run_reads_each_tests_worst_outcome():
    """A test's outcome is its worst report: a failing setup or teardown is an error, a pass needs its call."""
    run = PytestRun()
    record(run, started=True)
    record(run, test="t::ok", when="setup", outcome="passed")
    record(run, test="t::ok", when="call", outcome="passed")
    record(run, test="t::ok", when="teardown", outcome="passed")
    record(run, test="t::torn", when="call", outcome="passed")
    record(run, test="t::torn", when="teardown", outcome="error", message="boom")
    record(run, test="t::unset", when="setup", outcome="error")
    record(run, test="t::half", when="setup", outcome="passed")  # its call never reported: not passed
    record(run, test="t::skip", when="setup", outcome="skipped")
    record(run, test="t::xf", when="call", outcome="xfailed")
    record(run, module="tests/test_b.py", outcome="error", message="ImportError")
    run.record(b"not json")
    run.record(b'["a list"]')
    record(run, end=1)
    assert run.started and run.exit_code == 1
    assert run.outcomes == {"t::ok": "passed", "t::torn": "error", "t::unset": "error", "t::skip": "skipped",
                            "t::xf": "xfailed"}
    assert run.messages["t::torn"] == "boom"
    assert run.broken_modules == {"tests/test_b.py": "ImportError"}


def test_a_module_that_fails_to_import_fails_its_tests():
    """Counted tests of a module that failed to import count as failed; those of other modules do not."""
    run = PytestRun(outcomes={"tests/test_a.py::one": "failed"}, broken_modules={"tests/test_b.py": "E"})
    tests = ["tests/test_a.py::one", "tests/test_a.py::two", "tests/test_b.py::three", "tests/test_c.py::four"]
    assert student_tests.failed_tests(run, tests) == ["tests/test_a.py::one", "tests/test_b.py::three"]


@pytest.mark.parametrize(("killed", "total", "points"), [(0, 24, 0), (1, 24, 0), (2, 24, 1), (4, 24, 2),
                                                       (4, 27, 2), (23, 24, 13), (24, 24, 14), (26, 27, 13)])
def test_the_score_is_the_contracts_formula(killed, total, points):
    """⌊14 × killed ÷ mutants⌋."""
    verdict = student_tests.Verdict(PytestRun())
    run = PytestRun(ended=True)
    verdict.mutants = [student_tests.MutantRun(mutant, run, ["t"] if index < killed else [])
                       for index, mutant in enumerate((MUTANTS * 2)[:total])]
    assert verdict.points(14) == points


class ScriptedRunner:
    """A Runner whose runs are scripted: `outcomes(mutant name or "reference", selected)` gives each test's outcome."""

    def __init__(self, outcomes, mutants, reached: int = 1000, durations: dict[str, float] | None = None):
        self.kit = student_tests.Kit(REFERENCE, tuple(mutants))
        self.outcomes = outcomes
        self.calls: list[tuple[str, tuple[str, ...] | None, bool]] = []
        self.orders: list[tuple[str, list[str] | None]] = []  # each run's `order`, by the mutant's name
        self.reached = {mutant.name for mutant in mutants[:reached]}  # the mutants run before the time is up
        self.durations = durations or {}  # what each test takes on the reference

    def run(self, reference, mutant=None, selected=None, exitfirst=False, order=None):
        name = mutant.name if mutant is not None else "reference"
        if mutant is not None and name not in self.reached:
            return None
        self.calls.append((name, tuple(selected) if selected is not None else None, exitfirst))
        self.orders.append((name, order))
        run = PytestRun(ended=True, exit_code=0)
        tests = selected or ["t::a", "t::b", "t::c"]
        rank = {test: index for index, test in enumerate(order or [])}
        for test in sorted(tests, key=lambda test: rank.get(test, len(rank))):
            run.outcomes[test] = self.outcomes(name, test, len(self.calls))
            run.durations[test] = self.durations.get(test, 0.0)
            if exitfirst and run.outcomes[test] == "failed":
                break
        return run


def test_a_test_counts_only_if_it_passed_on_the_app_and_on_both_runs_of_the_reference():
    """t::a fails on the second reference run (flaky): the mutant only it killed is run again without it."""
    first, second = MUTANTS[0], MUTANTS[1]

    def outcomes(name, test, call):
        if name == "reference":
            return "failed" if test == "t::a" and call > 3 else "passed"  # calls 1 and 2: own-free first, then ref
        if name == first.name:
            return "failed" if test == "t::a" else "passed"  # killed by the flaky test alone
        return "failed" if test == "t::b" else "passed"

    own = PytestRun(outcomes={"t::a": "passed", "t::b": "passed", "t::c": "skipped"}, ended=True)
    runner = ScriptedRunner(outcomes, [first, second])
    verdict = student_tests.judge(own, runner)
    assert verdict.counted == ["t::b"]
    assert [each.killed for each in verdict.mutants] == [False, True]
    assert verdict.not_counted == {"t::c": "skipped on your app", "t::a": "failed on the reference's second run"}
    assert runner.calls[-1] == (first.name, ("t::b",), True)  # run again with the tests that count
    assert all(exitfirst for name, _, exitfirst in runner.calls if name != "reference")


def test_mutants_not_reached_in_time_are_not_killed():
    """Past the step's time, a mutant not run is not killed, and the feedback says the step stopped."""
    own = PytestRun(outcomes={"t::a": "passed"}, ended=True)
    runner = ScriptedRunner(lambda name, test, call: "passed" if name == "reference" else "failed", MUTANTS[:4],
                            reached=2)
    verdict = student_tests.judge(own, runner)
    assert [each.killed for each in verdict.mutants] == [True, True, False, False]
    assert "stopped after 300 s" in verdict.stopped and verdict.counted == ["t::a"]
    assert verdict.points(14) == 7


def test_the_mutants_and_the_second_reference_run_take_the_quickest_tests_first():
    """By their time on the reference's first run: a mutant that a quick test kills stops before the slow ones run."""
    mutant = MUTANTS[0]

    def outcomes(name, test, call):
        return "failed" if name == mutant.name and test in ("t::a", "t::b") else "passed"

    own = PytestRun(outcomes={"t::a": "passed", "t::b": "passed", "t::c": "passed"}, ended=True)
    runner = ScriptedRunner(outcomes, [mutant], durations={"t::a": 4.5, "t::b": 0.02, "t::c": 0.3})
    verdict = student_tests.judge(own, runner)
    quickest = ["t::b", "t::c", "t::a"]
    assert runner.orders == [("reference", None), (mutant.name, quickest), ("reference", quickest)]
    assert list(verdict.mutants[0].run.outcomes) == ["t::b"] and verdict.mutants[0].killers == ["t::b"]


# -- the runner, in the sandbox ------------------------------------------------------------------------
def suite_copy(folder: Path, tests: dict[str, str]) -> Path:
    """The reference's app with these files as its tests/, at folder/submission."""
    copy = folder / "submission"
    shutil.copytree(REFERENCE, copy, ignore=shutil.ignore_patterns("tests", "instance", "__pycache__"))
    (copy / "tests").mkdir()
    for name, text in tests.items():
        (copy / "tests" / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return copy


@pytest.fixture
def folder():
    """A temporary folder, removed however the test ends."""
    made = Path(tempfile.mkdtemp(prefix="step16-"))
    try:
        yield made
    finally:
        shutil.rmtree(made, ignore_errors=True)


@needs_sandbox
def test_a_run_sees_the_contracts_interface_and_no_configuration_outside_tests(folder):
    """The copy's root first on sys.path, level 3's variables, no plugin; a root pytest.ini or conftest.py: ignored."""
    copy = suite_copy(folder, {
        "conftest.py": "import pytest\n\n@pytest.fixture\ndef answer():\n    return 42\n",
        "test_env.py": """
            import os, sys

            def test_app_imports(answer):
                from app import create_app
                assert create_app("testing").config["TESTING"] is True and answer == 42

            def test_variables():
                assert os.environ["CLUB_ADMIN"] == "ChiefOtter42" and os.environ["CLUB_CONFIRM_SECONDS"] == "3600"
                assert os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] == "1"

            def test_no_root_configuration():
                assert "ROOT-CONFTEST" not in os.environ

            def test_skipped():
                import pytest
                pytest.skip("on purpose")
        """,
    })
    (copy / "pytest.ini").write_text("[pytest]\naddopts = --this-option-does-not-exist\n")
    (copy / "conftest.py").write_text("import os\nos.environ['ROOT-CONFTEST'] = '1'\n")
    run = run_tests(copy, ENV, Limits(), choose(others_work=True))
    assert run.ended, run.problem + run.output
    assert run.outcomes == {
        "tests/test_env.py::test_app_imports": "passed",
        "tests/test_env.py::test_variables": "passed",
        "tests/test_env.py::test_no_root_configuration": "passed",
        "tests/test_env.py::test_skipped": "skipped",
    }, run.output


HOSTILE = f"""
    import os, socket, pytest

    def test_the_kit_is_not_there():
        assert not os.path.exists({str(ROOT / "checks" / "rubric.toml")!r})
        assert not os.path.exists({str(REFERENCE)!r})

    def test_no_network():
        with pytest.raises(OSError):
            socket.create_connection(("1.1.1.1", 53), timeout=2)

    def test_a_fork_bomb_is_refused():
        children = []
        with pytest.raises(OSError):
            for _ in range(10_000):
                pid = os.fork()
                if pid == 0:
                    import time
                    time.sleep(3600)
                children.append(pid)

    def test_zz_loops_for_ever():
        while True:
            pass
"""
HOSTILE_OUTCOMES = {
    "tests/test_hostile.py::test_the_kit_is_not_there": "passed",
    "tests/test_hostile.py::test_no_network": "passed",
    "tests/test_hostile.py::test_a_fork_bomb_is_refused": "passed",
}


@needs_sandbox
def test_a_hostile_suite_is_bounded_and_sees_nothing_of_the_kit(folder):
    """Reading the kit, the network and a fork bomb all fail inside the sandbox; a loop is stopped at the limit."""
    copy = suite_copy(folder, {"test_hostile.py": HOSTILE})
    run = run_tests(copy, ENV, Limits(), choose(others_work=True), seconds=20)
    assert not run.ended and "did not finish within 20 s" in run.problem
    assert run.outcomes == HOSTILE_OUTCOMES, run.output


AS_USER = """
import json, sys
from pathlib import Path
from checks.sandbox.isolation import choose
from checks.sandbox.limits import Limits
from checks.sandbox.pytest_run import run_tests
run = run_tests(Path(sys.argv[1]), json.loads(sys.argv[2]), Limits(), choose(others_work=True), seconds=20)
print(json.dumps({"ended": run.ended, "problem": run.problem, "outcomes": run.outcomes}))
"""


@needs_sandbox
@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("useradd") is None, reason="needs root, to make a user")
def test_a_hostile_suite_is_bounded_as_an_ordinary_user(folder, user_kit):  # noqa: F811 - the fixture
    """The same suite, graded by a throwaway ordinary user (no cgroup of root's): the same outcomes.

    The user grades with the attack tests' kit: a copy of the grader and a virtual environment of the
    system's Python that every user can read (the kit's own checkout may be private to root).
    """
    user, kit = user_kit
    copy = suite_copy(folder, {"test_hostile.py": HOSTILE})
    subprocess.run(["chown", "-R", f"{user}:{user}", str(folder)], check=True, timeout=60)
    done = subprocess.run(
        [shutil.which("runuser") or "runuser", "-u", user, "--", str(kit / ".venv" / "bin" / "python"), "-c",
         AS_USER, str(copy), json.dumps(ENV)],
        cwd=kit, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(kit), "HOME": str(folder)},
        capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    run = json.loads(done.stdout.splitlines()[-1])
    assert not run["ended"] and "did not finish within 20 s" in run["problem"]
    assert run["outcomes"] == HOSTILE_OUTCOMES


@needs_sandbox
def test_selected_tests_and_exitfirst(folder):
    """Only the selected tests run; with exitfirst, the run ends at the first failure."""
    copy = suite_copy(folder, {"test_three.py": """
        def test_a():
            assert False

        def test_b():
            assert False

        def test_c():
            pass
    """})
    tests = [f"tests/test_three.py::test_{name}" for name in "abc"]
    run = run_tests(copy, ENV, Limits(), choose(others_work=True), selected=tests[1:], exitfirst=True)
    assert run.ended and run.outcomes == {tests[1]: "failed"}


@needs_sandbox
def test_order_runs_those_tests_first_and_each_test_is_timed(folder):
    """`order` runs its tests first, in its order, whatever the suite's conftest.py does; each test's time is kept."""
    copy = suite_copy(folder, {
        "conftest.py": """
            import pytest

            @pytest.hookimpl(trylast=True)
            def pytest_collection_modifyitems(items):
                items.reverse()
        """,
        "test_three.py": """
            def test_a():
                pass

            def test_b():
                assert False

            def test_c():
                pass
        """,
    })
    tests = [f"tests/test_three.py::test_{name}" for name in "abc"]
    run = run_tests(copy, ENV, Limits(), choose(others_work=True), order=[tests[2], tests[0]])
    assert run.ended and list(run.outcomes) == [tests[2], tests[0], tests[1]], run.output
    assert sorted(run.durations) == sorted(tests) and all(seconds >= 0 for seconds in run.durations.values())
    run = run_tests(copy, ENV, Limits(), choose(others_work=True), exitfirst=True, order=[tests[1], tests[0]])
    assert run.ended and run.outcomes == {tests[1]: "failed"}


@needs_sandbox
def test_runs_at_the_same_time_share_one_apps_budget(folder, monkeypatch):
    """With share=2, a run's cgroup has half an app's memory and processes: two at a time take one app's budget."""
    asked = []

    class Budget:
        folders: list = []  # no cgroup made: the run goes on with its rlimits alone

        def __init__(self, processes, memory, within=None):
            asked.append((processes, memory))

    monkeypatch.setattr(pytest_run, "Budget", Budget)
    copy = suite_copy(folder, {"test_one.py": "def test_one():\n    pass\n"})
    run = run_tests(copy, ENV, Limits(memory_mb=1024, processes=64), choose(others_work=True), share=2)
    assert run.ended and asked == [(64 // 2 + 3, 512 << 20)]


# -- the check, end to end ----------------------------------------------------------------------------
@needs_sandbox
def test_the_references_own_tests_score_full_marks_on_it(grade):
    """The reference's 39 tests pass on it, and kill every mutant: 20/20."""
    entry = step16(grade(REFERENCE, "--step", "16", seed=16))
    assert (entry["score"], entry["max_score"]) == (20, 20), entry
    assert f"they killed {LEVELS_1_AND_3} of the {LEVELS_1_AND_3} mutants" in entry["by_name"][
        "test_tests_kill_the_mutants"]["message"]


@needs_sandbox
def test_a_suite_that_kills_four_mutants_earns_the_hand_count(grade):
    """Four tests, each killing one mutant: 4 + 2 + ⌊14 × 4 ÷ 24⌋ = 8, and the other 20 named with their rule."""
    entry = step16(grade(SUBMISSIONS / "mistake_level3_tests_kill_four", "--step", "16", seed=16))
    assert names_of(entry) == {"test_tests_pass_on_your_app": (4, 4, True),
                               "test_tests_use_the_test_client": (2, 2, True),
                               "test_tests_kill_the_mutants": (2, 14, False)}
    message = entry["by_name"]["test_tests_kill_the_mutants"]["message"]
    assert f"your tests killed 4 of the {LEVELS_1_AND_3} mutants: 2 of 14 points" in message
    for killed in ("testing_flag_off", "unknown_user_200", "empty_username_stored", "wrong_club_password_stores"):
        assert f"{killed} (step" not in message
    food = next(mutant for mutant in MUTANTS if mutant.name == "food_shows_message")
    assert f"food_shows_message (step 5): {food.rule}" in message


@needs_sandbox
def test_tests_that_assert_nothing_earn_only_the_first_two_checks(grade, tmp_path):
    """They pass on every mutant: 4 + 2 + 0; with level 2 graded, level 2's mutants count too (27)."""
    rubric = tmp_path / "rubric.toml"
    rubric.write_text((ROOT / "checks" / "rubric.toml").read_text().replace("\nlevel2 = false\n", "\nlevel2 = true\n"))
    result = grade(SUBMISSIONS / "mistake_level3_tests_assert_nothing", "--rubric", str(rubric), "--step", "16")
    entry = step16(result)
    assert names_of(entry) == {"test_tests_pass_on_your_app": (4, 4, True),
                               "test_tests_use_the_test_client": (2, 2, True),
                               "test_tests_kill_the_mutants": (0, 14, False)}
    assert f"killed 0 of the {len(MUTANTS)} mutants" in entry["by_name"]["test_tests_kill_the_mutants"]["message"]


@needs_sandbox
def test_a_test_failing_on_its_own_app_counts_for_nothing(grade):
    """3 pass and 1 fails on the app: 0 for the first check, and the failing test kills nothing (0 + 2 + 0)."""
    entry = step16(grade(SUBMISSIONS / "mistake_level3_tests_fail_on_own_app", "--step", "16", seed=16))
    assert names_of(entry) == {"test_tests_pass_on_your_app": (0, 4, False),
                               "test_tests_use_the_test_client": (2, 2, True),
                               "test_tests_kill_the_mutants": (0, 14, False)}
    message = entry["by_name"]["test_tests_kill_the_mutants"]["message"]
    assert "tests/test_club.py::test_an_unknown_member_is_404: failed on your app" in message
    assert "unknown_user_200 (step 6)" in message  # the one mutant it would have killed lives


@needs_sandbox
def test_a_test_importing_the_apps_own_module_counts_for_nothing(grade):
    """tests/test_db.py imports club.db's own function: it fails to import on the reference, so kills nothing."""
    entry = step16(grade(SUBMISSIONS / "mistake_level3_tests_import_the_app_module", "--step", "16", seed=16))
    assert names_of(entry) == {"test_tests_pass_on_your_app": (4, 4, True),
                               "test_tests_use_the_test_client": (2, 2, True),
                               "test_tests_kill_the_mutants": (0, 14, False)}
    message = entry["by_name"]["test_tests_kill_the_mutants"]["message"]
    assert "tests/test_db.py::test_an_unknown_member_is_404: its module failed to import on the reference" in message
    assert "testing_flag_off (step 12)" in message and "unknown_user_200 (step 6)" in message


@needs_sandbox
def test_the_step_keeps_its_own_time_past_the_submissions(grade):
    """With the submission's time spent (1 s), step 16 still runs: its 5 minutes are its own."""
    entry = step16(grade(SUBMISSIONS / "mistake_level3_tests_assert_nothing", "--step", "16", "--submission-timeout",
                         "1", seed=16))
    assert names_of(entry) == {"test_tests_pass_on_your_app": (4, 4, True),
                               "test_tests_use_the_test_client": (2, 2, True),
                               "test_tests_kill_the_mutants": (0, 14, False)}


@needs_sandbox
def test_a_handout_reports_the_third_check_as_not_run_worth_0(tmp_path):
    """Without the reference and mutants, the third check is not run, worth 0: the other two give 6/6."""
    built = handout.build(tmp_path / "handout")
    assert not (built / "solution-level3").exists() and not (built / "tools").exists()
    shutil.copytree(REFERENCE, built / "starter", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("instance", "__pycache__"))
    done = subprocess.run([sys.executable, "-m", "checks", "starter", "--student", "--step", "16", "--format", "json"],
                          cwd=built, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    entry = step16(json.loads(done.stdout))
    assert names_of(entry) == {"test_tests_pass_on_your_app": (4, 4, True),
                               "test_tests_use_the_test_client": (2, 2, True),
                               "test_tests_kill_the_mutants": (0, 0, False)}
    assert entry["passed"] and (entry["score"], entry["max_score"]) == (6, 6)
    assert "your instructor's grading runs it" in entry["by_name"]["test_tests_kill_the_mutants"]["message"]


# -- a partial score in every output ------------------------------------------------------------------
def test_a_partial_score_shows_in_every_output():
    """A check that failed with part of its points: each format carries that part, and the total with it."""
    grade = fake_grade(failing={"test_post_user_is_accepted"})
    check = next(check for step in grade.steps for check in step.checks if check.id == "test_post_user_is_accepted")
    check.score = 1.0
    total = f"{grade.score:g}/{grade.max_score:g}"
    assert total in RENDERERS["text"](grade)
    assert json.loads(RENDERERS["json"](grade))["score"] == grade.score
    assert any(row.get("score") == 1 for row in json.loads(RENDERERS["gradescope"](grade))["tests"])
    assert '<property name="score" value="1" />' in RENDERERS["junit"](grade)
    assert f"{grade.score:g}" in RENDERERS["csv"](grade)
    assert f"**{total}**" in RENDERERS["markdown"](grade)
    rows = classroom50.tests(grade)
    assert any(row["score"] == 1 and not row["passed"] for row in rows)


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ('app = create_app("testing")\nclient = app.test_client()\n', (True, True)),
        ("from app import create_app\n\ndef test_x():\n    create_app(config_name='testing').test_client()\n",
         (True, True)),
        ('"""create_app("testing") and .test_client() are never called here."""\n# create_app("testing")\n',
         (False, False)),
        ("app = create_app()\nclient = app.test_client()\n", (False, True)),
        ('app = create_app("testing")\ndef broken(:  # a file that does not parse is read as text\n', (True, False)),
    ],
)
def test_the_calls_are_read_from_the_code_not_its_comments(source, found):
    """Step 16's second check looks for calls: a name in a docstring or comment is no call."""
    from checks import test_step16_tests as step16

    assert step16.calls_in(source) == found
