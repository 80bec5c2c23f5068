"""Step 16: the club's own tests: they pass on the student's app, and fail on the reference's mutants."""

from __future__ import annotations

import ast
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from checks.notes import Notes
from checks.run import student_tests
from checks.run.pytest_plugin import Grading
from checks.run.student_tests import RUN_SECONDS, PytestRun

# The step's own 5 minutes, on top of the submission's time (checks/conftest.py): its checks run however long
# the steps before took, and a class run waits for them (checks/run/workers.py).
OWN_BUDGET = student_tests.STEP_SECONDS
SLOW_SHARE = 0.6  # of a run's seconds: a suite slower than this on the student's app is told so
MIN_PASSED = 3
MAX_READ = 256 << 10  # bytes of each file of tests/ the second check reads
MAX_LISTED = 12  # tests named in one message, the rest counted
FACTORY = re.compile(r"""create_app\(\s*(["'])testing\1\s*\)""")
CLIENT = re.compile(r"\.test_client\(")
PLACE = re.compile(r"^(\S+\.py):(\d+):(?:\s|$)")  # pytest's 'tests/test_club.py:25: AssertionError' under a failure


def calls_in(source: str) -> tuple[bool, bool]:
    """Whether the code calls create_app("testing") and .test_client(…): calls, not words in a comment or string.

    A file that does not parse is read as text (it fails to import anyway, and counts for nothing).
    """
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return bool(FACTORY.search(source)), bool(CLIENT.search(source))
    factory = client = False
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
        arguments = [*node.args, *(keyword.value for keyword in node.keywords)]
        if name == "create_app" and any(isinstance(a, ast.Constant) and a.value == "testing" for a in arguments):
            factory = True
        client |= name == "test_client"
    return factory, client
TESTS_HINT = (
    'write tests/test_*.py files whose tests call create_app("testing") and its test_client(), as '
    "docs/student/step-16.md shows; run them with python -m pytest tests"
)


def submitted_tests(grading: Grading) -> Path | None:
    """The submission's tests/ as handed in (a real folder, not a link), or None."""
    pristine = grading.workspace.pristine or grading.workspace.root
    folder = pristine / "tests"
    return folder if folder.is_dir() and not folder.is_symlink() else None


def levels(grading: Grading) -> set[int]:
    """The levels whose mutants count: 1 and 3, and 2 where the rubric grades it."""
    return {1, 3} | ({2} if any(step.on and step.level == 2 for step in grading.steps.values()) else set())


@dataclass
class Start:
    """What the step's first check starts: the tests on the student's app and, beside it, on the reference."""

    own: PytestRun | None = None
    runner: student_tests.Runner | None = None  # None where the kit holds no reference (a handout)
    first: PytestRun | None = None  # the reference's first run, of every test


@pytest.fixture(scope="module")
def start(grading: Grading) -> Start:
    """The submission's tests run once on a fresh copy of it, and at the same time on the reference (where the kit
    holds one): the step's 5 minutes start here."""
    folder = submitted_tests(grading)
    if folder is None:
        return Start()
    the_kit = student_tests.kit(levels(grading))
    runner = None
    if the_kit is not None:
        runner = student_tests.Runner(folder, grading.env(), grading.limits, grading.isolation,
                                      time.monotonic() + student_tests.STEP_SECONDS, the_kit, grading.budget())
    copy = grading.workspace.fresh_copy()
    with ThreadPoolExecutor(max_workers=student_tests.PARALLEL) as pool:
        first = pool.submit(runner.run, the_kit.reference) if runner is not None else None
        try:
            # Beside the reference's first run, within the submission's budget like its apps.
            own = student_tests.run_tests(copy, grading.env(), grading.limits, grading.isolation,
                                          share=student_tests.PARALLEL, within=grading.budget())
        finally:
            grading.workspace.discard(copy)
        return Start(own, runner, first.result() if first is not None else None)


@pytest.fixture(scope="module")
def own_run(start: Start) -> PytestRun | None:
    """The submission's tests, run once on a fresh copy of it (None without a tests/ folder)."""
    return start.own


