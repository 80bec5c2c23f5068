"""Step 16: a submission's own tests, run on its app, then on the kit's reference and on each of its mutants.

The contract's rules, in order:

1. the tests run on a fresh copy of the submission (the run its first check grades) and, beside it,
   on the reference (solution-level3/ with the student's tests/ in place of its own);
2. those that passed on both run on each mutant (tools/level3_mutants.py), two at a time, then on the
   reference again; a test *counts* if it passed on the student's app and on the reference both times;
   these runs take the tests quickest first (by their time on the reference's first run), so that a
   mutant a quick test kills is done without waiting for the slow ones (a sleep, a restart), and the
   reference's second run takes them in the same order, so a test that needs another order fails there;
3. a mutant is *killed* when its run ends within 30 s with a counted test failed or errored (in setup,
   call or teardown, or its module failing to import).

Only counted tests run on the mutants, so each run stops at its first failure (pytest's -x): any
failure there is a counted one. At most PARALLEL runs go at a time, each with that share of one app's
memory and processes (run_tests' `share`): together they take no more than one app may. A test that
stops counting on the second run of the reference (a flaky one) is taken out, and a mutant it alone
had killed is run again without it, while time lasts.
The whole step stops after STEP_SECONDS; mutants not reached by then are not killed.

Where the reference and mutants are not there (a student's handout, a CI autograder), `kit()` is
None and the third check is not run.

How long the step can take (a class run gives it STEP_SECONDS on top of the submission's time and a
minute, checks/run/workers.py), and where it can go over:

- the student's own run starts with the step and has RUN_SECONDS, whatever is left;
- every other run has RUN_SECONDS or what is left of STEP_SECONDS, whichever is less, and none starts
  with 1 s or less left: all of them end by the deadline;
- past it, a run may take 2 s more for its results to be read, process.stop's 20 s (10 s for pytest
  to die, 10 s for the sandbox's first process) and 2 s for each of its two readers: 26 s at most, for
  the runs going at the time (at most PARALLEL, stopped side by side), and then each copy's removal;
- not limited in time: making the copies (bounded in size by the submission's copy, MAX_COPY) and the
  second check's reading of tests/ (256 KiB of each .py file, parsed), which takes from the deadline.

So the step ends within STEP_SECONDS + 26 s + its copies' I/O: within the class run's minute.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from checks.run.scratch import new_scratch
from checks.run.tree import remove_tree
from checks.run.workspace import copy_submission
from checks.sandbox.cgroup import Budget
from checks.sandbox.isolation import Isolation
from checks.sandbox.limits import Limits
from checks.sandbox.pytest_run import RUN_SECONDS, PytestRun, run_tests

KIT = Path(__file__).resolve().parent.parent.parent
REFERENCE = KIT / "solution-level3"
MUTANTS = KIT / "tools" / "level3_mutants.py"
STEP_SECONDS = 300.0  # the contract: the step stops after 5 minutes
PARALLEL = 2  # mutants run at a time
LEFT_OUT = ("tests", "instance", "__pycache__", ".pytest_cache")  # what of the reference a copy leaves out


@dataclass(frozen=True)
class Kit:
    """The reference and its mutants (tools/level3_mutants.py's Mutant objects), where the kit has them."""

    reference: Path
    mutants: tuple


def kit(levels: set[int]) -> Kit | None:
    """The reference and the mutants of these levels, or None where the kit holds no reference (a handout)."""
    if not (REFERENCE / "app.py").is_file() or not MUTANTS.is_file():
        return None
    name = "flask_club_level3_mutants"
    module = sys.modules.get(name)
    if module is None:
        spec = importlib.util.spec_from_file_location(name, MUTANTS)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up by name
        spec.loader.exec_module(module)
    return Kit(REFERENCE, tuple(module.for_levels(levels)))


@dataclass
class MutantRun:
    """One mutant's fate: killed or not, by which counted test, or why it was not reached."""

    mutant: object
    run: PytestRun | None = None
    killers: list[str] = field(default_factory=list)  # the counted tests that failed or errored on it

    @property
    def killed(self) -> bool:
        return self.run is not None and self.run.ended and bool(self.killers)


@dataclass
class Verdict:
    """What step 16's third check grades: the counted tests, and each mutant's fate."""

    own: PytestRun
    references: list[PytestRun] = field(default_factory=list)
    counted: list[str] = field(default_factory=list)
    mutants: list[MutantRun] = field(default_factory=list)
    not_counted: dict[str, str] = field(default_factory=dict)  # test -> why it counts for nothing
    stopped: str = ""  # why the step stopped before every mutant was reached

    @property
    def killed(self) -> list[MutantRun]:
        return [each for each in self.mutants if each.killed]

    def points(self, worth: float) -> float:
        """⌊worth × killed ÷ mutants⌋, the contract's formula (14 points by default)."""
        if not self.mutants:
            return 0.0
        return float(int(worth * len(self.killed) // len(self.mutants)))


def failed_tests(run: PytestRun, tests: list[str]) -> list[str]:
    """Those of `tests` that failed or errored in the run, their module failing to import included."""
    failed = set(run.with_outcome("failed", "error"))
    for module in run.broken_modules:
        failed |= {test for test in tests if test.split("::")[0] == module.split("::")[0]}
    return [test for test in tests if test in failed]


def reference_copy(reference: Path, tests: Path, mutant=None) -> Path:
    """The reference (with a mutant's one edit) and the submission's tests/ in place of its own, in a new folder.

    Every copy is named `submission`, as the student's own: the runs differ in the edit alone.
    """
    root = new_scratch("step16-") / "submission"
    shutil.copytree(reference, root, ignore=shutil.ignore_patterns(*LEFT_OUT))
    if mutant is not None:
        path = root / mutant.file
        text = path.read_text(encoding="utf-8")
        if text.count(mutant.find) != 1:  # tools/level3_mutants.py's own test keeps this from happening
            raise ValueError(f"mutant {mutant.name}: its text is not once in {mutant.file}")
        path.write_text(text.replace(mutant.find, mutant.replace), encoding="utf-8")
    copy_submission(tests, root / "tests")
    return root


class Runner:
    """Runs the submission's tests on copies, each removed after its run, within the step's time."""

    def __init__(self, tests: Path, env: dict[str, str], limits: Limits, isolation: Isolation,
                 deadline: float, kit: Kit, budget: Budget | None = None):
        self.kit = kit
        self.budget = budget  # the submission's (see the Grading plugin): every run's cgroup is made inside it
        self.tests = tests
        self.env = env
        self.limits = limits
        self.isolation = isolation
        self.deadline = deadline

    def time_left(self) -> float:
        return self.deadline - time.monotonic()

    def run(self, reference: Path, mutant=None, selected: list[str] | None = None, exitfirst: bool = False,
            order: list[str] | None = None) -> PytestRun | None:
        """One run on the reference (or a mutant of it); None when the step has no time left for it."""
        seconds = min(RUN_SECONDS, self.time_left())
        if seconds <= 1:
            return None
        root = reference_copy(reference, self.tests, mutant)
        try:
            run = run_tests(root, self.env, self.limits, self.isolation, selected, exitfirst, seconds, order,
                            PARALLEL, within=self.budget)
        finally:
            remove_tree(root.parent)
        if not run.ended and seconds < RUN_SECONDS:
            run.problem = f"the step's {STEP_SECONDS:g} s were up"
        return run


def judge(own: PytestRun, runner: Runner, first: PytestRun | None = None) -> Verdict:
    """Run the tests that passed on the student's app on the reference and its mutants (see the module's rules).

    `first` is the reference's first run where it was made already (of every test, beside the student's own run).
    """
    the_kit = runner.kit
    verdict = Verdict(own)
    passed = own.with_outcome("passed")
    for test, outcome in own.outcomes.items():
        if outcome != "passed":
            verdict.not_counted[test] = f"{outcome} on your app"
    if not passed:
        verdict.mutants = [MutantRun(mutant) for mutant in the_kit.mutants]
        return verdict
    first = first or runner.run(the_kit.reference, selected=passed)
    if first is None:
        verdict.stopped = "no time was left to run the reference"
        verdict.mutants = [MutantRun(mutant) for mutant in the_kit.mutants]
        return verdict
    verdict.references.append(first)
    counted = [test for test in passed if first.outcomes.get(test) == "passed"]
    for test in passed:
        if test not in counted:
            verdict.not_counted[test] = not_passed(first, test, "on the reference")
    if not counted:
        verdict.mutants = [MutantRun(mutant) for mutant in the_kit.mutants]
        return verdict

    order = quickest_first(counted, first)

    def on(mutant) -> MutantRun:
        run = runner.run(the_kit.reference, mutant, counted, exitfirst=True, order=order)
        return MutantRun(mutant, run, failed_tests(run, counted) if run is not None else [])

    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        verdict.mutants = list(pool.map(on, the_kit.mutants))
    second = runner.run(the_kit.reference, selected=counted, order=order)
    if second is not None:
        verdict.references.append(second)
        for test in counted:
            if second.outcomes.get(test) != "passed":
                verdict.not_counted[test] = not_passed(second, test, "on the reference's second run")
        counted = [test for test in counted if second.outcomes.get(test) == "passed"]
    else:
        verdict.stopped = "no time was left to run the reference a second time"
        counted = []
    verdict.counted = counted
    for index, each in enumerate(verdict.mutants):
        each.killers = [test for test in each.killers if test in counted]
        failed = each.run is not None and (each.run.with_outcome("failed", "error") or each.run.broken_modules)
        if failed and each.run.ended and not each.killers and counted:
            again = runner.run(the_kit.reference, each.mutant, counted, exitfirst=True, order=order)  # a flaky killer
            if again is not None:
                verdict.mutants[index] = MutantRun(each.mutant, again, failed_tests(again, counted))
    if any(each.run is None for each in verdict.mutants) and not verdict.stopped:
        verdict.stopped = f"the step stopped after {STEP_SECONDS:g} s"
    return verdict


def quickest_first(tests: list[str], run: PytestRun) -> list[str]:
    """The tests by the time each took in `run`, quickest first (ties, and tests it did not time, as they were)."""
    return sorted(tests, key=lambda test: run.durations.get(test, 0.0))


def not_passed(run: PytestRun, test: str, where: str) -> str:
    """Why a test counts for nothing: how it ended in that run."""
    outcome = run.outcomes.get(test)
    if outcome is None:
        module = next((message for module, message in run.broken_modules.items()
                       if test.split("::")[0] == module.split("::")[0]), None)
        if module is not None:
            return f"its module failed to import {where}"
        return f"did not run {where}" + (f" ({run.problem})" if run.problem else "")
    return f"{outcome} {where}"


def own_run(copy: Path, env: dict[str, str], limits: Limits, isolation: Isolation) -> PytestRun:
    """The tests on a fresh copy of the submission (removed afterwards), as the first check grades them."""
    try:
        return run_tests(copy, env, limits, isolation, share=PARALLEL)
    finally:
        remove_tree(copy.parent)
