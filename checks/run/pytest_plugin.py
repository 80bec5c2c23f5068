"""One grading run as a pytest plugin: the submission, the seed, the app, the results.

Longer than 300 lines, because `Grading` is one plugin: pytest's hooks record each check's result
and stop the apps its fixtures started, and both sides read the same state (the apps started
ahead, the nursery, the deadline); cut in two, each half would reach into the other's.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from checks import rubric, stopping
from checks.data import admin_username, club_password, secret_key
from checks.notes import CheckFailed
from checks.results import CheckResult, Failure, Grade, StepResult
from checks.run.scratch import new_scratch
from checks.run.workspace import Workspace, look_for
from checks.sandbox import bubblewrap
from checks.sandbox.cgroup import Budget
from checks.sandbox.isolation import BUBBLEWRAP, Isolation
from checks.sandbox.limits import Limits, machine_cores
from checks.sandbox.nursery import Nursery
from checks.sandbox.sandbox import Sandbox
from checks.sandbox.text import clean

NOTES = pytest.StashKey["object"]()
SPARES = 2  # level-2 apps started ahead of their checks, where there is no nursery
CONFIRM_SECONDS = "3600"  # level 3's CLUB_CONFIRM_SECONDS, except in step 14's expiry check
NOT_RUN = "not run: grading stopped before this check (see the other checks' messages)"


def check_name(item: pytest.Item) -> str:
    """The check's student-facing sentence: the first line of its docstring."""
    doc = getattr(item, "function", None).__doc__ or item.name
    return doc.strip().splitlines()[0]


def has_line(entry) -> bool:
    """Whether a traceback entry of pytest's knows its line (a frame of code compiled at run time may not)."""
    try:
        return entry.lineno >= 0
    except TypeError:
        return False


def find(config: pytest.Config) -> Grading | None:
    """The run's Grading plugin, if one is registered."""
    return next((plugin for plugin in config.pluginmanager.get_plugins() if isinstance(plugin, Grading)), None)