def no_tests(notes: Notes) -> None:
    notes.fail("there is no tests/ folder beside app.py", TESTS_HINT)


def listed(lines: list[str]) -> list[str]:
    """At most MAX_LISTED lines, and how many more there are."""
    more = len(lines) - MAX_LISTED
    return lines[:MAX_LISTED] + ([f"  … and {more} more"] if more > 0 else [])


def last_line(message: str) -> str:
    """What a failing test said, in one line of 200 characters at most: the line of the test where it stopped and the
    first line of its error ('test_club.py:25: assert r.status_code == 404 → AssertionError: assert 200 == 404'),
    else the text's last line.

    pytest writes the error as 'E' lines: the first of the last such block is the assertion or the exception (the
    lines after it, '+  where …', only explain it). The line quoted is the last one of tests/ that ran ('>' in
    front, above its 'tests/….py:N:' line): where the error began inside the app, none of the app's code is quoted.
    """
    lines = [line.rstrip() for line in message.splitlines() if line.strip()]
    marked = [index for index, line in enumerate(lines) if line == "E" or line.startswith("E ")]
    if not marked:
        return ((lines or [""])[-1].strip())[:200]
    first = marked[-1]
    while first - 1 in marked:
        first -= 1
    said = lines[first][1:].strip()
    code, top = "", 0
    for index, line in enumerate(lines):
        place = PLACE.match(line)
        if place is None:
            continue
        if "tests" in place[1].split("/")[:-1]:
            source = next((text[1:].strip() for text in reversed(lines[top:index]) if text.startswith(">")), "")
            if source:
                code = f"{place[1].rpartition('/')[2]}:{place[2]}: {source}"
        top = index + 1
    if code and code != said:
        said = f"{code} → {said}"
    return said if len(said) <= 200 else said[:199] + "…"


def test_tests_pass_on_your_app(own_run: PytestRun | None, notes: Notes) -> None:
    """your tests pass on your app: 3 or more pass, and none fails or errors"""
    if own_run is None:
        no_tests(notes)
    took = f" in {own_run.seconds:.1f} s" if own_run.ended and own_run.seconds else ""
    notes.add(f"python -m pytest tests on a fresh copy of your folder → {summary(own_run)}{took}")
    if not own_run.ended:
        notes.fail(f"your tests did not finish: {own_run.problem or 'pytest stopped early'}",
                   f"a run has {RUN_SECONDS:g} s: look for a loop or a long sleep in tests/, or an app that never "
                   "answers")
    failing = own_run.with_outcome("failed", "error") + list(own_run.broken_modules)
    if failing:
        lines = [f"  {test}: {last_line(own_run.messages.get(test) or own_run.broken_modules.get(test, ''))}"
                 for test in failing]
        notes.fail("\n".join([f"{len(failing)} of your tests failed or errored on your own app:", *listed(lines)]),
                   "run python -m pytest tests on your app: a test that fails on it counts for nothing; fix the "
                   "app or the test")
    passed = own_run.with_outcome("passed")
    if len(passed) < MIN_PASSED:
        notes.fail(f"expected {MIN_PASSED} or more tests to pass, but {len(passed)} passed", TESTS_HINT,
                   expected=f"{MIN_PASSED} or more passed", actual=f"{len(passed)} passed")
    if own_run.seconds > SLOW_SHARE * RUN_SECONDS:
        slowest = sorted(own_run.durations, key=lambda test: -own_run.durations[test])[:3]
        notes.add(f"note: your tests took {own_run.seconds:.0f} s of the {RUN_SECONDS:g} s a run has: on a busier "
                  "machine a run on a mutant may not finish, and then kills nothing; the slowest: "
                  + ", ".join(f"{test} ({own_run.durations[test]:.1f} s)" for test in slowest)
                  + " (each registration or login hashes a password: register once per module, in a fixture)")


