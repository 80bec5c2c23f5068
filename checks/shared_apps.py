"""Level 3's shared apps: one app on a fresh copy that some checks of a step share, where the contract lets
them, and what is made on it first for all of them (members registered, profiles stored).

A step module declares each of its shared apps with `share(...)` and hands it to its checks with a
module-scoped fixture calling `shared_app(...)`. All the run's shared apps start as soon as its checks are
collected (checks/conftest.py's pytest_collection_finish), each set up in a thread of its own, so their slow
registrations overlap levels 1 and 2; every level-3 module also imports the `shared_apps` fixture, which starts
them where that hook did not run.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from weakref import WeakKeyDictionary

import pytest

from checks.club import Club, browser
from checks.notes import CheckFailed, Notes
from checks.sandbox.wsgi import RemoteApp


class Shared:
    """One app on a fresh copy that some checks of a step share, where the contract lets them, and what was made
    on it first (members registered, profiles stored) for all of them.

    The contract runs each check on a fresh copy unless it says otherwise: a check that shares says so in its
    log's first line. Sharing saves what level 3 costs most, the app's own slow password hashing, one
    registration and one login at a time. What the setup did (its requests, replayable) opens each sharing
    check's log, and a setup that failed is the failure of each of them. Each check still talks to the app
    in a browser of its own.

    Level 3's setups start together once the run's checks are collected (start_shared), each in a thread of
    its own: their apps hash while the checks before them run, on the grade's other cores.
    """

    def __init__(self, club: Club, why: str, release=None):
        self.club = club  # the setup's conversation, with a log of its own
        self.why = why  # the log's first line: which checks share the app, and what was made on it
        self.release = release  # stops the app and removes its copy (None where the caller owns the app)
        self.made: dict = {}  # what the setup made, by name
        self.failure: CheckFailed | None = None
        self.error: BaseException | None = None  # the checks' own bug, raised again in each sharing check
        self.started = False  # whether the app was started for the sharing checks (and must load first)
        self.thread: threading.Thread | None = None
        self.time_left = lambda: 0.0  # seconds the running check may still wait for the setup
        self.request_timeout = club.request_timeout  # the running check's, for the browsers it hands out

    @classmethod
    def start(cls, grading, step, why: str, **variables: str) -> Shared:
        """A new app on a fresh copy, kept beyond the check that runs (until close()), started with some of its
        variables changed where `variables` says so. Its setup's requests may take the request limit each."""
        sandbox = grading.fresh_sandbox({**grading.env(), **variables} if variables else None, kept=True)
        remote = RemoteApp(sandbox)
        club = Club(browser(remote), remote, Notes(step), grading.password,
                    lambda: min(grading.limits.request_timeout, grading.time_left()),
                    grading.workspace.template_source)
        shared = cls(club, why, lambda: grading.release(sandbox))
        shared.started = True
        shared.time_left = lambda: grading.check_deadline - time.monotonic()
        shared.request_timeout = grading.request_timeout
        return shared

    def run(self, setup) -> Shared:
        """Do `setup(club)` once, keeping what it returns (a dict) or how it failed."""
        self.club.notes.add(self.why)
        try:
            if self.started:
                self.club.ensure_loaded()
            self.made = setup(self.club)
        except CheckFailed as failure:
            self.failure = failure
        except Exception as error:  # noqa: BLE001 - a bug of the checks: each sharing check raises it
            self.error = error
        return self

    def run_in_background(self, setup) -> Shared:
        """Do `setup(club)` in a thread of its own; the first check that asks for the app waits for it."""
        self.thread = threading.Thread(target=self.run, args=(setup,), name="flask-club-level3-setup", daemon=True)
        self.thread.start()
        return self

    def close(self) -> None:
        if self.release is not None:
            self.release()

    def browser(self, notes: Notes) -> Club:
        """A check's own browser on the shared app; its log opens with the setup's requests (or fails as it did)."""
        if self.thread is not None:
            self.thread.join(max(0.0, self.time_left()))
            if self.thread.is_alive():
                notes.fail("not run: the app these checks share was still being set up when this check's time was up",
                           "registering and logging in took too long: look at step 13's first checks")
        notes.lines[:0] = self.club.notes.lines
        notes.replay[:0] = self.club.notes.replay
        if self.error is not None:
            raise self.error
        if self.failure is not None:
            raise self.failure
        club = self.club
        return Club(browser(club.remote), club.remote, notes, club.password, self.request_timeout, club.template)


@dataclass(frozen=True)
class Setup:
    """What the sharing checks of one step module need made on their app: `make(grading)` gives the setup (a
    function of the app's Club, returning what it made); `why` opens their logs; `variables` change the app's;
    `only_for` names the one check it is for, where it is not for every check of the module."""

    why: str
    make: Callable
    variables: dict[str, str]
    only_for: str | None = None


SETUPS: dict[tuple[str, str], Setup] = {}  # by step module's name and the app's (share)
STARTED: WeakKeyDictionary = WeakKeyDictionary()  # a run's Grading -> its shared apps, as SETUPS


def share(module: str, name: str, why: str, make: Callable, only_for: str | None = None, **variables: str) -> None:
    """Declare a shared app of a step module, and its setup (see Shared): it starts with level 3's first check."""
    SETUPS[module, name] = Setup(why, make, variables, only_for)


def start_shared(grading, session: pytest.Session) -> dict[tuple[str, str], Shared]:
    """The run's shared apps, each started (once per run) where its checks are graded, set up in the background."""
    started = STARTED.get(grading)
    if started is None:
        started = STARTED[grading] = {}
        items = {item.module.__name__: item for item in session.items if getattr(item, "module", None)}
        names = {item.name for item in session.items}
        for (module, name), setup in SETUPS.items():
            if module in items and (setup.only_for is None or setup.only_for in names):
                shared = Shared.start(grading, grading.step_of(items[module]), setup.why, **setup.variables)
                started[module, name] = shared.run_in_background(setup.make(grading))
    return started


@pytest.fixture(scope="module", autouse=True)
def shared_apps(request: pytest.FixtureRequest, grading) -> None:
    """Level 3's shared apps, started where the collection hook did not start them (each step module imports it)."""
    start_shared(grading, request.session)


def shared_app(request: pytest.FixtureRequest, grading, name: str) -> Shared:
    """The requesting step module's shared app of that name (see share)."""
    return start_shared(grading, request.session)[request.module.__name__, name]