class Grading:
    """A pytest plugin holding one run's state and recording each check's result."""

    def __init__(
        self,
        workspace: Workspace,
        seed: int,
        limits: Limits | None = None,
        steps: dict[str, rubric.Step] | None = None,
        sandbox: Sandbox | None = None,
        *,
        isolation: Isolation,
        password: str | None = None,
    ):
        self.workspace = workspace
        self.seed = seed
        self.limits = limits or Limits()
        self.isolation = isolation  # how the app runs: decided once, by Options.isolation()
        self.steps = steps or rubric.load(every_step=True)
        # Drawn for this run alone, never from the seed: a seed repeats the data, not the secrets.
        self.password = password or club_password()
        self.secret_key = secret_key()
        self._sandbox = sandbox
        self._fresh: list[Sandbox] = []  # the running check's apps on fresh copies (see fresh_sandbox)
        self._kept: list[Sandbox] = []  # apps that outlive their check, shared by a step's checks (kept=True)
        self._spares: list[Sandbox] = []  # the next checks' apps, importing while this one runs
        self._early: dict[tuple, Sandbox] = {}  # apps of checks marked app_without(...), started at collection
        self._not_loaded: str | None = None  # why app.py did not load on a fresh copy (all copies are alike)
        self._fresh_left = 0  # checks still to come that ask for a fresh copy (level 2)
        self._budget: Budget | None = None  # the submission's, every app's cgroup inside it (see budget)
        self._nursery: Nursery | None = None  # forks level 2's apps, in the sandbox (see nursery.py)
        self._no_nursery = self.isolation.mode != BUBBLEWRAP  # none can be had, or the one there was stopped
        self.results: dict[str, CheckResult] = {}
        self.names: dict[str, str] = {}
        self.locations: dict[str, tuple[str, int]] = {}
        self.durations: dict[str, float] = {}
        self.started = time.monotonic()
        self.interrupted = False  # Ctrl-C or SIGTERM stopped the run: its results are no grade
        self.check_deadline = self.started + self.limits.check_timeout

    # -- the app ----------------------------------------------------------
    def budget(self) -> Budget | None:
        """The submission's budget: all its apps together, however many run at once, get the memory one app may
        have, four apps' processes and the run's cores (Limits.cores, 0 for all: each app still gets one), made on
        first use; None where no cgroup can be had."""
        if self._budget is None and os.name == "posix":
            budget = Budget(4 * self.limits.processes + 16, self.limits.memory_mb << 20, oom_group=False,
                            cores=self.limits.cores or machine_cores())
            self._budget = budget if budget.folders and not budget.problem else None
            if self._budget is None:
                budget.remove()
        return self._budget

    def sandbox(self) -> Sandbox:
        """The student's app in its own process, started on first use."""
        if self._sandbox is None:
            self._sandbox = start_sandbox(self.workspace, self.env(), self.limits, isolation=self.isolation,
                                          budget=self.budget())
        return self._sandbox

    def env(self) -> dict[str, str]:
        """The environment variables the contract gives the app: CLUB_PASSWORD and SECRET_KEY, and
        level 3's CLUB_ADMIN (from the seed) and CLUB_CONFIRM_SECONDS; never FLASK_CONFIG."""
        return {
            "CLUB_PASSWORD": self.password,
            "SECRET_KEY": self.secret_key,
            "CLUB_ADMIN": admin_username(self.seed),
            "CLUB_CONFIRM_SECONDS": CONFIRM_SECONDS,
        }

    def env_without(self, *names: str) -> dict[str, str]:
        """The contract's variables less some (extra 7 starts the app without CLUB_PASSWORD)."""
        return {name: value for name, value in self.env().items() if name not in names}

    def fresh_sandbox(self, env: dict[str, str] | None = None, kept: bool = False) -> Sandbox:
        """The app on a fresh copy of the submission, in a process of its own, for the running check alone.

        `env` replaces the contract's variables (extra 7 starts one without CLUB_PASSWORD). The
        process starts importing at once; it is stopped, and its copy removed, when the check ends.
        `kept`: it outlives the check instead, for the next checks of its step (where the contract lets
        them share one), in a sandbox of its own (the nursery's apps end with each check), until release()
        or the run's end.
        """
        if env is None and self._not_loaded is not None:
            # Every fresh copy is the one handed in: where app.py did not load on one, it loads on none.
            sandbox = Sandbox(self.workspace.root, self.env(), self.limits, self._not_loaded, isolation=self.isolation,
                              budget=self.budget())
        elif env is None and self._spares:
            sandbox = self._spares.pop(0)
        elif env is not None and tuple(sorted(env.items())) in self._early:
            sandbox = self._early.pop(tuple(sorted(env.items())))
        elif kept:
            sandbox = start_sandbox(self.workspace, env or self.env(), self.limits, self.workspace.fresh_copy(),
                                    isolation=self.isolation, budget=self.budget())
        else:
            sandbox = self._start_fresh(self.env() if env is None else env)
        if kept:
            self._kept.append(sandbox)
            return sandbox
        self._fresh.append(sandbox)
        if env is None:
            self._fresh_left -= 1
            self._start_spares()
        return sandbox

    def _start_spares(self) -> None:
        """Start the apps of the next level-2 checks now: importing is most of their time, and it overlaps.

        With a nursery, its first process imports Flask once for all of them instead.
        """
        if self._fresh_left and self.nursery() is not None:
            return
        while len(self._spares) < min(SPARES, self._fresh_left):
            self._spares.append(self._start_fresh(self.env()))

    def nursery(self) -> Nursery | None:
        """The nursery that forks level 2's apps, started on first need where the sandbox allows one."""
        if self._nursery is not None and self._nursery.gone:
            self._nursery, self._no_nursery = None, True  # it stopped: each app in a sandbox of its own
        if self._nursery is None and not self._no_nursery:
            if self.workspace.app_source is None or not bubblewrap.can_be_first():
                self._no_nursery = True
                return None
            folder = new_scratch() / "apps"
            try:
                self._nursery = Nursery(folder, self.env(), self.limits, self.isolation, budget=self.budget())
            except OSError:
                self._no_nursery = True
        return self._nursery

    def _start_fresh(self, env: dict[str, str]) -> Sandbox:
        nursery = self.nursery() if env == self.env() else None
        if nursery is not None:  # (where it has stopped, the app gets a sandbox of its own: see Sandbox.start)
            root = self.workspace.fresh_copy(nursery.new_folder())
            return Sandbox(root, env, self.limits, isolation=self.isolation, nursery=nursery, budget=self.budget())
        root = self.workspace.fresh_copy()
        return start_sandbox(self.workspace, env, self.limits, root, isolation=self.isolation, budget=self.budget())

    def end_check(self) -> None:
        """Stop the running check's own apps and remove their copies."""
        fresh, self._fresh = self._fresh, []
        for sandbox in fresh:
            sandbox.kill()
            self.workspace.discard(sandbox.root)
            if self._nursery is not None:
                self._nursery.forget(sandbox.root)
        for sandbox in [*fresh, self._sandbox]:
            if sandbox is not None and sandbox.env == self.env() and lasting(sandbox.load_error):
                self._no_fresh_app(sandbox.load_error)

    def release(self, sandbox: Sandbox) -> None:
        """Stop a kept app (fresh_sandbox(kept=True)) now, and remove its copy."""
        if sandbox in self._kept:
            self._kept.remove(sandbox)
            sandbox.kill()
            self.workspace.discard(sandbox.root)
            if self._nursery is not None:
                self._nursery.forget(sandbox.root)

    def _no_fresh_app(self, error: str) -> None:
        """app.py does not load: the checks still to come say why at once, without starting it again."""
        if self._not_loaded is None:
            self._not_loaded = error
            self._fresh_left = 0
            spares, self._spares = self._spares, []
            for spare in spares:
                spare.kill()
                self.workspace.discard(spare.root)

    def time_left(self) -> float:
        return self.limits.submission_timeout - (time.monotonic() - self.started)

    def start_check(self) -> None:
        """The running check may take check_timeout seconds, and no more than the submission has left."""
        self.check_deadline = time.monotonic() + min(self.limits.check_timeout, self.time_left())

    def request_timeout(self) -> float:
        """How long the next request may take: the request limit, cut to what the check has left."""
        return min(self.limits.request_timeout, self.check_deadline - time.monotonic())

    def close(self) -> None:
        self.end_check()
        for sandbox in list(self._kept):
            self.release(sandbox)
        spares, self._spares = [*self._spares, *self._early.values()], []
        self._early = {}
        for sandbox in spares:
            sandbox.kill()
            self.workspace.discard(sandbox.root)
        if self._sandbox is not None:
            self._sandbox.kill()
        if self._nursery is not None:
            self._nursery.close()
            self._nursery = None
        if self._budget is not None:  # every app in it was stopped above: its cgroups go
            self._budget.remove()
            self._budget = None

    # -- recording --------------------------------------------------------
    def step_of(self, item: pytest.Item) -> rubric.Step:
        step_id = rubric.step_of_module(item.path.name)
        if step_id is None or step_id not in self.steps:
            raise pytest.UsageError(f"{item.nodeid} is not in a step's module")
        return self.steps[step_id]

    def points_of(self, item: pytest.Item) -> float:
        step = self.step_of(item)
        if item.name not in step.points:
            raise pytest.UsageError(f"{item.name} has no points in rubric.toml (step {step.id})")
        return step.points[item.name]

    @pytest.hookimpl(tryfirst=True)
    def pytest_ignore_collect(self, collection_path: Path, config: pytest.Config) -> bool | None:
        """Only the check modules asked for are looked at: pytest would otherwise weigh every other file and
        folder of checks/ (the engine's modules, their caches) as a possible test, a tenth of a level-1 grade."""
        if not hasattr(self, "_asked"):
            self._asked = {Path(arg) for arg in config.args}  # absolute: pytest made them so
        return None if collection_path in self._asked else True

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        order = list(self.steps)
        # Stable: a module keeps its order. A check that waits for time to pass (step 14's expired link, marked
        # runs_last) goes after all the others that share the submission's time, so its wait, counted from its
        # setup, overlaps them; a step with a budget of its own (step 16's OWN_BUDGET) still comes after it,
        # since its minutes must never leave a check of the submission's time "not run".
        items.sort(key=lambda item: (bool(getattr(getattr(item, "module", None), "OWN_BUDGET", None)),
                                     item.get_closest_marker("runs_last") is not None,
                                     order.index(self.step_of(item).id)))
        for item in items:
            self.names[item.name] = check_name(item)
            self.locations[item.name] = (f"checks/{item.path.name}", item.location[1] + 1)
            self.points_of(item)  # every check must be in the rubric
        self._fresh_left = sum(1 for item in items if self.step_of(item).fresh and "club" in item.fixturenames)
        self._start_spares()  # level 2's first apps import while level 1 is graded
        for item in items:
            marker = item.get_closest_marker("app_without")
            if marker is not None:
                env = self.env_without(*marker.args)
                self._early.setdefault(tuple(sorted(env.items())), self._start_fresh(env))
            marker = item.get_closest_marker("app_with")
            if marker is not None:  # level 3: step 14's other CLUB_CONFIRM_SECONDS, its first SECRET_KEY
                env = {**self.env(), **marker.kwargs}
                self._early.setdefault(tuple(sorted(env.items())), self._start_fresh(env))

    def pytest_runtest_teardown(self, item: pytest.Item) -> None:
        self.end_check()

    def pytest_runtest_logfinish(self) -> None:
        stopping.raise_if_requested()  # Ctrl-C or SIGTERM that Python lost in a finalizer: stop here all the same

    @pytest.hookimpl(tryfirst=True)
    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo) -> None:
        self.interrupted = True
        # pytest's terminal reporter then quotes the source of every frame the interrupt went through, and fails
        # (TypeError) on a frame without a line number, such as werkzeug's generated URL builders: only the frame
        # it was raised in is left to quote, where it has a line (the grader shows none of it).
        excinfo.traceback = excinfo.traceback[-1:].filter(has_line)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        outcome = yield
        report = outcome.get_result()
        self.durations[item.name] = self.durations.get(item.name, 0.0) + report.duration
        if report.when == "teardown" or item.name in self.results:
            return
        if report.when == "setup" and report.passed:
            return
        points = self.points_of(item)
        notes = item.stash.get(NOTES, None)
        if notes is not None and notes.worth is not None:
            points = notes.worth  # a check not run in this grade is worth what it says (step 16's, on a handout)
        if report.passed:
            message = "\n".join(notes.lines) if notes is not None else ""
            self.results[item.name] = CheckResult(item.name, check_name(item), True, points, points, message)
        else:
            failure = check_failure(call, self.step_of(item))
            earned = min(max(notes.earned, 0.0), points) if notes is not None and not failure.broken else 0.0
            self.results[item.name] = CheckResult(
                item.name, check_name(item), False, earned, points, failure.text(), failure=failure
            )

    def grade(self, selected: list[str] | None = None) -> Grade:
        """The run's result: every check of the selected steps, in the rubric's order."""
        steps = []
        for step in self.steps.values():
            if selected and step.id not in selected:
                continue
            result = StepResult(step.id, step.title, step.label, step.doc, counted=step.counted)
            for name, points in step.points.items():
                check = self.results.get(name) or CheckResult(
                    name, self.names.get(name, name), False, 0.0, points, NOT_RUN, failure=Failure(NOT_RUN)
                )
                check.hidden = name in step.hidden
                check.file, check.line = self.locations.get(name, (f"checks/{step.module.name}", 0))
                check.duration = round(self.durations.get(name, 0.0), 3)
                result.checks.append(check)
            steps.append(result)
        isolation = self._sandbox.describe() if self._sandbox is not None else self.isolation.label
        return Grade(
            self.workspace.given,
            self.seed,
            steps,
            duration=round(time.monotonic() - self.started, 3),
            isolation=isolation,
        )