def test_tests_use_the_test_client(grading: Grading, notes: Notes) -> None:
    """your tests call create_app("testing") and a test client"""
    folder = submitted_tests(grading)
    if folder is None:
        no_tests(notes)
    found = {"factory": False, "client": False}
    for path in sorted(folder.rglob("*.py")):
        if path.is_symlink() or not path.is_file():
            continue
        with open(path, "rb") as file:
            text = file.read(MAX_READ).decode("utf-8", "replace")
        factory, client = calls_in(text)
        found["factory"] |= factory
        found["client"] |= client
    calls = (("factory", 'create_app("testing")'), ("client", ".test_client("))
    missing = [said for key, said in calls if not found[key]]
    if missing:
        notes.fail(f"expected the files of tests/ to call {' and '.join(missing)}, found no such call",
                   'make the app with create_app("testing") (in a fixture of tests/conftest.py) and talk to it '
                   "with app.test_client()", expected='create_app("testing") and .test_client(',
                   actual="no " + " and no ".join(missing))
    notes.add('tests/ calls create_app("testing") and .test_client(')


def test_tests_kill_the_mutants(start: Start, grading: Grading, notes: Notes, request: pytest.FixtureRequest) -> None:
    """your tests kill the mutants: each fails on the reference with one rule broken"""
    worth = grading.points_of(request.node)
    if student_tests.kit(levels(grading)) is None:
        notes.worth = 0.0
        notes.fail(f"not run here: this copy of the kit holds no reference club and no mutants (a handout or a CI "
                   f"autograder), so this check is worth 0 here; your instructor's grading runs it, for "
                   f"{worth:g} points", "run python -m pytest tests on your app, and read docs/student/step-16.md "
                   "for what the mutants break", not_run=True)
    if start.own is None:
        no_tests(notes)
    verdict = student_tests.judge(start.own, start.runner, start.first)
    killed, total = len(verdict.killed), len(verdict.mutants)
    notes.add(f"{len(verdict.counted)} of your tests count (they passed on your app and twice on the reference); "
              f"they killed {killed} of the {total} mutants")
    if killed == total:
        return
    notes.earned = verdict.points(worth)
    lines = [f"your tests killed {killed} of the {total} mutants: {notes.earned:g} of {worth:g} points"]
    if verdict.stopped:
        lines.append(f"{verdict.stopped}: mutants not reached are not killed")
    survivors = [each for each in verdict.mutants if not each.killed]
    lines.append("Each mutant that lived breaks a rule your tests never check:")
    lines += [f"  {each.mutant.name} (step {each.mutant.step}): {each.mutant.rule}{reached(each)}"
              for each in survivors]  # every one: what the tests miss is the lesson
    if verdict.not_counted:
        lines.append("Tests that counted for nothing:")
        lines += listed([f"  {test}: {why}{said_on_reference(verdict, test, why)}"
                         for test, why in verdict.not_counted.items()])
    notes.fail("\n".join(lines), "write one small test per rule named above, through the routes and ids the steps "
               "name; a test of your app's own choices fails on the reference and counts for nothing")


def said_on_reference(verdict: student_tests.Verdict, test: str, why: str) -> str:
    """For a test that failed on the reference: ' (test_x.py:12: assert … → AssertionError: …)', what it said there."""
    if "reference" not in why:
        return ""
    for run in verdict.references:
        message = run.messages.get(test) or next(
            (text for module, text in run.broken_modules.items() if test.split("::")[0] == module.split("::")[0]), "")
        if message:
            return f" ({last_line(message)})"
    return ""


def reached(each: student_tests.MutantRun) -> str:
    """' (not reached)' or ' (its run did not finish: …)' where the mutant lived for want of time."""
    if each.run is None:
        return " (not reached: the step's time was up)"
    if not each.run.ended:
        return f" (its run did not finish: {each.run.problem})"
    return ""


def summary(run: PytestRun) -> str:
    """'12 passed, 1 failed, 2 skipped' (with import errors), as pytest sums a run up."""
    counts: dict[str, int] = {}
    for outcome in run.outcomes.values():
        counts[outcome] = counts.get(outcome, 0) + 1
    parts = [f"{counts[outcome]} {outcome}" for outcome in ("passed", "failed", "error", "skipped", "xfailed",
                                                               "xpassed") if outcome in counts]
    if run.broken_modules:
        parts.append(f"{len(run.broken_modules)} module(s) failed to import")
    return ", ".join(parts) or "no test ran"
