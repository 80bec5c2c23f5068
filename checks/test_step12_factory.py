"""Step 12: an application factory, configuration classes and blueprints; the testing app's data kept apart."""

from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path

from checks import accounts
from checks.accounts import on_app
from checks.club import Club
from checks.data import Data, Profile
from checks.members import store
from checks.notes import CheckFailed, Notes
from checks.reply import show
from checks.run.pytest_plugin import Grading
from checks.shared_apps import shared_apps  # noqa: F401 - level 3's shared apps start with its first check

CALLS = ("create_app()", 'create_app("default")', 'create_app("testing")')
FACTORY_HINT = (
    "app.py holds `from club import create_app`, and create_app(config_name=\"default\") makes a new "
    "Flask(__name__) each time it is called, configured with app.config.from_object(config[config_name])"
)
APART_HINT = (
    "the testing config must keep its data elsewhere than the default's: give TestingConfig a database of its "
    "own (a temporary file, or SQLite's \":memory:\" kept open), never the default's instance/ file"
)
MEMORY_HINT = (
    'on the testing app, your tables are missing: an SQLite ":memory:" database lives in one connection, and a '
    "new connection (one per request) finds none of the tables create_app() made; give TestingConfig a file of "
    "its own in the instance folder (docs/student/troubleshooting.md#the-testing-app-forgets-what-it-stored)"
)
READ_LIMIT = 256 << 10  # what the check reads of one .py file
MOST_FILES = 500


def made_apps(club: Club) -> dict[str, dict]:
    """What the app's process says of create_app(), create_app("default") and create_app("testing")."""
    return accounts.made_apps(club, FACTORY_HINT)


def expect_made(club: Club, report: dict[str, dict], call: str) -> dict:
    """The report of one call; fail the check with what it raised or returned if it made no app."""
    said = report.get(call)
    if said is None:
        club.fail(f"{call} made no app", FACTORY_HINT)
    if said["error"]:
        hint = FACTORY_HINT
        if "KeyError" in said["error"]:
            hint = 'create_app looks its name up in a dict of configs: give it the keys "default" and "testing"'
        elif "TypeError" in said["error"]:
            hint = 'create_app takes a config name, "default" when none is given: def create_app(config_name="default")'
        club.fail(said["error"], hint)
    return said


def test_factory_makes_new_apps(club: Club) -> None:
    """create_app(), create_app("default") and create_app("testing") each return a new Flask app"""
    report = made_apps(club)
    for call in CALLS:
        said = expect_made(club, report, call)
        if not said["new"]:
            club.fail(
                f"{call} returned an app made before (the same object as another call's, or as the app loaded)",
                "make the app inside create_app: app = Flask(__name__) in its body, never at the top of a module",
            )


def test_testing_config_sets_testing(club: Club) -> None:
    """TESTING is True on create_app("testing")'s app, and false on the default's"""
    report = made_apps(club)
    testing = expect_made(club, report, 'create_app("testing")')
    if not testing["testing"]:
        club.fail(
            f'expected app.config["TESTING"] to be True on create_app("testing")\'s app, got {testing["shown"]}',
            "class TestingConfig(Config): TESTING = True, and config = {\"testing\": TestingConfig, …}",
            expected="True",
            actual=testing["shown"],
        )
    for call in ("create_app()", 'create_app("default")'):
        said = expect_made(club, report, call)
        if said["testing"]:
            club.fail(
                f'expected app.config["TESTING"] to be false on {call}\'s app, got {said["shown"]}',
                "only TestingConfig sets TESTING = True: the default config (and the base Config) leave it out",
                expected="False",
                actual=said["shown"],
            )


def test_routes_come_from_blueprints(club: Club) -> None:
    """every route of create_app()'s app comes from one of its blueprints"""
    said = expect_made(club, made_apps(club), "create_app()")
    own = [(rule, endpoint) for rule, endpoint in said["rules"] if endpoint != "static"]
    if not own:
        club.fail("create_app()'s app has no URL rule besides Flask's own static", FACTORY_HINT)
    blueprints = set(said["blueprints"])
    for rule, endpoint in own:
        if endpoint.rpartition(".")[0] not in blueprints:
            club.fail(
                f"the route {rule} has the endpoint {show(endpoint)}, which no blueprint of the app makes "
                f"(its blueprints: {', '.join(sorted(blueprints)) or 'none'})",
                "define every view on a Blueprint (main = Blueprint(\"main\", __name__); @main.route(...)) and "
                "register it in create_app with app.register_blueprint(main), not on the app itself",
            )


