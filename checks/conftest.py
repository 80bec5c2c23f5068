"""Fixtures of the checks: the student's app, a conversation with it, and check data.

`python -m checks DIR` registers the run's `Grading` plugin before pytest
starts. Run as plain `pytest checks --submission=DIR`, this file makes one (with the `=`: pytest reads
its command line before this file adds --submission, and would take a separate DIR for a folder of tests
to collect, loading a level-3 submission's tests/conftest.py in this process).
"""

from __future__ import annotations

from pathlib import Path

import flask
import pytest

from checks import rubric
from checks.club import Club, browser
from checks.data import Data, new_seed
from checks.notes import Notes
from checks.options import Options
from checks.run.pytest_plugin import NOTES, Grading, find
from checks.run.workspace import TEMPLATE, look_for, prepare
from checks.sandbox.limits import Limits
from checks.sandbox.wsgi import RemoteApp
from checks.shared_apps import start_shared

ROOT = Path(__file__).resolve().parent.parent


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("flask-club", "Flask Club grading")
    group.addoption("--submission", default=str(ROOT / "starter"), help="the submission folder to grade")
    group.addoption("--seed", type=int, default=None, help="repeat a run's random data")
    group.addoption("--request-timeout", type=float, default=Limits.request_timeout, help="seconds per request")


def pytest_configure(config: pytest.Config) -> None:
    # The checks' marks, for a run that reads another configuration than checks/pytest.ini (`pytest checks`).
    config.addinivalue_line("markers", "app_without(*names): the check starts the app without these variables")
    config.addinivalue_line("markers", "app_with(**variables): the check starts the app with these variables")
    config.addinivalue_line("markers", "runs_last: the check waits for time to pass: it runs after the others")
    if find(config) is not None:
        return
    seed = config.getoption("--seed") or new_seed()
    # `pytest checks` is a student checking their own work: where there is no sandbox, process limits do.
    options = Options(seed=seed, limits=Limits(config.getoption("--request-timeout")), own_work=True)
    grading = Grading(prepare(config.getoption("--submission")), seed, options.limits, isolation=options.isolation())
    config.pluginmanager.register(grading)
    config.add_cleanup(grading.close)
    config.add_cleanup(grading.workspace.cleanup)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Level 3's shared apps start as soon as the run knows its checks (their setups register members, slow on
    purpose): they are set up while levels 1 and 2 are graded, on the grade's other cores."""
    grading = find(session.config)
    if grading is not None and not session.config.option.collectonly:
        start_shared(grading, session)


def pytest_report_header(config: pytest.Config) -> str:
    grading = find(config)
    return f"submission: {grading.workspace.given}  seed: {grading.seed} (repeat with --seed {grading.seed})"


@pytest.fixture(scope="session")
def grading(pytestconfig: pytest.Config) -> Grading:
    """This run: the submission, the seed, the limits and the results so far."""
    return find(pytestconfig)


@pytest.fixture(scope="session")
def remote(grading: Grading) -> RemoteApp:
    """A WSGI app that forwards every request to the student's app in its own process."""
    return RemoteApp(grading.sandbox())


@pytest.fixture(scope="session")
def app(remote: RemoteApp) -> flask.Flask:
    """A Flask app whose requests are answered by the student's app (for pytest-flask's `client`)."""
    proxy = flask.Flask("flask_club_proxy")
    proxy.wsgi_app = remote
    return proxy


@pytest.fixture
def step(request: pytest.FixtureRequest, grading: Grading) -> rubric.Step:
    """The step the current check belongs to."""
    return grading.step_of(request.node)


@pytest.fixture
def notes(request: pytest.FixtureRequest, step: rubric.Step) -> Notes:
    """The lines of the current check's message."""
    notes = Notes(step)
    request.node.stash[NOTES] = notes
    return notes


@pytest.fixture(autouse=True)
def _time_left(request: pytest.FixtureRequest, grading: Grading, notes: Notes) -> None:
    """Every check runs only while the submission has time left, but a step's with a budget of its own (step 16)."""
    if grading.time_left() <= 0 and not getattr(request.module, "OWN_BUDGET", None):
        notes.fail(
            f"not run: grading this submission stopped after {grading.limits.submission_timeout:g} s",
            "other checks waited on answers that never came: fix those first",
        )
    grading.start_check()


@pytest.fixture
def data(request: pytest.FixtureRequest, grading: Grading) -> Data:
    """Random values for this check, repeatable with the run's seed."""
    return Data(grading.seed, request.node.name)


@pytest.fixture
def club(request: pytest.FixtureRequest, notes: Notes, grading: Grading, step: rubric.Step) -> Club:
    """A conversation with the student's app; fails the check if app.py did not load.

    Level 2's checks each talk to the app started on a fresh copy of the submission, in a
    browser of their own (a test client whose cookies last for this check alone).
    """
    if step.fresh:
        remote = RemoteApp(grading.fresh_sandbox())
        client = browser(remote)
    else:
        client, remote = request.getfixturevalue("client"), request.getfixturevalue("remote")
    club = Club(client, remote, notes, grading.password, grading.request_timeout, grading.workspace.template_source)
    club.ensure_loaded()
    return club


@pytest.fixture
def template(grading: Grading, notes: Notes) -> str:
    """The source of templates/user.html as submitted; fails the check if there is none."""
    source = grading.workspace.template_source
    if source is not None:
        return source
    problem = grading.workspace.unreadable.get(TEMPLATE.as_posix())
    if problem:
        notes.fail(f"templates/user.html counts as missing: {problem}", cause="template")
    found = [path for path in look_for(grading.workspace.root, "user.html") if path != TEMPLATE.as_posix()]
    if found:
        hint = f"found {found[0]}: Flask looks for templates in a folder named exactly `templates`, next to app.py"
    else:
        hint = "create the folder `templates` next to app.py, and user.html inside it"
    notes.fail("there is no templates/user.html in your submission", hint, cause="template")