def lasting(error: str | None) -> bool:
    """A load error that another start of the same copy would meet again (not a time limit, not a crash)."""
    return bool(error) and "did not finish importing" not in error and "before the app was ready" not in error


def check_failure(call: pytest.CallInfo, step: rubric.Step) -> Failure:
    """Why a check failed, in parts: its own CheckFailed, or the checks' own bug (`broken`)."""
    error = call.excinfo.value if call.excinfo else None
    if isinstance(error, CheckFailed):
        return error.failure
    what = clean(f"{type(error).__name__}: {error}" if error is not None else "unknown error")
    return Failure(
        problem=f"the check itself broke ({what[:300]}): this is a bug in the checks, not in your code",
        hint="please tell your instructor, with the seed",
        doc=step.doc,
        label=step.label,
        broken=True,
    )


def start_sandbox(
    workspace: Workspace, env: dict[str, str], limits: Limits, root=None, isolation: Isolation | None = None,
    budget: Budget | None = None,
) -> Sandbox:
    """Start importing the submission's app in its own process (returns at once).

    `root` is a fresh copy of the submission to run instead of the workspace's own.
    """
    root = workspace.root if root is None else root
    if workspace.app_source is None:
        return Sandbox(root, env, limits, load_error=missing_app(workspace), isolation=isolation, budget=budget)
    return Sandbox(root, env, limits, isolation=isolation, budget=budget)


def missing_app(workspace: Workspace) -> str:
    """Why there is no app to load, and where app.py might be instead."""
    problem = workspace.unreadable.get("app.py")
    if problem:
        return f"app.py counts as missing: {problem}"
    found = look_for(workspace.root, "app.py")
    where = f"; there is one at {found[0]}: app.py must be at the top of the folder you hand in" if found else ""
    return f"there is no app.py in {workspace.given}{where}"