def python_sources(root: Path) -> dict[str, str]:
    """The submission's .py files outside tests/, read from its copy (links not followed)."""
    found: dict[str, str] = {}
    for top, folders, names in os.walk(root):
        folders[:] = sorted(
            name for name in folders if name not in ("tests", "__pycache__") and not (Path(top) / name).is_symlink()
        )
        for name in sorted(names):
            path = Path(top) / name
            if name.endswith(".py") and not path.is_symlink() and path.is_file():
                try:
                    with open(path, encoding="utf-8", errors="replace") as file:
                        found[path.relative_to(root).as_posix()] = file.read(READ_LIMIT)
                except OSError:
                    continue
            if len(found) >= MOST_FILES:
                return found
    return found


CLASS = re.compile(r"^class\s+(\w*Config)\b[^:]*:(.*?)(?=^\S|\Z)", re.MULTILINE | re.DOTALL)


def test_config_classes_in_code(grading: Grading, notes: Notes) -> None:
    """the code defines Config classes, one setting TESTING = True, and uses .config.from_object("""
    sources = python_sources(grading.workspace.pristine or grading.workspace.root)
    classes = {match[1]: match[2] for text in sources.values() for match in CLASS.finditer(text)}
    notes.add(f"read {len(sources)} .py file(s) outside tests/: classes named …Config: {', '.join(classes) or 'none'}")
    if len(classes) < 2:
        notes.fail(
            f"expected at least two classes whose names end in Config, found {len(classes)}",
            "in config.py: class Config (what every config shares), class DevelopmentConfig(Config) and "
            "class TestingConfig(Config), as in Flask Web Development's Flasky (docs/student/step-12.md)",
        )
    if not any(re.search(r"^\s+TESTING\s*=\s*True\b", body, re.MULTILINE) for body in classes.values()):
        notes.fail(
            "none of the …Config classes sets TESTING = True in its body",
            "class TestingConfig(Config): TESTING = True",
        )
    if not any(".config.from_object(" in text for text in sources.values()):
        notes.fail(
            "no .py file calls .config.from_object(",
            "in create_app: app.config.from_object(config[config_name])",
        )


def shown(reply, profile: Profile) -> bool:
    """Step 5's "shown": 200 with the profile's three values."""
    return reply.status_code == 200 and all(reply.shows(name, getattr(profile, name))[0] for name in profile.fields())


def test_testing_data_is_kept_apart(club: Club, data: Data) -> None:
    """a profile stored on the testing app is not shown by the default app, nor the other way round"""
    made_apps(club)
    testing, default = on_app(club, "testing"), on_app(club, "default")
    first, second = data.profile(), data.profile()
    for where, here, there, profile in (("testing", testing, default, first), ("default", default, testing, second)):
        club.notes.add(f'on create_app("{where}")\'s app:')
        try:
            store(here, profile)
        except CheckFailed as failed:  # step 2's hint, and the testing database's likely cause where it is one
            if where == "testing" and "no such table" in failed.failure.problem:
                raise CheckFailed(replace(failed.failure, hint=f"{failed.failure.hint}; {MEMORY_HINT}")) from None
            raise
        reply = here.profile_page(profile.username)
        if not shown(reply, profile):
            here.expect_profile(reply, profile, "this check reads a profile back on the app that stored it (step 5)")
        other = "default" if where == "testing" else "testing"
        club.notes.add(f'on create_app("{other}")\'s app:')
        if shown(there.profile_page(profile.username), profile):
            club.fail(
                f'a profile stored with POST /user/ on create_app("{where}")\'s app is shown by '
                f'create_app("{other}")\'s app: the two share their data',
                APART_HINT,
                expected="not shown (404)",
                actual="200 with the profile's values",
            )
