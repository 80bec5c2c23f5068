"""Level 3's checks (steps 12 to 16) one at a time, against small apps and stand-ins in this process.

The samples grade whole apps end to end, slowly (each registers members with a salted hash);
these drive one check, or one of its helpers, against a few lines of Flask behind the stand-in
for the sandbox (tests/test_level2_checks.py's club_of), so that each branch is seen to fail with
its own message and hint, word for word, in a second. `make mutation` runs these first against
level 3's step modules, stopping at the first failure: step 16's tests, which need no app and take
a second together, come first, then steps 12, 15, 13 and 14 (and the shared apps' setups).
"""

from __future__ import annotations

import base64
import hashlib
import types
import warnings
from pathlib import Path

import flask
import markupsafe
import pytest
from itsdangerous import BadSignature, URLSafeTimedSerializer
from test_level2_checks import PASSWORD, Remote, club_of, failure, step

from checks import accounts, shared_apps
from checks import test_step12_factory as step12
from checks import test_step13_register as step13
from checks import test_step15_admin as step15
from checks.club import Club, browser
from checks.data import Data, Profile, admin_username
from checks.notes import CheckFailed, Notes
from checks.reply import Reply, show
from checks.run import student_tests
from checks.sandbox.pytest_run import PytestRun

with warnings.catch_warnings():  # its marks are the grader's (checks/pytest.ini), unknown to the kit's tests
    warnings.simplefilter("ignore", pytest.PytestUnknownMarkWarning)
    from checks import test_step14_confirm as step14
    from checks import test_step16_tests as step16

# The hints and values the checks give, word for word: a test comparing with the module's own constant would
# not notice that constant changed.
STEP12_APART_HINT = (
    "the testing config must keep its data elsewhere than the default's: give TestingConfig a database "
    'of its own (a temporary file, or SQLite\'s ":memory:" kept open), never the default\'s instance/ file'
)
STEP12_FACTORY_HINT = (
    'app.py holds `from club import create_app`, and create_app(config_name="default") makes a new '
    'Flask(__name__) each time it is called, configured with app.config.from_object(config[config_name])'
)
STEP13_CLUB_PASSWORD_HINT = (
    'a registered member logs in with their own password only: look the account up first, and let the '
    'club password in only for usernames never registered'
)
STEP13_CSRF_HINT = (
    'your /register form carries a csrf_token, and Flask-WTF refuses (400) a POST without one; the '
    "checks, like curl, send none: set WTF_CSRF_ENABLED = False in config.py's Config "
    '(docs/student/step-13.md)'
)
STEP13_FORM_HINT = (
    '<form method="post"> with <input name="username">, <input name="password" type="password"> and '
    '<input name="password2" type="password">'
)
STEP14_CONFIRMED_HINT = (
    'show the account\'s state on the profile page: <span id="confirmed">{{ "yes" if account.confirmed '
    'else "no" }}</span>, for a registered member'
)
STEP14_EXPIRED_HINT = (
    'read how long a link works from CLUB_CONFIRM_SECONDS (int(os.environ.get("CLUB_CONFIRM_SECONDS", '
    '3600))) and pass it to loads(token, max_age=…): SignatureExpired means the link is too old'
)
STEP14_FIRST_KEY = (
    'step 14 starts the app with this key, then restarts it with a random one'
)
STEP14_SIGNED_HINT = (
    'make the token with URLSafeTimedSerializer(app.config["SECRET_KEY"], '
    'salt="confirm").dumps({"confirm": username}), and check it with .loads(token, max_age=…): only a '
    "token signed with the app's key, for the member logged in, confirms"
)
STEP15_ADMIN_ONLY_HINT = (
    'check the role of the member logged in before anything else: abort(403) unless they are the '
    'administrator'
)
STEP15_EDITOR_HINT = (
    'add /edit-profile/<username> (GET and POST) for the administrator: a <form method="post"> with '
    '<input name="food" value="…"> and <textarea name="message">…</textarea> holding that member\'s values'
)
STEP15_LOGIN_FIRST_HINT = (
    'when no one is logged in, return redirect(url_for("auth.login", next=request.path)) (or abort(401))'
)
STEP15_NO_EDITOR_HINT = (
    'there is no route for /edit-profile/<username>: add one (GET and POST) on a blueprint'
)
STEP15_REDIRECT_403_HINT = (
    'the member is logged in, they just may not edit others: answer abort(403), not a redirect'
)
STEP15_ROLE_HINT = (
    'store the role when a member registers ("admin" when the username is os.environ["CLUB_ADMIN"], else '
    '"member") and show it on their profile page: <span id="role">{{ account.role }}</span>'
)

STEP16_TESTS_HINT = (
    'write tests/test_*.py files whose tests call create_app("testing") and its test_client(), as '
    "docs/student/step-16.md shows; run them with python -m pytest tests"
)


# -- step 16: the club's own tests ---------------------------------------------------------------------
def run_of(outcomes: dict[str, str] | None = None, ended: bool = True, **fields) -> PytestRun:
    return PytestRun(outcomes=dict(outcomes or {}), ended=ended, **fields)


PASSING = {f"tests/test_club.py::test_{index}": "passed" for index in range(3)}


def test_three_tests_passing_and_none_failing_pass_and_say_so():
    notes = Notes(step("16"))
    step16.test_tests_pass_on_your_app(run_of({**PASSING, "tests/test_club.py::test_s": "skipped"}), notes)
    assert notes.lines == ["python -m pytest tests on a fresh copy of your folder → 3 passed, 1 skipped"]


def test_no_tests_folder_is_named():
    found = failure(step16.test_tests_pass_on_your_app, None, Notes(step("16")))
    assert found.problem == "there is no tests/ folder beside app.py"
    assert found.hint == STEP16_TESTS_HINT


@pytest.mark.parametrize(("problem", "said"), [("timed out after 60 s", "timed out after 60 s"),
                                               ("", "pytest stopped early")])
def test_tests_that_did_not_finish_are_named(problem, said):
    found = failure(step16.test_tests_pass_on_your_app, run_of(PASSING, ended=False, problem=problem),
                    Notes(step("16")))
    assert found.problem == f"your tests did not finish: {said}"
    assert found.hint == (f"a run has {step16.RUN_SECONDS:g} s: look for a loop or a long sleep in tests/, or an app "
                          "that never answers")


def test_failing_erroring_and_broken_tests_are_listed_with_what_they_said():
    run = run_of({**PASSING, "tests/t.py::test_f": "failed", "tests/t.py::test_e": "error",
                  "tests/t.py::test_x": "xfailed"},
                 messages={"tests/t.py::test_f": "E   assert 1 == 2", "tests/t.py::test_e": "boom"},
                 broken_modules={"tests/test_db.py": "E   ImportError: no db"})
    found = failure(step16.test_tests_pass_on_your_app, run, Notes(step("16")))
    assert found.problem == ("3 of your tests failed or errored on your own app:\n"
                             "  tests/t.py::test_f: assert 1 == 2\n"
                             "  tests/t.py::test_e: boom\n"
                             "  tests/test_db.py: ImportError: no db")
    assert found.hint == ("run python -m pytest tests on your app: a test that fails on it counts for nothing; fix the "
                          "app or the test")


def test_at_most_twelve_failing_tests_are_listed_and_the_rest_counted():
    failing = {f"tests/t.py::test_{index:02}": "failed" for index in range(14)}
    found = failure(step16.test_tests_pass_on_your_app, run_of(failing), Notes(step("16")))
    lines = found.problem.splitlines()
    assert lines[0] == "14 of your tests failed or errored on your own app:"
    assert lines[1:] == [f"  tests/t.py::test_{index:02}: " for index in range(12)] + ["  … and 2 more"]
    assert step16.listed(["a"] * 12) == ["a"] * 12
    assert step16.listed(["a"] * 13) == ["a"] * 12 + ["  … and 1 more"]


@pytest.mark.parametrize("passed", [0, 2])
def test_fewer_than_three_tests_passing_is_named(passed):
    run = run_of(dict(list(PASSING.items())[:passed]))
    found = failure(step16.test_tests_pass_on_your_app, run, Notes(step("16")))
    assert found.problem == f"expected 3 or more tests to pass, but {passed} passed"
    assert found.hint == STEP16_TESTS_HINT
    assert (found.expected, found.actual) == ("3 or more passed", f"{passed} passed")


@pytest.mark.parametrize(
    ("outcomes", "broken", "said"),
    [
        ({}, {}, "no test ran"),
        ({"a": "xpassed", "b": "failed", "c": "passed", "d": "error", "e": "passed", "f": "skipped", "g": "xfailed"},
         {}, "2 passed, 1 failed, 1 error, 1 skipped, 1 xfailed, 1 xpassed"),
        ({"a": "passed"}, {"tests/x.py": "E"}, "1 passed, 1 module(s) failed to import"),
        ({}, {"tests/x.py": "E", "tests/y.py": "E"}, "2 module(s) failed to import"),
    ],
)
def test_a_run_is_summed_up_as_pytest_does(outcomes, broken, said):
    assert step16.summary(run_of(outcomes, broken_modules=broken)) == said


def grading16(tmp_path: Path, pristine: bool = True, level2: bool = False, worth: float = 14.0):
    steps = {"9": types.SimpleNamespace(on=level2, level=2), "12": types.SimpleNamespace(on=True, level=3)}
    workspace = types.SimpleNamespace(pristine=tmp_path if pristine else None, root=tmp_path)
    return types.SimpleNamespace(workspace=workspace, steps=steps, points_of=lambda node: worth)


def test_the_tests_folder_is_the_handed_in_one_never_a_link(tmp_path):
    given, copy = tmp_path / "given", tmp_path / "copy"
    (given / "tests").mkdir(parents=True)
    copy.mkdir()
    assert step16.submitted_tests(grading16(given)) == given / "tests"
    grading = grading16(copy)
    grading.workspace.pristine = given
    assert step16.submitted_tests(grading) == given / "tests"
    assert step16.submitted_tests(grading16(copy)) is None
    (copy / "tests").symlink_to(given / "tests")
    assert step16.submitted_tests(grading16(copy)) is None
    (copy / "tests").unlink()
    (copy / "tests").write_text("a file")
    assert step16.submitted_tests(grading16(copy)) is None


def test_the_mutants_counted_are_level_1_and_3_and_2_where_graded(tmp_path):
    assert step16.levels(grading16(tmp_path)) == {1, 3}
    assert step16.levels(grading16(tmp_path, level2=True)) == {1, 2, 3}
    grading = grading16(tmp_path)
    grading.steps["9"] = types.SimpleNamespace(on=True, level=3)
    grading.steps["13"] = types.SimpleNamespace(on=False, level=2)
    assert step16.levels(grading) == {1, 3}


USES = 'from club import create_app\n\n\ndef test_x():\n    create_app("testing").test_client().get("/")\n'


@pytest.mark.parametrize(
    ("files", "missing"),
    [
        ({"test_a.py": USES}, None),
        ({"test_a.py": "create_app('testing')\n", "sub/conftest.py": "app.test_client()\n"}, None),
        ({"test_a.py": "create_app('testing')\n", "test_b.py": "app.test_client()\n"}, None),
        ({"test_a.py": "create_app()\napp.test_client()\n"}, 'create_app("testing")'),
        ({"test_a.py": 'create_app("testing")\n'}, ".test_client("),
        ({"test_a.py": "pass\n", "notes.txt": USES}, 'create_app("testing") and .test_client('),
    ],
)
def test_the_calls_are_looked_for_in_every_py_file_of_tests(tmp_path, files, missing):
    write(tmp_path / "tests", files)
    notes = Notes(step("16"))
    if missing is None:
        step16.test_tests_use_the_test_client(grading16(tmp_path), notes)
        assert notes.lines == ['tests/ calls create_app("testing") and .test_client(']
        return
    found = failure(step16.test_tests_use_the_test_client, grading16(tmp_path), notes)
    assert found.problem == f"expected the files of tests/ to call {missing}, found no such call"
    assert found.hint == ('make the app with create_app("testing") (in a fixture of tests/conftest.py) and talk to it '
                          "with app.test_client()")
    assert found.expected == 'create_app("testing") and .test_client('
    assert found.actual == "no " + missing.replace(" and ", " and no ")


def test_the_calls_are_not_read_through_a_link_nor_past_256_kib(tmp_path):
    outside = tmp_path / "outside"
    write(outside, {"uses.py": USES})
    write(tmp_path / "given" / "tests", {"test_a.py": "pass\n"})
    (tmp_path / "given" / "tests" / "test_link.py").symlink_to(outside / "uses.py")
    (tmp_path / "given" / "tests" / "folder.py").mkdir()
    grading = grading16(tmp_path / "given")
    failure(step16.test_tests_use_the_test_client, grading, Notes(step("16")))
    write(tmp_path / "given" / "tests", {"test_b.py": "#" * (256 << 10) + "\n" + USES})
    failure(step16.test_tests_use_the_test_client, grading, Notes(step("16")))
    write(tmp_path / "given" / "tests", {"test_b.py": "#" * ((256 << 10) - len(USES) - 1) + "\n" + USES})
    step16.test_tests_use_the_test_client(grading, Notes(step("16")))
    write(tmp_path / "given" / "tests", {"test_b.py": b"\xff".decode("latin-1") + USES})
    step16.test_tests_use_the_test_client(grading, Notes(step("16")))


def test_the_second_check_without_a_tests_folder_is_named(tmp_path):
    found = failure(step16.test_tests_use_the_test_client, grading16(tmp_path), Notes(step("16")))
    assert found.problem == "there is no tests/ folder beside app.py"
    assert found.hint == STEP16_TESTS_HINT


def mutant(name: str, step_id: str = "5", rule: str = "a rule") -> types.SimpleNamespace:
    return types.SimpleNamespace(name=name, step=step_id, rule=rule)


def verdict_of(killed: int, total: int, **fields) -> student_tests.Verdict:
    own = run_of(PASSING)
    verdict = student_tests.Verdict(own, counted=list(PASSING), **fields)
    for index in range(total):
        run = run_of({"tests/test_club.py::test_0": "failed" if index < killed else "passed"})
        verdict.mutants.append(student_tests.MutantRun(mutant(f"m{index}", rule=f"rule {index}"), run,
                                                       ["tests/test_club.py::test_0"] if index < killed else []))
    return verdict


def kill_check(monkeypatch, tmp_path, verdict, worth: float = 14.0, kit: bool = True):
    """The third check's failure (None if it passed) and its notes, `verdict` being what judge gives."""
    asked = []
    monkeypatch.setattr(student_tests, "kit", lambda levels: asked.append(levels) or (object() if kit else None))
    monkeypatch.setattr(student_tests, "judge",
                        lambda own, runner, first: asked.append((own, runner, first)) or verdict)
    start = step16.Start(own=verdict.own if verdict else None, runner="runner", first="first")
    notes = Notes(step("16"))
    try:
        step16.test_tests_kill_the_mutants(start, grading16(tmp_path, worth=worth), notes,
                                            types.SimpleNamespace(node="the check"))
    except CheckFailed as failed:
        return failed.failure, notes, asked
    return None, notes, asked


def test_what_a_test_said_on_the_reference_is_read_from_its_runs_or_its_modules(monkeypatch):
    verdict = verdict_of(0, 0)
    verdict.references = [run_of({}, messages={"tests/a.py::test_other": "E   nope"}),
                          run_of({}, broken_modules={"tests/b.py": "E   ImportError: x"},
                                 messages={"tests/a.py::test_x": "E   second run"})]
    said = step16.said_on_reference
    assert said(verdict, "tests/a.py::test_x", "failed on the reference's second run") == " (second run)"
    assert said(verdict, "tests/b.py::test_y", "its module failed to import on the reference") == " (ImportError: x)"
    assert said(verdict, "tests/a.py::test_x", "failed on your app") == ""
    assert said(verdict, "tests/c.py::test_z", "failed on the reference") == ""


def test_the_first_fixtures_run_the_tests_on_a_copy_and_beside_it_on_the_reference(monkeypatch, tmp_path):
    (tmp_path / "tests").mkdir()
    made, asked = [], []

    class Runner:
        def __init__(self, folder, env, limits, isolation, deadline, the_kit, budget):
            made.append((folder, env, limits, isolation, the_kit, budget))
            self.deadline = deadline

        def run(self, reference):
            asked.append(("reference", reference))
            return "first run"

    the_kit = types.SimpleNamespace(reference="the reference")
    monkeypatch.setattr(student_tests, "kit", lambda levels: the_kit)
    monkeypatch.setattr(student_tests, "Runner", Runner)
    monkeypatch.setattr(student_tests, "run_tests", lambda copy, env, limits, isolation, share, within: (
        asked.append(("own", copy, share, within)) or "own run"))
    discarded = []
    grading = grading16(tmp_path)
    grading.env = lambda: {"A": "1"}
    grading.limits, grading.isolation = "limits", "isolation"
    grading.budget = lambda: "budget"
    grading.workspace.fresh_copy = lambda: tmp_path / "copy"
    grading.workspace.discard = discarded.append
    before = step16.time.monotonic()
    start = step16.start.__wrapped__(grading)
    assert (start.own, start.first) == ("own run", "first run") and isinstance(start.runner, Runner)
    assert made == [(tmp_path / "tests", {"A": "1"}, "limits", "isolation", the_kit, "budget")]
    assert before + 300 <= start.runner.deadline <= step16.time.monotonic() + 300
    # the submission's own run takes its share of the runs at a time, beside the reference's
    assert ("reference", "the reference") in asked
    assert ("own", tmp_path / "copy", student_tests.PARALLEL, "budget") in asked
    assert discarded == [tmp_path / "copy"]
    assert step16.own_run.__wrapped__(start) == "own run"
    monkeypatch.setattr(student_tests, "kit", lambda levels: None)
    start = step16.start.__wrapped__(grading)
    assert (start.own, start.runner, start.first) == ("own run", None, None)
    start = step16.start.__wrapped__(grading16(tmp_path / "none"))  # no tests/ folder: nothing run, None each
    assert (start.own, start.runner, start.first) == (None, None, None)


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ('create_app("default").test_client()\n', (False, True)),
        ("create_app(name).test_client\n", (False, False)),
        ('create_app(config_name="testing")\nclient = make.test_client()\n', (True, True)),
        ('x.create_app("testing")\ntest_client()\n', (True, True)),
        ('create_app(1, "testing")\n', (True, False)),
        ('factory("testing")\ncreate_app(TESTING)\n', (False, False)),
        ('create_app( "testing" ).test_client(\n', (True, True)),
        ("create_app('testing')\nx = 1 +\n", (True, False)),
        ("create_app('testing\")\nx.test_client (\n", (False, False)),
        ('\0create_app("testing")', (True, False)),
    ],
)
def test_the_calls_are_read_from_the_syntax_tree_or_else_the_text(source, found):
    assert step16.calls_in(source) == found


TWO_FRAMES = """    def test_two(app):
>       helper(app)

tests/test_club.py:40:
_ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _
    def helper(app):
        value = 1
>       assert app.get("/").status_code == 200
E       assert 500 == 200
E
E        +  where 500 = status_code

tests/helpers/checks.py:7: AssertionError"""
TWO_BLOCKS = """E   first problem
E   its detail
>   code()
E   the last problem
E   and its second line
tests/test_a.py:3: Error"""
APP_ONLY = """    def view():
>       return broken
E       NameError: name 'broken' is not defined

club/views.py:12: NameError"""
NO_SOURCE = """tests/test_x.py:9: in test_x
E   ValueError: no source line"""
SAME = """>   x
E   test_s.py:2: x
tests/test_s.py:2: Error"""


@pytest.mark.parametrize(
    ("message", "said"),
    [
        (TWO_FRAMES, 'checks.py:7: assert app.get("/").status_code == 200 → assert 500 == 200'),
        (TWO_BLOCKS, "test_a.py:3: code() → the last problem"),
        (APP_ONLY, "NameError: name 'broken' is not defined"),
        (NO_SOURCE, "ValueError: no source line"),
        ("E\nE   first\n", ""),
        (SAME, "test_s.py:2: x"),
        (">   code\n/app/tests/test_a.py:3: Error\nE   boom", "test_a.py:3: code → boom"),
        ("> code1\ntests/a.py:1:\n> code2\ntests/a.py:5: in helper\nE   boom", "a.py:5: code2 → boom"),
        ("> code1\ntests/a.py:1:\n    no marker\ntests/a.py:5: in helper\nE   boom", "a.py:1: code1 → boom"),
        ("line one\n  line two  \n\n", "line two"),
        ("x" * 250, "x" * 200),
        ("E   " + "y" * 200, "y" * 200),
        ("E   " + "y" * 201, "y" * 199 + "…"),
    ],
)
def test_a_failing_tests_last_line_is_its_last_error_block_at_its_own_line(message, said):
    assert step16.last_line(message) == said


def test_step_16_has_five_minutes_of_its_own_past_the_submissions_time():
    # checks/conftest.py lets a step module with an OWN_BUDGET run once the submission's time is spent
    assert step16.OWN_BUDGET == 300.0


CALLS = ("create_app()", 'create_app("default")', 'create_app("testing")')


# -- step 12: the factory -------------------------------------------------------------------------
def made(testing: bool = False, new: bool = True, rules=(("/", "main.index"),), blueprints=("main",)) -> dict:
    """One call's report, as the app's process gives it (checks/sandbox/child.py's make_apps)."""
    return {"error": "", "new": new, "testing": testing, "shown": repr(testing),
            "rules": [list(rule) for rule in rules], "blueprints": list(blueprints)}


def good_report() -> dict[str, dict]:
    return {"create_app()": made(), 'create_app("default")': made(), 'create_app("testing")': made(testing=True)}


def factory_club(report: dict) -> object:
    """A step-12 Club whose app's process reports `report` for the three calls."""
    club = club_of(flask.Flask(__name__), "12")
    club.remote.sandbox.make_apps = lambda timeout: report
    return club


@pytest.mark.parametrize("check", [step12.test_factory_makes_new_apps, step12.test_testing_config_sets_testing,
                                   step12.test_routes_come_from_blueprints])
def test_a_good_factory_passes_the_checks_read_from_its_report(check):
    check(factory_club(good_report()))


@pytest.mark.parametrize("call", CALLS)
def test_a_call_that_made_no_app_is_named_with_the_factory_hint(call):
    report = good_report()
    del report[call]
    found = failure(step12.test_factory_makes_new_apps, factory_club(report))
    assert found.problem == f"{call} made no app"
    assert found.hint == STEP12_FACTORY_HINT


@pytest.mark.parametrize(
    ("error", "hint"),
    [
        ("KeyError: 'testing'", 'create_app looks its name up in a dict of configs: give it the keys "default" and '
                                '"testing"'),
        ("TypeError: create_app() takes 0 positional arguments but 1 was given",
         'create_app takes a config name, "default" when none is given: def create_app(config_name="default")'),
        ("NameError: name 'config' is not defined", STEP12_FACTORY_HINT),
    ],
)
def test_a_call_that_raised_says_what_with_a_hint_by_the_error(error, hint):
    report = good_report()
    report['create_app("testing")'] = {"error": f'create_app("testing") raised {error}'}
    found = failure(step12.test_factory_makes_new_apps, factory_club(report))
    assert found.problem == f'create_app("testing") raised {error}'
    assert found.hint == hint


@pytest.mark.parametrize("call", CALLS)
def test_a_call_returning_an_app_made_before_is_named(call):
    report = good_report()
    report[call] = {**report[call], "new": False}
    found = failure(step12.test_factory_makes_new_apps, factory_club(report))
    assert found.problem == (f"{call} returned an app made before (the same object as another call's, or as the app "
                             "loaded)")
    assert found.hint == ("make the app inside create_app: app = Flask(__name__) in its body, never at the top of a "
                          "module")


def test_the_process_that_could_not_make_the_apps_fails_with_the_factory_hint():
    found = failure(step12.test_factory_makes_new_apps, factory_club({"error": {"error": "app.py defines no "
                                                                                          "create_app() factory"}}))
    assert found.problem == "app.py defines no create_app() factory"
    assert found.hint == STEP12_FACTORY_HINT


def test_a_testing_app_not_in_testing_mode_says_what_testing_was():
    report = good_report()
    report['create_app("testing")'] = {**made(testing=False), "shown": "None"}
    found = failure(step12.test_testing_config_sets_testing, factory_club(report))
    assert found.problem == 'expected app.config["TESTING"] to be True on create_app("testing")\'s app, got None'
    assert found.hint == 'class TestingConfig(Config): TESTING = True, and config = {"testing": TestingConfig, …}'
    assert (found.expected, found.actual) == ("True", "None")


def test_the_testing_check_needs_the_testing_app_made():
    report = good_report()
    report['create_app("testing")'] = {"error": 'create_app("testing") raised KeyError: \'testing\''}
    found = failure(step12.test_testing_config_sets_testing, factory_club(report))
    assert found.problem == 'create_app("testing") raised KeyError: \'testing\''


@pytest.mark.parametrize("call", ["create_app()", 'create_app("default")'])
def test_a_default_app_in_testing_mode_is_named(call):
    report = good_report()
    report[call] = {**made(testing=True), "shown": "1"}
    found = failure(step12.test_testing_config_sets_testing, factory_club(report))
    assert found.problem == f'expected app.config["TESTING"] to be false on {call}\'s app, got 1'
    assert found.hint == "only TestingConfig sets TESTING = True: the default config (and the base Config) leave it out"
    assert (found.expected, found.actual) == ("False", "1")


def test_a_default_app_that_raised_fails_the_testing_check_with_its_error():
    report = good_report()
    report['create_app("default")'] = {"error": 'create_app("default") raised KeyError: \'default\''}
    found = failure(step12.test_testing_config_sets_testing, factory_club(report))
    assert found.problem == 'create_app("default") raised KeyError: \'default\''


def test_an_app_with_only_the_static_rule_has_no_routes():
    report = good_report()
    report["create_app()"] = made(rules=[("/static/<path:filename>", "static")], blueprints=())
    found = failure(step12.test_routes_come_from_blueprints, factory_club(report))
    assert found.problem == "create_app()'s app has no URL rule besides Flask's own static"
    assert found.hint == STEP12_FACTORY_HINT


BLUEPRINT_HINT = (
    'define every view on a Blueprint (main = Blueprint("main", __name__); @main.route(...)) and register it in '
    "create_app with app.register_blueprint(main), not on the app itself"
)


@pytest.mark.parametrize(
    ("rules", "blueprints", "said"),
    [
        ([("/", "index")], (), 'the route / has the endpoint "index", which no blueprint of the app makes (its '
                               "blueprints: none)"),
        ([("/", "main.index"), ("/login", "login")], ("main", "auth"),
         'the route /login has the endpoint "login", which no blueprint of the app makes (its blueprints: auth, main)'),
        ([("/", "main.index"), ("/x", "other.x")], ("main",),
         'the route /x has the endpoint "other.x", which no blueprint of the app makes (its blueprints: main)'),
    ],
)
def test_a_route_outside_the_blueprints_is_named_with_them(rules, blueprints, said):
    report = good_report()
    report["create_app()"] = made(rules=[("/static/<path:filename>", "static"), *rules], blueprints=blueprints)
    found = failure(step12.test_routes_come_from_blueprints, factory_club(report))
    assert found.problem == said
    assert found.hint == BLUEPRINT_HINT


def test_routes_of_nested_blueprints_count_as_their_blueprints():
    report = good_report()
    report["create_app()"] = made(rules=[("/a/b", "main.auth.login")], blueprints=("main.auth",))
    step12.test_routes_come_from_blueprints(factory_club(report))


def test_the_routes_read_are_those_of_create_app_with_no_name():
    report = good_report()
    report['create_app("testing")'] = made(testing=True, rules=[("/", "index")], blueprints=())
    report['create_app("default")'] = made(rules=[("/", "index")], blueprints=())
    step12.test_routes_come_from_blueprints(factory_club(report))


# -- step 12: the code read --------------------------------------------------------------------
def code_grading(root: Path, pristine: Path | None = None) -> types.SimpleNamespace:
    return types.SimpleNamespace(workspace=types.SimpleNamespace(pristine=pristine, root=root))


CONFIG = "class Config:\n    pass\n\n\nclass TestingConfig(Config):\n    TESTING = True\n"
FACTORY = "def create_app(name):\n    app.config.from_object(config[name])\n"


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def test_the_code_is_read_from_the_copy_as_handed_in_and_its_note_names_the_classes(tmp_path):
    given, copy = tmp_path / "given", tmp_path / "copy"
    write(given, {"config.py": CONFIG, "club/__init__.py": FACTORY})
    write(copy, {"config.py": "", "club/__init__.py": ""})
    notes = Notes(step("12"))
    step12.test_config_classes_in_code(code_grading(copy, given), notes)
    assert notes.lines == ["read 2 .py file(s) outside tests/: classes named …Config: Config, TestingConfig"]
    notes = Notes(step("12"))
    found = failure(step12.test_config_classes_in_code, code_grading(copy), notes)
    assert notes.lines[0] == "read 2 .py file(s) outside tests/: classes named …Config: none"
    assert found.problem == "expected at least two classes whose names end in Config, found 0"
    assert found.hint == ("in config.py: class Config (what every config shares), class DevelopmentConfig(Config) "
                          "and class TestingConfig(Config), as in Flask Web Development's Flasky "
                          "(docs/student/step-12.md)")


@pytest.mark.parametrize(
    ("config", "said", "hint"),
    [
        ("class TestingConfig:\n    TESTING = True\n", "expected at least two classes whose names end in Config, "
                                                       "found 1", None),
        ("class Config:\n    TESTING = True\nclass TestingConfig(Config):\n    pass\n", None, None),
        ("class Config:\n    pass\nclass TestingConfig(Config):\n    TESTING = Truely\n",
         "none of the …Config classes sets TESTING = True in its body", "class TestingConfig(Config): TESTING = True"),
        ("class Config:\n    pass\nclass TestingConfig(Config):\n    pass\nTESTING = True\n",
         "none of the …Config classes sets TESTING = True in its body", None),
        ("class Config:\n    pass\nclass TestingConfig(Config):\n    # TESTING = True\n    pass\n",
         "none of the …Config classes sets TESTING = True in its body", None),
        ("class Config:\n    pass\n\nx = 1\nclass TestingConfig(Config):\n    DEBUG = 1\n\n    TESTING = True\n",
         None, None),
        ("class Config(object):\n    pass\nclass Testing(Config):\n    TESTING = True\n",
         "expected at least two classes whose names end in Config, found 1", None),
        ("class Config:\n    pass\nclass TestingConfig(Config):\n    TESTING =  True  # on\n", None, None),
    ],
)
def test_the_config_classes_are_read_class_by_class(tmp_path, config, said, hint):
    write(tmp_path, {"config.py": config, "club/__init__.py": FACTORY})
    grading = code_grading(tmp_path, tmp_path)
    if said is None:
        step12.test_config_classes_in_code(grading, Notes(step("12")))
        return
    found = failure(step12.test_config_classes_in_code, grading, Notes(step("12")))
    assert found.problem == said
    if hint:
        assert found.hint == hint


def test_from_object_is_looked_for_in_every_file(tmp_path):
    write(tmp_path, {"config.py": CONFIG, "club/__init__.py": "def create_app():\n    app.config.update(x=1)\n"})
    found = failure(step12.test_config_classes_in_code, code_grading(tmp_path, tmp_path), Notes(step("12")))
    assert found.problem == "no .py file calls .config.from_object("
    assert found.hint == "in create_app: app.config.from_object(config[config_name])"
    write(tmp_path, {"zz/late.py": "app.config.from_object(x)\n"})
    step12.test_config_classes_in_code(code_grading(tmp_path, tmp_path), Notes(step("12")))


def test_the_sources_are_the_py_files_outside_tests_and_caches_never_through_a_link(tmp_path):
    root, outside = tmp_path / "copy", tmp_path / "outside"
    write(root, {"app.py": "a", "club/views.py": "b", "club/page.html": "c", "tests/test_x.py": "d",
                 "club/tests/test_y.py": "e", "__pycache__/app.py": "f", "deep/er/still.py": "g"})
    write(outside, {"secret.py": "h", "inner/more.py": "i"})
    (root / "linked.py").symlink_to(outside / "secret.py")
    (root / "folder").symlink_to(outside / "inner")
    (root / "dir.py").mkdir()
    assert step12.python_sources(root) == {"app.py": "a", "club/views.py": "b", "deep/er/still.py": "g"}


def test_each_source_is_read_up_to_its_limit_and_undecodable_bytes_are_replaced(tmp_path, monkeypatch):
    monkeypatch.setattr(step12, "READ_LIMIT", 5)
    (tmp_path / "a.py").write_bytes(b"ab\xffcdefgh")
    assert step12.python_sources(tmp_path) == {"a.py": "ab\ufffdcd"}


def test_at_most_so_many_files_are_read(tmp_path, monkeypatch):
    monkeypatch.setattr(step12, "MOST_FILES", 3)
    write(tmp_path, {f"m{index}.py": str(index) for index in range(5)})
    write(tmp_path, {"sub/z.py": "z"})
    assert step12.python_sources(tmp_path) == {"m0.py": "0", "m1.py": "1", "m2.py": "2"}
    monkeypatch.setattr(step12, "MOST_FILES", 6)
    assert len(step12.python_sources(tmp_path)) == 6


def test_the_limits_are_256_kib_of_each_file_and_500_files(tmp_path):
    (tmp_path / "big.py").write_text("a" * (256 << 10) + "b")
    assert step12.python_sources(tmp_path) == {"big.py": "a" * (256 << 10)}
    write(tmp_path, {f"m{index:03}.py": "" for index in range(500)})
    found = step12.python_sources(tmp_path)
    assert len(found) == 500 and "m499.py" not in found and "big.py" in found


def test_a_file_that_cannot_be_read_is_skipped(tmp_path, monkeypatch):
    write(tmp_path, {"a.py": "a", "b.py": "b"})
    real = open

    def refusing(path, *args, **kwargs):
        if Path(path).name == "a.py":
            raise PermissionError(path)
        return real(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", refusing)
    assert step12.python_sources(tmp_path) == {"b.py": "b"}


# -- step 12: the testing app's data ----------------------------------------------------------------
def profiles_app(profiles: dict) -> flask.Flask:
    """An app storing profiles (POST /user/) in `profiles` and showing them (GET /user/<name>), else 404."""
    app = flask.Flask(__name__)

    @app.post("/user/")
    def store():
        profiles[flask.request.form["username"]] = dict(flask.request.form)
        return flask.redirect("/")

    @app.get("/user/<username>")
    def show(username):
        if username not in profiles:
            flask.abort(404)
        profile = profiles[username]
        return "".join(f'<p id="{name}">{markupsafe.escape(profile[name])}</p>'
                       for name in ("username", "food", "message"))

    return app


def two_apps(monkeypatch, testing: flask.Flask, default: flask.Flask):
    """The check's Club, with create_app("testing") and create_app("default") answered by these apps."""
    club = factory_club(good_report())
    apps = {"testing": club_of(testing, "12"), "default": club_of(default, "12")}
    monkeypatch.setattr(step12, "on_app", lambda _, target: apps[target])
    return club


def test_apps_keeping_their_data_apart_pass_and_say_where_each_profile_went(monkeypatch):
    club = two_apps(monkeypatch, profiles_app({}), profiles_app({}))
    step12.test_testing_data_is_kept_apart(club, Data(1, "apart"))
    assert 'on create_app("testing")\'s app:' in club.notes.lines
    assert 'on create_app("default")\'s app:' in club.notes.lines


@pytest.mark.parametrize("shared_by", ["testing", "default"])
def test_apps_sharing_their_data_are_named_from_the_side_that_stored(monkeypatch, shared_by):
    shared: dict = {}
    apps = {"testing": profiles_app(shared if shared_by == "testing" else {}), "default": profiles_app(shared)}
    if shared_by == "default":  # the testing app stores apart, but the default's profile is seen by it
        apps["testing"] = profiles_app({})
        inner = apps["testing"].view_functions["show"]
        apps["testing"].view_functions["show"] = lambda username: (
            profiles_app(shared).view_functions["show"](username) if username in shared else inner(username))
    club = two_apps(monkeypatch, apps["testing"], apps["default"])
    found = failure(step12.test_testing_data_is_kept_apart, club, Data(1, "apart"))
    other = "default" if shared_by == "testing" else "testing"
    assert found.problem == (f'a profile stored with POST /user/ on create_app("{shared_by}")\'s app is shown by '
                             f'create_app("{other}")\'s app: the two share their data')
    assert found.hint == STEP12_APART_HINT
    assert (found.expected, found.actual) == ("not shown (404)", "200 with the profile's values")


def test_a_profile_not_read_back_on_the_app_that_stored_it_names_step_5(monkeypatch):
    forgetful = profiles_app({})
    forgetful.view_functions["show"] = lambda username: flask.abort(404)
    club = two_apps(monkeypatch, forgetful, profiles_app({}))
    found = failure(step12.test_testing_data_is_kept_apart, club, Data(1, "apart"))
    assert found.problem.startswith("expected GET /user/")
    assert "this check reads a profile back on the app that stored it (step 5)" in found.hint


def test_the_data_check_asks_the_process_for_the_apps_first(monkeypatch):
    club = two_apps(monkeypatch, profiles_app({}), profiles_app({}))
    club.remote.sandbox.make_apps = lambda timeout: {"error": {"error": "app.py defines no create_app() factory"}}
    found = failure(step12.test_testing_data_is_kept_apart, club, Data(1, "apart"))
    assert found.problem == "app.py defines no create_app() factory"
    assert found.hint == STEP12_FACTORY_HINT


@pytest.mark.parametrize(
    ("status", "body", "shown"),
    [
        (200, '<p id="username">Mira</p><p id="food">tea</p><p id="message">hi</p>', True),
        (201, '<p id="username">Mira</p><p id="food">tea</p><p id="message">hi</p>', False),
        (200, '<p id="username">Mira</p><p id="food">tea</p><p id="message">bye</p>', False),
        (200, '<p id="username">Mira</p><p id="food">cake</p><p id="message">hi</p>', False),
        (200, '<p id="username">Other</p><p id="food">tea</p><p id="message">hi</p>', False),
    ],
)
def test_a_profile_is_shown_by_a_200_with_its_three_values(status, body, shown):
    from checks.reply import Reply

    reply = Reply("GET", "/user/Mira", status, {"content-type": "text/html"}, body.encode())
    assert step12.shown(reply, Profile("Mira", "tea", "hi")) is shown


# -- a small level-3 club -----------------------------------------------------------------------------
ADMIN = admin_username(1)  # CLUB_ADMIN of a run with seed 1


class SmallClub:
    """A level-3 club in a few lines of Flask that passes every check of steps 13 to 15; a test changes one
    attribute (or replaces one view) to break one rule.

    Accounts and profiles are kept in dicts; a mail is written into `outbox` (the copy's instance/outbox/) where
    one is given; the club password logs in only a username never registered."""

    def __init__(self, outbox: Path | None = None, admin: str = ADMIN):
        self.admin, self.outbox = admin, outbox
        self.accounts: dict[str, dict] = {}
        self.profiles: dict[str, dict] = {}
        self.app = app = flask.Flask(__name__)
        app.secret_key = "small"
        self.serializer = URLSafeTimedSerializer(app.secret_key, salt="confirm")
        self.max_age: int | None = None  # how long a link works (None: for ever)
        app.get("/")(self.home)
        app.route("/register", methods=["GET", "POST"])(self.register)
        app.post("/login")(self.login)
        app.post("/user/")(self.store)
        app.get("/user/<username>")(self.profile)
        app.route("/edit-profile/<username>", methods=["GET", "POST"])(self.edit)
        app.get("/confirm/<token>")(self.confirm)

    def home(self):
        return f'<p id="status">{markupsafe.escape(flask.session.get("username", ""))}</p>'

    def register(self):
        if flask.request.method == "GET":
            return ('<form method="post"><input name="username"><input name="password" type="password">'
                    '<input name="password2" type="password"></form>')
        form = flask.request.form
        username, password = form["username"], form["password"]
        if not username or len(password) < 8 or password != form["password2"]:
            return "refused", 400
        if username in self.accounts:
            return "taken", 409
        self.accounts[username] = {"password": password, "role": "admin" if username == self.admin else "member",
                                   "confirmed": False}
        if self.outbox is not None:
            token = self.serializer.dumps({"confirm": username})
            (self.outbox / f"{len(self.accounts)}.txt").write_text(f"To: {username}\nhttp://localhost/confirm/{token}")
        return flask.redirect("/login")

    def login(self):
        username, password = flask.request.form["username"], flask.request.form["password"]
        account = self.accounts.get(username)
        if password != (account["password"] if account else PASSWORD):
            return "no", 401
        flask.session["username"] = username
        return flask.redirect("/")

    def store(self):
        self.profiles[flask.request.form["username"]] = {name: flask.request.form[name]
                                                         for name in ("username", "food", "message")}
        return flask.redirect("/")

    def profile(self, username):
        if username not in self.profiles:
            flask.abort(404)
        shown = dict(self.profiles[username])
        if username in self.accounts:
            account = self.accounts[username]
            shown.update(role=account["role"], confirmed="yes" if account["confirmed"] else "no")
        return "".join(f'<p id="{name}">{markupsafe.escape(value)}</p>' for name, value in shown.items())

    def role(self) -> str | None:
        account = self.accounts.get(flask.session.get("username", ""))
        return account["role"] if account else None

    def edit(self, username):
        if "username" not in flask.session:
            return flask.redirect(f"/login?next={flask.request.path}")
        if self.role() != "admin":
            flask.abort(403)
        return self.editor(username)

    def editor(self, username):
        if username not in self.profiles:
            flask.abort(404)
        profile = self.profiles[username]
        if flask.request.method == "POST":
            profile.update(food=flask.request.form["food"], message=flask.request.form["message"])
            return flask.redirect(f"/user/{username}")
        return (f'<form method="post"><input name="food" value="{markupsafe.escape(profile["food"])}">'
                f'<textarea name="message">{markupsafe.escape(profile["message"])}</textarea></form>')

    def confirm(self, token):
        try:
            username = self.serializer.loads(token, max_age=self.max_age)["confirm"]
        except BadSignature:
            return flask.redirect("/")
        if username == flask.session.get("username"):
            self.accounts[username]["confirmed"] = True
        return flask.redirect("/")


# -- step 15: roles -------------------------------------------------------------------------------
def step15_members(small: SmallClub) -> shared_apps.Shared:
    """Step 15's administrator and two members, registered on the small club as its first checks share them."""
    club = club_of(small.app, "15")
    return shared_apps.Shared(club, "shared").run(lambda setup: step15.club_members(setup, Data(1, "members"), ADMIN))


def data15(check: str) -> Data:
    return Data(1, check)


def test_a_good_club_passes_every_check_of_step_15():
    small = SmallClub()
    members = step15_members(small)
    assert members.failure is None and members.made["admin"][0].username == ADMIN
    assert f"CLUB_ADMIN is {show(ADMIN)}" in members.club.notes.lines
    step15.test_roles_are_shown(members, Notes(step("15")))
    step15.test_admin_edits_a_profile(members, Notes(step("15")), data15("edit"))
    step15.test_admin_gets_404_for_unknown_member(members, Notes(step("15")), data15("404"))
    step15.test_member_gets_403(members, Notes(step("15")), data15("403"))
    step15.test_editor_needs_login(members, Notes(step("15")), data15("login"))
    Notes(step("15"))
    step15.test_club_password_gives_no_admin_rights(club_of(SmallClub().app, "15"), data15("rights"),
                                                    types.SimpleNamespace(seed=1))


def test_each_member_is_registered_and_stores_a_profile_of_their_own():
    small = SmallClub()
    members = step15_members(small)
    names = {key: profile.username for key, (profile, _) in members.made.items()}
    assert sorted(small.accounts) == sorted(names.values()) == sorted(small.profiles) and len(set(names.values())) == 3
    for profile, password in members.made.values():
        assert small.accounts[profile.username]["password"] == password
        assert small.profiles[profile.username]["food"] == profile.food


@pytest.mark.parametrize(
    ("role", "said", "hint"),
    [
        (None, 'on the page of the member registered as CLUB_ADMIN: expected #role to read "admin", but the page has '
               'no element with id="role"', None),
        ("member", 'on the page of the member registered as CLUB_ADMIN: expected #role to read "admin", but #role '
                   'says "member"', None),
        ("admin", 'on another member\'s page: expected #role to read "member", but #role says "admin"', None),
    ],
)
def test_a_role_not_shown_says_whose_page_and_what_it_says(role, said, hint):
    small = SmallClub()
    members = step15_members(small)
    for account in small.accounts.values():
        if role is None:
            account.pop("role")
        else:
            account["role"] = role
    real = small.profile
    small.app.view_functions["profile"] = lambda username: real(username).replace('<p id="role"></p>', "")
    if role is None:
        small.app.view_functions["profile"] = lambda username: "".join(
            f'<p id="{name}">{markupsafe.escape(value)}</p>' for name, value in small.profiles[username].items())
    found = failure(step15.test_roles_are_shown, members, Notes(step("15")))
    assert found.problem == said
    assert found.hint == STEP15_ROLE_HINT


def test_an_editor_the_administrator_cannot_open_gets_the_editors_hint():
    small = SmallClub()
    members = step15_members(small)
    small.editor = lambda username: flask.abort(404)
    found = failure(step15.test_admin_edits_a_profile, members, Notes(step("15")), data15("edit"))
    target = members.made["target"][0].username
    assert found.problem == f"expected GET /edit-profile/{target} as the administrator to answer 200, got 404 text/html"
    assert found.hint == STEP15_EDITOR_HINT


@pytest.mark.parametrize(
    "form",
    [
        '<form method="post"><input name="food" value="x"></form>',
        '<form method="post"><textarea name="message">x</textarea></form>',
        '<form><input name="food" value="x"><textarea name="message">x</textarea></form>',
        "<p>no form</p>",
    ],
)
def test_an_editor_without_a_post_form_holding_both_fields_is_named(form):
    small = SmallClub()
    members = step15_members(small)
    small.editor = lambda username: form
    found = failure(step15.test_admin_edits_a_profile, members, Notes(step("15")), data15("edit"))
    assert found.problem == 'expected a <form method="post"> holding fields named food and message, found none'
    assert found.hint == STEP15_EDITOR_HINT


@pytest.mark.parametrize("field", ["food", "message"])
def test_an_editor_filled_with_the_administrators_own_values_is_named(field):
    small = SmallClub()
    members = step15_members(small)
    real = small.editor
    small.editor = lambda username: real(ADMIN if field == "food" or flask.request.method == "GET" and field ==
                                         "message" else username) if flask.request.method == "GET" else real(username)
    if field == "message":  # the food right, the message the administrator's
        def editor(username):
            if flask.request.method == "POST":
                return real(username)
            own, theirs = small.profiles[ADMIN], small.profiles[username]
            return (f'<form method="post"><input name="food" value="{markupsafe.escape(theirs["food"])}">'
                    f'<textarea name="message">{markupsafe.escape(own["message"])}</textarea></form>')
        small.editor = editor
    found = failure(step15.test_admin_edits_a_profile, members, Notes(step("15")), data15("edit"))
    target, admin = members.made["target"][0], members.made["admin"][0]
    wanted, held = getattr(target, field), getattr(admin, field)
    assert found.problem == (f"expected the editor's {field} to hold {show(wanted)} (that member's), but it holds "
                             f"{show(held)}")
    assert found.hint == "fill the form from the profile of the username in the URL, not from the administrator's own"
    assert (found.expected, found.actual) == (wanted, held)


def test_an_editor_holding_the_values_with_other_spaces_passes():
    small = SmallClub()
    members = step15_members(small)
    real = small.editor
    small.editor = lambda username: real(username).replace('value="', 'value="  ').replace(
        "</textarea>", "\n </textarea>") if flask.request.method == "GET" else real(username)
    step15.test_admin_edits_a_profile(members, Notes(step("15")), data15("edit"))


def test_the_first_form_holding_both_fields_is_read():
    small = SmallClub()
    members = step15_members(small)
    real = small.editor
    small.editor = lambda username: ('<form method="post"><input name="q"></form>' + real(username)
                                     + real(ADMIN) if flask.request.method == "GET" else real(username))
    step15.test_admin_edits_a_profile(members, Notes(step("15")), data15("edit"))


def test_an_editor_refusing_the_post_is_named():
    small = SmallClub()
    members = step15_members(small)
    real = small.editor
    small.editor = lambda username: real(username) if flask.request.method == "GET" else ("no", 400)
    found = failure(step15.test_admin_edits_a_profile, members, Notes(step("15")), data15("edit"))
    target = members.made["target"][0].username
    assert found.problem == (f"expected POST /edit-profile/{target} as the administrator to be accepted (2xx, or a "
                             "3xx redirect), got 400 text/html")


@pytest.mark.parametrize(
    ("who", "hint"),
    [
        ("nobody", "update the profile of the username in the URL"),
        ("admin", "the administrator's own profile must not change"),
        ("third", "only the profile in the URL may change"),
    ],
)
def test_a_post_changing_the_wrong_profiles_is_named(who, hint):
    small = SmallClub()
    members = step15_members(small)
    real = small.editor

    def editor(username):
        if flask.request.method == "GET":
            return real(username)
        changed = {"nobody": [], "admin": [username, ADMIN], "third": list(set(small.profiles) - {ADMIN})}[who]
        for name in changed:
            small.profiles[name].update(food=flask.request.form["food"], message=flask.request.form["message"])
        return flask.redirect("/")

    small.editor = editor
    found = failure(step15.test_admin_edits_a_profile, members, Notes(step("15")), data15("edit"))
    assert found.problem.startswith("expected the page to show food ")
    assert found.hint == hint


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (200, "look the member up first: abort(404) when there is no such member"),
        (400, "look the member up first: abort(404) when there is no such member"),
        (401, "the administrator was refused"),
        (403, "the administrator was refused"),
        (300, "the administrator was refused"),
        (399, "the administrator was refused"),
    ],
)
def test_an_unknown_members_editor_not_404_gets_a_hint_by_what_came_back(answer, hint):
    small = SmallClub()
    members = step15_members(small)
    small.editor = lambda username: ("<p>editor</p>", answer, {"Location": "/"})
    found = failure(step15.test_admin_gets_404_for_unknown_member, members, Notes(step("15")), data15("404"))
    unknown = data15("404").username()
    assert found.problem.startswith(f"expected GET /edit-profile/{unknown} for a member never created to answer 404, "
                                    f"got {answer}")
    assert found.expected == "404" and found.actual.startswith(str(answer))
    if hint == "the administrator was refused":
        hint = ("the administrator was refused: the member registered as CLUB_ADMIN (with their own password) is the "
                'administrator; compare with os.environ["CLUB_ADMIN"] exactly')
    assert found.hint == hint


def test_the_editors_path_quotes_the_whole_username():
    assert step15.editor("Zoë Ngũ/42") == "/edit-profile/Zo%C3%AB%20Ng%C5%A9%2F42"


@pytest.mark.parametrize(
    ("get", "post", "said", "hint"),
    [
        (403, 200, "POST", STEP15_ADMIN_ONLY_HINT + ", in the POST too"),
        (403, 404, "POST", "there is no route for /edit-profile/<username>: add one (GET and POST) on a blueprint"),
        (403, 302, "POST", STEP15_REDIRECT_403_HINT),
        (300, 403, "GET", STEP15_REDIRECT_403_HINT),
        (399, 403, "GET", STEP15_REDIRECT_403_HINT),
        (400, 403, "GET", "check the role of the member logged in before anything else: abort(403) unless they are "
                          "the administrator"),
    ],
)
def test_a_member_let_in_by_one_method_is_named_with_it(get, post, said, hint):
    small = SmallClub()
    members = step15_members(small)
    small.edit = None
    answers = {"GET": get, "POST": post}
    small.app.view_functions["edit"] = lambda username: (
        ("<p>x</p>", answers[flask.request.method], {"Location": "/login"}))
    found = failure(step15.test_member_gets_403, members, Notes(step("15")), data15("403"))
    target = members.made["target"][0].username
    assert found.problem.startswith(f"expected {said} /edit-profile/{target} by a member who is not the administrator "
                                    f"to answer 403, got {answers[said]}")
    assert found.hint == hint
    assert found.expected == "403"


def test_a_member_refused_but_whose_post_changed_the_profile_is_named():
    small = SmallClub()
    members = step15_members(small)

    def edit(username):
        if flask.request.method == "POST":
            small.profiles[username]["food"] = flask.request.form["food"]
        flask.abort(403)

    small.app.view_functions["edit"] = edit
    found = failure(step15.test_member_gets_403, members, Notes(step("15")), data15("403"))
    assert found.problem.startswith("expected the page to show food ")
    assert found.hint == "a member who is not the administrator must change nothing"


@pytest.mark.parametrize(
    ("page", "status"),
    [
        ('<p id="username">{u}</p><p id="food">tea</p>', 200),
        ('<p id="username">{u}</p><p id="message">hi</p>', 200),
        ('<p id="username">{u}</p><p id="food">tea</p><p id="message">hi</p>', 201),
    ],
)
def test_a_profile_page_that_cannot_be_read_first_is_named(page, status):
    small = SmallClub()
    members = step15_members(small)
    small.app.view_functions["profile"] = lambda username: (page.format(u=username), status)
    target = members.made["target"][0].username
    for check, data in ((step15.test_member_gets_403, data15("403")), (step15.test_editor_needs_login,
                                                                       data15("login"))):
        found = failure(check, members, Notes(step("15")), data)
        assert found.problem == (f"expected GET /user/{target} to answer 200 with #food and #message, got "
                                 f"{status} text/html")
        assert found.hint == ("this check reads a registered member's profile page first, stored with POST /user/ "
                              "(steps 2 and 5)")


def test_a_profile_read_first_is_the_pages_values():
    small = SmallClub()
    members = step15_members(small)
    target = members.made["target"][0].username
    small.profiles[target].update(food="changed before", message="by another check")
    club = members.browser(Notes(step("15")))
    assert step15.as_it_is(club, target) == Profile(target, "changed before", "by another check")


@pytest.mark.parametrize(
    ("status", "location", "hint"),
    [
        (200, None, STEP15_LOGIN_FIRST_HINT),
        (404, None, STEP15_NO_EDITOR_HINT),
        (302, "/", STEP15_LOGIN_FIRST_HINT),
        (302, "/auth/login?next=/edit-profile/x", "/login"),
    ],
)
def test_a_visitor_let_into_the_editor_gets_a_hint_by_what_came_back(status, location, hint):
    small = SmallClub()
    members = step15_members(small)
    small.app.view_functions["edit"] = lambda username: ("<p>x</p>", status, {"Location": location or "/"})
    found = failure(step15.test_editor_needs_login, members, Notes(step("15")), data15("login"))
    target = members.made["target"][0].username
    assert found.problem.startswith(f"expected GET /edit-profile/{target} without logging in to answer 401, 403 or a "
                                    f"redirect to /login, got {status}")
    assert (found.expected, found.actual[:3]) == ("401, 403 or a redirect to /login", str(status))
    if hint == "/login":
        assert "/auth" in found.hint and found.hint != STEP15_LOGIN_FIRST_HINT
    else:
        assert found.hint == hint


def test_a_visitor_refused_but_whose_post_changed_the_profile_is_named():
    small = SmallClub()
    members = step15_members(small)

    def edit(username):
        if flask.request.method == "POST":
            small.profiles[username]["message"] = flask.request.form["message"]
        return flask.redirect("/login")

    small.app.view_functions["edit"] = edit
    found = failure(step15.test_editor_needs_login, members, Notes(step("15")), data15("login"))
    assert found.problem.startswith("expected the page to show message ")
    assert found.hint == "nothing may change for a visitor without the administrator's rights"


def test_the_club_password_giving_the_administrators_rights_is_named():
    small = SmallClub()
    small.role = lambda: "admin" if flask.session.get("username") == ADMIN else None
    club = club_of(small.app, "15")
    found = failure(step15.test_club_password_gives_no_admin_rights, club, data15("rights"),
                    types.SimpleNamespace(seed=1))
    assert found.problem.startswith("expected GET /edit-profile/")
    assert f" after logging in as {show(ADMIN)} with the club password to answer 401, 403 or a redirect to /login, " \
           "got 200" in found.problem
    assert found.hint == ("only the member registered as CLUB_ADMIN, logged in with their own password, is the "
                          "administrator: look the role up in the accounts, never trust the username alone")
    assert f"CLUB_ADMIN is {show(ADMIN)}, not registered: POST /login answered 302 to /" in club.notes.lines


# -- step 13: registering ------------------------------------------------------------------------
def data13(check: str) -> Data:
    return Data(1, check)


def test_a_good_club_passes_the_first_checks_of_step_13():
    small = SmallClub()
    step13.test_register_page_has_form(club_of(small.app, "13"))
    step13.test_registered_member_logs_in(club_of(small.app, "13"), data13("logs in"))
    step13.test_bad_registrations_are_refused(club_of(small.app, "13"), data13("bad"))


REGISTER_FORM = ('<form method="post"><input name="username"><input name="password" type="password">'
                 '<input name="password2" type="password"></form>')


@pytest.mark.parametrize(
    ("page", "said", "hint"),
    [
        ("<p>welcome</p>", 'expected GET /register to hold a <form method="post">, found none', STEP13_FORM_HINT),
        (REGISTER_FORM.replace('method="post"', 'method="get"'),
         'expected GET /register to hold a <form method="post">, found none', STEP13_FORM_HINT),
        (REGISTER_FORM.replace('name="password2" type="password"', 'name="password2"'),
         'expected the input named password2 to be type="password", but it has no type', STEP13_FORM_HINT),
        (REGISTER_FORM.replace('name="password" type="password"', 'name="password" type="text"'),
         'expected the input named password to be type="password", but it is type="text"', STEP13_FORM_HINT),
        (REGISTER_FORM.replace('name="password2"', 'name="confirm"'),
         "expected the form to hold inputs named username, password and password2; its fields are named confirm, "
         "password, username", STEP13_FORM_HINT),
        ('<form method="post"></form>', "expected the form to hold inputs named username, password and password2; "
                                        "its fields are named nothing", STEP13_FORM_HINT),
        ('<form method="post"><textarea name="bio"></textarea></form>' + REGISTER_FORM.replace('name="username"', ""),
         "expected the form to hold inputs named username, password and password2; its fields are named None, bio, "
         "password, password2", STEP13_FORM_HINT),
    ],
)
def test_a_register_page_without_the_right_form_is_named(page, said, hint):
    small = SmallClub()
    small.app.view_functions["register"] = lambda: page
    found = failure(step13.test_register_page_has_form, club_of(small.app, "13"))
    assert found.problem == said
    assert found.hint == hint


@pytest.mark.parametrize(
    "page",
    [
        REGISTER_FORM.replace('type="password"', 'type="PASSWORD"'),
        '<form method="post"><input name="username"></form>' + REGISTER_FORM,
        REGISTER_FORM.replace('method="post"', 'method="POST"'),
    ],
)
def test_a_register_form_found_past_another_or_in_capitals_passes(page):
    small = SmallClub()
    small.app.view_functions["register"] = lambda: page
    step13.test_register_page_has_form(club_of(small.app, "13"))


@pytest.mark.parametrize(
    ("home", "status", "hint"),
    [
        ("<p>home</p>", 404, "add a route for /register: GET shows the form, POST registers"),
        ('<a href="/auth/register">Join</a>', 404, "/auth"),
        ('<a href="/auth/register">Join</a>', 500, "add a route for /register: GET shows the form, POST registers"),
    ],
)
def test_a_register_page_not_found_gets_where_it_went_as_hint(home, status, hint):
    small = SmallClub()
    small.app.view_functions["home"] = lambda: home
    small.app.view_functions["register"] = lambda: ("no", status)
    found = failure(step13.test_register_page_has_form, club_of(small.app, "13"))
    assert found.problem == f"expected GET /register to answer 200, got {status} text/html"
    assert found.hint == hint if hint != "/auth" else "/auth" in found.hint and found.hint != STEP13_FORM_HINT


def registering(small: SmallClub, status: int, page: str = REGISTER_FORM):
    real = small.register
    small.app.view_functions["register"] = lambda: (page if flask.request.method == "GET" else ("no", status))
    return real


@pytest.mark.parametrize(
    ("status", "page", "hint"),
    [
        (404, REGISTER_FORM, "add a route for /register that takes POST"),
        (405, REGISTER_FORM, "add a route for /register that takes POST"),
        (400, REGISTER_FORM.replace("</form>", '<input name="csrf_token" type="hidden" value="t"></form>'),
         STEP13_CSRF_HINT),
        (400, REGISTER_FORM, accounts.REGISTER_HINT),
        (500, REGISTER_FORM.replace("</form>", '<input name="csrf_token" type="hidden" value="t"></form>'),
         accounts.REGISTER_HINT),
    ],
)
def test_a_registration_refused_gets_a_hint_by_what_came_back(status, page, hint):
    small = SmallClub()
    registering(small, status, page)
    found = failure(step13.test_registered_member_logs_in, club_of(small.app, "13"), data13("logs in"))
    assert found.problem == (f"expected POST /register of a new member to be accepted (2xx, or a 3xx redirect), got "
                             f"{status} text/html")
    assert found.hint == hint
    assert (found.expected, found.actual) == ("2xx or 3xx", f"{status} text/html")


def test_a_registration_not_found_where_the_home_page_links_elsewhere_says_where():
    small = SmallClub()
    small.app.view_functions["home"] = lambda: '<a href="/auth/register">Join</a>'
    registering(small, 404)
    found = failure(step13.test_registered_member_logs_in, club_of(small.app, "13"), data13("logs in"))
    assert "/auth" in found.hint and found.hint != "add a route for /register that takes POST"


@pytest.mark.parametrize(
    ("status", "page", "csrf"),
    [
        (200, REGISTER_FORM.replace("</form>", '<input name="csrf_token"></form>'), True),
        (200, REGISTER_FORM, False),
        (500, REGISTER_FORM.replace("</form>", '<input name="csrf_token"></form>'), False),
    ],
)
def test_the_csrf_hint_needs_the_register_page_to_hold_a_csrf_token(status, page, csrf):
    app = flask.Flask(__name__)
    app.get("/register")(lambda: (page, status))
    assert step13.csrf_hint(club_of(app, "13")) == (STEP13_CSRF_HINT if csrf else None)
    app = flask.Flask(__name__)
    app.get("/register")(lambda: flask.Response(page, mimetype="text/plain"))
    assert step13.csrf_hint(club_of(app, "13")) is None


def test_a_member_who_cannot_log_in_with_their_password_is_named():
    small = SmallClub()
    small.app.view_functions["login"] = lambda: ("no", 400)
    found = failure(step13.test_registered_member_logs_in, club_of(small.app, "13"), data13("logs in"))
    username = data13("logs in").username()
    assert found.problem == ("expected POST /login with the member's own password to be accepted (2xx, or a 3xx "
                             "redirect), got 400 text/html")
    assert found.hint == accounts.OWN_PASSWORD_HINT
    assert (found.expected, found.actual) == ("2xx or 3xx", "400 text/html")
    small = SmallClub()
    small.app.view_functions["home"] = lambda: '<p id="status">someone</p>'
    found = failure(step13.test_registered_member_logs_in, club_of(small.app, "13"), data13("logs in"))
    assert found.problem == (f"after POST /login as {show(username)} with their own password, GET / does not name "
                             "them in #status")
    assert found.hint == accounts.OWN_PASSWORD_HINT


@pytest.mark.parametrize(
    ("lets_in", "what", "hint"),
    [
        ("club", "the club password", STEP13_CLUB_PASSWORD_HINT),
        ("any", "the club password", STEP13_CLUB_PASSWORD_HINT),
        ("wrong", "a wrong password", "compare with check_password_hash(the stored hash, the password sent)"),
    ],
)
def test_a_login_with_another_password_is_named(lets_in, what, hint):
    small = SmallClub()
    real = small.login
    club_password, wrong = PASSWORD, None

    def login():
        nonlocal wrong
        password = flask.request.form["password"]
        account = small.accounts.get(flask.request.form["username"])
        if account and password != account["password"]:
            if lets_in == "any" or lets_in == "club" and password == club_password or lets_in == "wrong" and (
                    password != club_password):
                wrong = password
                flask.session["username"] = flask.request.form["username"]
                return flask.redirect("/")
        return real()

    small.app.view_functions["login"] = login
    found = failure(step13.test_registered_member_logs_in, club_of(small.app, "13"), data13("logs in"))
    username = data13("logs in").username()
    assert found.problem == (f"expected POST /login as {show(username)} with {what} to be refused with 401 or 403, "
                             "got 302 to /")
    assert found.hint == hint
    assert (found.expected, found.actual) == ("401 or 403", "302 to /")


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_login_that_logs_the_member_in_all_the_same_is_named(status):
    small = SmallClub()
    real = small.login

    def login():
        answer = real()
        if isinstance(answer, tuple):
            flask.session["username"] = flask.request.form["username"]
            return "no", status
        return answer

    small.app.view_functions["login"] = login
    found = failure(step13.test_registered_member_logs_in, club_of(small.app, "13"), data13("logs in"))
    username = data13("logs in").username()
    assert found.problem == (f"POST /login as {show(username)} with the club password logged the member in: #status "
                             "names them")
    assert found.hint == STEP13_CLUB_PASSWORD_HINT


@pytest.mark.parametrize(
    ("taken", "what", "hint"),
    [
        ("empty", "an empty username", "refuse an empty username: return …, 400"),
        ("short", "a password under 8 characters", "refuse a password under 8 characters: if len(password) < 8: "
                                                    "return …, 400"),
        ("mismatched", "a password2 unlike password", "refuse two passwords that differ: if password != password2: "
                                                      "return …, 400"),
    ],
)
def test_a_bad_registration_taken_is_named_with_its_rule(taken, what, hint):
    small = SmallClub()
    real = small.register

    def register():
        form = flask.request.form
        bad = {"empty": not form["username"], "short": len(form["password"]) < 8,
               "mismatched": form["password"] != form["password2"]}
        if bad[taken]:
            return flask.redirect("/login")
        return real()

    small.app.view_functions["register"] = register
    found = failure(step13.test_bad_registrations_are_refused, club_of(small.app, "13"), data13("bad"))
    assert found.problem == f"expected POST /register with {what} to answer 400, got 302 to /login"
    assert found.hint == hint
    assert (found.expected, found.actual) == ("400", "302 to /login")


@pytest.mark.parametrize(
    ("status", "home", "hint"),
    [
        (404, "<p>home</p>", "add a route for /register that takes POST (step 13's first checks)"),
        (405, '<a href="/auth/register">Join</a>',
         "add a route for /register that takes POST (step 13's first checks)"),
        (404, '<a href="/auth/register">Join</a>', "/auth"),
    ],
)
def test_a_bad_registration_not_routed_gets_the_routes_hint(status, home, hint):
    small = SmallClub()
    small.app.view_functions["home"] = lambda: home
    registering(small, status)
    found = failure(step13.test_bad_registrations_are_refused, club_of(small.app, "13"), data13("bad"))
    assert found.problem == f"expected POST /register with an empty username to answer 400, got {status} text/html"
    assert found.hint == hint if hint != "/auth" else "/auth" in found.hint


@pytest.mark.parametrize(
    ("stored", "what"),
    [
        ("short", "the refused short password"),
        ("mismatched", "the refused password"),
        ("mismatched2", "the refused password2"),
    ],
)
def test_a_refused_registration_that_stored_the_account_is_named(stored, what):
    small = SmallClub()
    real = small.register

    def register():
        form = flask.request.form
        answer = real()
        if form["username"] and form["password"] != form["password2"] and stored.startswith("mismatched"):
            password = form["password2"] if stored == "mismatched2" else form["password"]
            small.accounts[form["username"]] = {"password": password, "role": "member", "confirmed": False}
        if len(form["password"]) < 8 and stored == "short":
            small.accounts[form["username"]] = {"password": form["password"], "role": "member", "confirmed": False}
        return answer

    small.app.view_functions["register"] = register
    found = failure(step13.test_bad_registrations_are_refused, club_of(small.app, "13"), data13("bad"))
    assert found.problem.startswith("expected POST /login as ")
    assert found.problem.endswith(f" with {what} to be refused with 401 or 403, got 302 to /")
    assert found.hint == "a refused registration must store nothing: check every field before you store the account"


# -- step 13: the checks sharing one app --------------------------------------------------------------
class Recording(Remote):
    """The stand-in for the sandbox, keeping each Set-Cookie header its app sends (as the scan's Recorded does)."""

    def __init__(self, app: flask.Flask, cookies: list[str]):
        super().__init__(app)
        self.cookies = cookies

    def __call__(self, environ, start_response):
        result = super().__call__(environ, start_response)
        self.cookies += [value for name, value in self.last.headers if name.lower() == "set-cookie"]
        return result


def step13_members(small: SmallClub, monkeypatch) -> shared_apps.Shared:
    """Step 13's two members, registered and logged in on the small club as its last checks share them."""

    def recorded(club, cookies):
        remote = Recording(club.remote.app, cookies)
        remote.sandbox = club.remote.sandbox
        return Club(browser(remote), remote, club.notes, club.password, club.request_timeout, club.template)

    monkeypatch.setattr(step13, "recorded", recorded)
    club = club_of(small.app, "13")
    return shared_apps.Shared(club, "shared").run(lambda setup: step13.two_members(setup, Data(1, "members")))


def test_the_two_members_are_registered_and_logged_in_with_their_cookies_kept(monkeypatch):
    small = SmallClub()
    members = step13_members(small, monkeypatch)
    assert members.failure is None
    made = members.made["members"]
    assert len(made) == 2 and {name: small.accounts[name]["password"] for name, _ in made} == dict(made)
    assert sum(cookie.startswith("session=") for cookie in members.made["cookies"]) == 2
    lines = members.club.notes.lines
    assert sum(line.startswith("GET / ") for line in lines) == 2 and lines[-1].startswith("GET / ")


def test_two_members_who_cannot_log_in_fail_the_checks_sharing_them(monkeypatch):
    small = SmallClub()
    small.app.view_functions["login"] = lambda: ("no", 401)
    members = step13_members(small, monkeypatch)
    found = failure(step13.test_taken_username_is_refused, members, Notes(step("13")), data13("taken"))
    assert found.problem == "expected POST /login with the member's own password to be accepted, got 401 text/html"
    assert found.hint == f"this check logs registered members in (step 13's first checks): {accounts.OWN_PASSWORD_HINT}"


def test_a_good_club_passes_the_taken_username_and_restart_checks(monkeypatch):
    small = SmallClub()
    members = step13_members(small, monkeypatch)
    step13.test_taken_username_is_refused(members, Notes(step("13")), data13("taken"))
    restarted = []
    members.club.remote.sandbox.kill = lambda: restarted.append(True)
    members.club.remote.sandbox.ready = lambda: None
    step13.test_accounts_survive_restart(members, Notes(step("13")))
    assert restarted == [True]


@pytest.mark.parametrize("status", [400, 409])
def test_a_taken_username_refused_with_400_or_409_passes(monkeypatch, status):
    small = SmallClub()
    members = step13_members(small, monkeypatch)
    real = small.register
    small.app.view_functions["register"] = lambda: ("taken", status) if flask.request.form.get(
        "username") in small.accounts else real()
    step13.test_taken_username_is_refused(members, Notes(step("13")), data13("taken"))


def test_a_taken_username_taken_again_is_named(monkeypatch):
    small = SmallClub()
    members = step13_members(small, monkeypatch)
    small.app.view_functions["register"] = lambda: ("welcome back", 200)
    found = failure(step13.test_taken_username_is_refused, members, Notes(step("13")), data13("taken"))
    assert found.problem == ("expected POST /register of a username already taken to answer 400 or 409, got 200 "
                             "text/html")
    assert found.hint == "look the username up before storing it, and answer 409 when it is taken"
    assert (found.expected, found.actual) == ("400 or 409", "200 text/html")


def test_a_taken_username_whose_password_was_replaced_is_named(monkeypatch):
    small = SmallClub()
    members = step13_members(small, monkeypatch)
    real = small.register

    def register():
        account = small.accounts.get(flask.request.form["username"])
        if account is not None:
            account["second"] = flask.request.form["password"]
            return "taken", 409
        return real()

    small.app.view_functions["register"] = register
    real_login = small.login

    def login():  # the first password still works, and the second too
        account = small.accounts.get(flask.request.form["username"])
        if account and account.get("second") == flask.request.form["password"]:
            flask.session["username"] = flask.request.form["username"]
            return flask.redirect("/")
        return real_login()

    small.app.view_functions["login"] = login
    found = failure(step13.test_taken_username_is_refused, members, Notes(step("13")), data13("taken"))
    username = members.made["members"][0][0]
    assert found.problem == (f"expected POST /login as {show(username)} with the second registration's password to be "
                             "refused with 401 or 403, got 302 to /")
    assert found.hint == "a refused registration must never replace the first member's password"
    small.app.view_functions["login"] = lambda: ("no", 401)  # the first password no longer works
    found = failure(step13.test_taken_username_is_refused, members, Notes(step("13")), data13("taken again"))
    assert found.problem.startswith("expected POST /login of a registered member, with their own password, to be "
                                    "accepted")


def test_accounts_lost_in_a_restart_are_named(monkeypatch):
    small = SmallClub()
    members = step13_members(small, monkeypatch)
    members.club.remote.sandbox.kill = small.accounts.clear
    members.club.remote.sandbox.ready = lambda: None
    notes = Notes(step("13"))
    found = failure(step13.test_accounts_survive_restart, members, notes)
    username = members.made["members"][1][0]
    assert found.problem == (f"after a restart, POST /login as {show(username)} with their own password answered "
                             "401 text/html and did not log them in")
    assert found.hint == ("accounts kept in a dict vanish when the app stops: keep them in a file in the instance "
                          "folder (SQLite: instance/club.sqlite), as the profiles")
    assert (found.expected, found.actual) == ("logged in", "401 text/html")
    assert "stopped your app's process, and started a new one from the same folder" in notes.lines


def test_a_login_after_a_restart_that_logs_the_second_member_in_passes_not_the_first(monkeypatch):
    small = SmallClub()
    members = step13_members(small, monkeypatch)
    first = members.made["members"][0][0]
    members.club.remote.sandbox.kill = lambda: small.accounts.pop(first, None)
    members.club.remote.sandbox.ready = lambda: None
    step13.test_accounts_survive_restart(members, Notes(step("13")))
    small.app.view_functions["login"] = lambda: flask.redirect("/")  # accepted, but no one is logged in
    found = failure(step13.test_accounts_survive_restart, members, Notes(step("13")))
    assert found.problem.endswith("answered 302 to / and did not log them in")


SCAN_HINTS = {
    "in plain": "store generate_password_hash(password) (from werkzeug.security), never the password itself",
    "digest": "an unsalted digest is looked up in tables in seconds: store werkzeug.security's "
              "generate_password_hash(password), salted and slow",
    "encoding": "an encoding is not a hash, anyone can undo it: store generate_password_hash(password)",
    "printed": "remove the print() or logging call that shows the form or the password",
    "cookie": "never put the password in the session or a cookie: the username goes there, the hash in the database",
}


@pytest.mark.parametrize(
    ("place", "form", "how", "hint"),
    [
        ("the file instance/club.sqlite", lambda p: p.encode(), "in plain", "in plain"),
        ("the file instance/club.sqlite", lambda p: hashlib.md5(p.encode()).hexdigest().encode(),
         "as its unsalted MD5 digest", "digest"),
        ("the temporary file log.txt", lambda p: base64.b64encode(p.encode()), "in base64", "encoding"),
        ("the file x", lambda p: p[::-1].encode(), "reversed", "encoding"),
        ("what your app printed", lambda p: hashlib.md5(p.encode()).hexdigest().encode(), "as its unsalted MD5 digest",
         "printed"),
        ("the cookie remember", lambda p: p.encode(), "in plain", "cookie"),
    ],
)
def test_a_password_found_gets_a_hint_by_its_place_and_form(monkeypatch, tmp_path, place, form, how, hint):
    small = SmallClub()
    members = step13_members(small, monkeypatch)
    password = members.made["members"][1][1]
    asked = []
    monkeypatch.setattr(step13, "stopped_app_places",
                        lambda club, root: asked.append(root) or [("the file other", b"x"), (place, form(password))])
    given = types.SimpleNamespace(workspace=types.SimpleNamespace(pristine=tmp_path / "given", root=tmp_path))
    notes = Notes(step("13"))
    found = failure(step13.test_passwords_are_not_readable, members, notes, given)
    assert found.problem == f"{place} holds the password of a member ({show(password)}) {how}"
    assert found.hint == SCAN_HINTS[hint]
    assert asked == [tmp_path / "given"]
    assert notes.lines[-1] == ("stopped your app's process, then read every file it wrote or changed, its temporary "
                               "folder, what it printed and every cookie it set")


def test_a_password_in_the_session_cookie_is_found_and_nothing_else_passes(monkeypatch, tmp_path):
    small = SmallClub()
    members = step13_members(small, monkeypatch)
    grading = types.SimpleNamespace(workspace=types.SimpleNamespace(pristine=None, root=tmp_path))
    asked = []
    monkeypatch.setattr(step13, "stopped_app_places", lambda club, root: asked.append(root) or [])
    step13.test_passwords_are_not_readable(members, Notes(step("13")), grading)
    assert asked == [tmp_path]
    username, password = members.made["members"][0]
    session = flask.sessions.SecureCookieSessionInterface().get_signing_serializer(small.app)
    members.made["cookies"].append(f"session={session.dumps({'password': password})}; Path=/")
    found = failure(step13.test_passwords_are_not_readable, members, Notes(step("13")), grading)
    assert found.problem == (f"the cookie session, decoded as Flask's session holds the password of a member "
                             f"({show(password)}) in plain")
    assert found.hint == SCAN_HINTS["cookie"]


# -- step 14: confirming by a signed link ----------------------------------------------------------
def mailing(tmp_path: Path) -> tuple[SmallClub, object]:
    """The small club writing its mail into the copy's instance/outbox/, and a step-14 Club on it."""
    (tmp_path / "instance" / "outbox").mkdir(parents=True)
    small = SmallClub(outbox=tmp_path / "instance" / "outbox")
    return small, club_of(small.app, "14", root=tmp_path)


def step14_members(tmp_path: Path) -> tuple[SmallClub, shared_apps.Shared]:
    small, club = mailing(tmp_path)
    shared = shared_apps.Shared(club, "shared").run(lambda setup: step14.three_members(setup, Data(1, "members")))
    return small, shared


def test_a_good_club_passes_the_checks_sharing_step_14s_members(tmp_path):
    small, members = step14_members(tmp_path)
    assert members.failure is None and sorted(members.made) == ["first", "second", "third"]
    for username, password, link in members.made.values():
        assert small.accounts[username]["password"] == password and link.startswith("/confirm/")
        assert username in small.profiles
    step14.test_registration_writes_a_link(members, Notes(step("14")))
    step14.test_altered_or_foreign_link_is_refused(members, Notes(step("14")))
    step14.test_link_confirms_member(members, Notes(step("14")))
    assert [account["confirmed"] for account in small.accounts.values()] == [False, False, True]


def test_a_member_joined_is_registered_with_a_profile_and_the_link_of_their_own_mail(tmp_path):
    small, club = mailing(tmp_path)
    (tmp_path / "instance" / "outbox" / "old.txt").write_text("To: nobody http://localhost/confirm/old")
    before = step14.time.monotonic()
    username, password, link, made = step14.joined(club, Data(1, "joined"))
    assert before <= made <= step14.time.monotonic()
    assert small.accounts[username]["password"] == password
    assert small.serializer.loads(link.rpartition("/")[2]) == {"confirm": username}
    assert small.profiles[username]["username"] == username


def test_a_link_without_a_token_is_named(tmp_path):
    small, members = step14_members(tmp_path)
    members.made["first"] = (*members.made["first"][:2], "/")
    found = failure(step14.test_registration_writes_a_link, members, Notes(step("14")))
    assert found.problem == "the link / has no token as the last segment of its path"
    assert found.hint == STEP14_SIGNED_HINT


@pytest.mark.parametrize(
    ("confirmed", "said", "hint"),
    [
        ("yes", 'before the link is followed: expected #confirmed to read "no", but #confirmed says "yes"',
         STEP14_CONFIRMED_HINT),
        (None, 'before the link is followed: expected #confirmed to read "no", but the page has no element with '
               'id="confirmed"', STEP14_CONFIRMED_HINT),
    ],
)
def test_a_member_confirmed_before_the_link_or_without_the_mark_is_named(tmp_path, confirmed, said, hint):
    small, members = step14_members(tmp_path)
    real = small.profile
    small.app.view_functions["profile"] = lambda username: real(username).replace(
        '<p id="confirmed">no</p>', "" if confirmed is None else f'<p id="confirmed">{confirmed}</p>')
    found = failure(step14.test_registration_writes_a_link, members, Notes(step("14")))
    assert found.problem == said
    assert found.hint == hint


def test_a_link_refused_to_its_member_is_named(tmp_path):
    small, members = step14_members(tmp_path)
    small.app.view_functions["confirm"] = lambda token: ("expired", 400)
    found = failure(step14.test_link_confirms_member, members, Notes(step("14")))
    assert found.problem == ("expected GET of the confirmation link to be accepted (2xx, or a 3xx redirect), got 400 "
                             "text/html")
    assert found.hint == STEP14_SIGNED_HINT
    assert (found.expected, found.actual) == ("2xx or 3xx", "400 text/html")


@pytest.mark.parametrize("mark", [True, False])
def test_a_link_that_confirms_no_one_is_named(tmp_path, mark):
    small, members = step14_members(tmp_path)
    small.app.view_functions["confirm"] = lambda token: "thanks"
    real = small.profile
    if not mark:
        small.app.view_functions["profile"] = lambda username: real(username).replace('<p id="confirmed">no</p>', "")
    found = failure(step14.test_link_confirms_member, members, Notes(step("14")))
    seen = '#confirmed says "no"' if mark else 'the page has no element with id="confirmed"'
    assert found.problem == f'after the link was followed: expected #confirmed to read "yes", but {seen}'
    assert found.hint == ("following a good link stores the confirmation (UPDATE … SET confirmed = 1, then commit), "
                          "for the member the token names" if mark else STEP14_CONFIRMED_HINT)


def test_the_member_confirming_is_logged_in_first(tmp_path):
    small, members = step14_members(tmp_path)
    small.app.view_functions["login"] = lambda: ("no", 401)
    found = failure(step14.test_link_confirms_member, members, Notes(step("14")))
    assert found.problem.startswith("expected POST /login of a registered member, with their own password")
    username = members.made["third"][0]
    small, members = step14_members(tmp_path / "again")
    small.app.view_functions["home"] = lambda: '<p id="status"></p>'
    step14.test_link_confirms_member(members, Notes(step("14")))  # only a 2xx or 3xx to /login is asked
    assert small.accounts[username]["confirmed"] is True


@pytest.mark.parametrize(
    ("confirms", "said", "hint"),
    [
        ("altered", 'after following the link with one character changed: expected #confirmed to read "no", but '
                    '#confirmed says "yes"', STEP14_SIGNED_HINT),
        ("foreign", ' followed {first}\'s link: expected #confirmed to read "no", but #confirmed says "yes"',
         "confirm the member the token names only when they are the one logged in"),
    ],
)
def test_an_altered_or_foreign_link_that_confirms_is_named(tmp_path, confirms, said, hint):
    small, members = step14_members(tmp_path)
    (first, _, link), second = members.made["first"], members.made["second"][0]
    real_token = link.rpartition("/")[2]

    def confirm(token):
        who = flask.session["username"]
        if confirms == "altered" and token != real_token or confirms == "foreign" and who == second:
            small.accounts[who]["confirmed"] = True
        return flask.redirect("/")

    small.app.view_functions["confirm"] = confirm
    found = failure(step14.test_altered_or_foreign_link_is_refused, members, Notes(step("14")))
    if confirms == "foreign":
        said = f"after {second}" + said.format(first=first)
    assert found.problem == said
    assert found.hint == hint


@pytest.mark.parametrize("status", [500, 503])
def test_a_refused_link_that_breaks_the_app_is_named(tmp_path, status):
    small, members = step14_members(tmp_path)
    small.app.view_functions["confirm"] = lambda token: ("broke", status)
    found = failure(step14.test_altered_or_foreign_link_is_refused, members, Notes(step("14")))
    assert found.problem == (f"expected the link with one character of its token changed to be refused without an "
                             f"error (any answer but a 5xx), got {status} text/html")
    assert found.hint == "catch BadSignature and SignatureExpired (from itsdangerous) and flash a message instead"


@pytest.mark.parametrize("status", [400, 404, 499])
def test_a_link_refused_with_any_answer_but_a_5xx_passes(tmp_path, status):
    small, members = step14_members(tmp_path)
    real = small.confirm
    small.app.view_functions["confirm"] = lambda token: real(token) and ("no", status)
    step14.test_altered_or_foreign_link_is_refused(members, Notes(step("14")))


def keyed_club(tmp_path: Path, monkeypatch, rekeyed: bool = True):
    """The re-key check's app: the small club, whose restart with another SECRET_KEY signs with it where `rekeyed`."""
    small, club = mailing(tmp_path)
    asked = []

    def club_with(grading, notes, **variables):
        asked.append(variables)
        club.notes = notes
        return club

    def restart_with(club_, why, **variables):
        asked.append((why, variables))
        if rekeyed:
            small.serializer = URLSafeTimedSerializer(variables["SECRET_KEY"], salt="confirm")

    monkeypatch.setattr(step14, "club_with", club_with)
    monkeypatch.setattr(step14, "restart_with", restart_with)
    return small, asked


def test_an_app_restarted_with_another_key_refuses_the_old_link(tmp_path, monkeypatch):
    small, asked = keyed_club(tmp_path, monkeypatch)
    step14.test_link_is_tied_to_secret_key(Notes(step("14")), Data(1, "key"), types.SimpleNamespace())
    assert asked[0] == {"SECRET_KEY": STEP14_FIRST_KEY}
    why, variables = asked[1]
    assert why == "with another SECRET_KEY" and len(variables["SECRET_KEY"]) == 64
    assert variables["SECRET_KEY"] != STEP14_FIRST_KEY
    assert [account["confirmed"] for account in small.accounts.values()] == [False]


def test_an_old_link_that_still_confirms_after_the_new_key_is_named(tmp_path, monkeypatch):
    small, asked = keyed_club(tmp_path, monkeypatch, rekeyed=False)
    found = failure(step14.test_link_is_tied_to_secret_key, Notes(step("14")), Data(1, "key"), types.SimpleNamespace())
    assert found.problem == ('after following a link signed with the old SECRET_KEY: expected #confirmed to read "no", '
                             'but #confirmed says "yes"')
    assert found.hint == "a token kept in the database is not signed: " + STEP14_SIGNED_HINT


def test_the_expiring_member_is_registered_logged_in_with_their_link(tmp_path):
    small, club = mailing(tmp_path)
    made = step14.expiring_member(club, Data(1, step14.EXPIRY_CHECK))
    assert sorted(made) == ["link", "made", "member", "username"]
    assert made["member"].get("/").field_texts("status") == [made["username"]]
    assert made["link"].startswith("/confirm/") and made["made"] <= step14.time.monotonic()


@pytest.mark.parametrize(("max_age", "status"), [(-1, None), (None, None), (-1, 500)])
def test_an_old_link_is_refused_or_named(tmp_path, monkeypatch, max_age, status):
    small, club = mailing(tmp_path)
    monkeypatch.setattr(step14.time, "sleep", lambda seconds: None)
    shared = shared_apps.Shared(club, "started your app with CLUB_CONFIRM_SECONDS=2").run(
        lambda setup: step14.expiring_member(setup, Data(1, step14.EXPIRY_CHECK)))
    small.max_age = max_age
    if status:
        small.app.view_functions["confirm"] = lambda token: ("broke", status)
    notes = Notes(step("14"))
    if max_age == -1 and status is None:
        step14.test_expired_link_is_refused(shared, notes)
        assert "followed the link 4 s after POST /register answered (step 14's other checks ran meanwhile)" in (
            notes.lines)
        return
    found = failure(step14.test_expired_link_is_refused, shared, notes)
    if status:
        assert found.problem == ("expected a link 4 s old, with CLUB_CONFIRM_SECONDS=2 to be refused without an error "
                                 "(any answer but a 5xx), got 500 text/html")
        return
    assert found.problem == ('after following a link older than CLUB_CONFIRM_SECONDS: expected #confirmed to read '
                             '"no", but #confirmed says "yes"')
    assert found.hint == STEP14_EXPIRED_HINT
    assert found.log[0] == "started your app with CLUB_CONFIRM_SECONDS=2"


def test_every_mutant_killed_passes_and_says_how_many_tests_counted(monkeypatch, tmp_path):
    found, notes, asked = kill_check(monkeypatch, tmp_path, verdict_of(3, 3))
    assert found is None
    assert notes.lines == ["3 of your tests count (they passed on your app and twice on the reference); they killed 3 "
                           "of the 3 mutants"]
    assert asked[0] == {1, 3} and asked[1][1:] == ("runner", "first")


def test_mutants_that_lived_are_each_named_with_their_rule_and_the_points(monkeypatch, tmp_path):
    verdict = verdict_of(2, 24)
    verdict.mutants[5].run = None
    verdict.mutants[6].run = run_of({}, ended=False, problem="timed out")
    verdict.mutants[1].run = run_of({}, ended=False, problem="timed out")  # failed, but not finished: lived
    found, notes, _ = kill_check(monkeypatch, tmp_path, verdict)
    lines = found.problem.splitlines()
    assert lines[0] == "your tests killed 1 of the 24 mutants: 0 of 14 points"
    assert lines[1] == "Each mutant that lived breaks a rule your tests never check:"
    assert lines[2] == "  m1 (step 5): rule 1 (its run did not finish: timed out)"
    assert lines[3] == "  m2 (step 5): rule 2"
    assert "  m5 (step 5): rule 5 (not reached: the step's time was up)" in lines
    assert len(lines) == 2 + 23
    assert found.hint == ("write one small test per rule named above, through the routes and ids the steps name; a "
                          "test of your app's own choices fails on the reference and counts for nothing")
    assert notes.earned == 0.0


@pytest.mark.parametrize(("killed", "worth", "earned"), [(12, 14.0, 7.0), (4, 14.0, 2.0), (23, 20.0, 19.0)])
def test_the_points_earned_are_the_verdicts(monkeypatch, tmp_path, killed, worth, earned):
    found, notes, _ = kill_check(monkeypatch, tmp_path, verdict_of(killed, 24), worth=worth)
    assert notes.earned == earned
    said = f"your tests killed {killed} of the 24 mutants: {earned:g} of {worth:g} points"
    assert found.problem.splitlines()[0] == said


def test_a_step_stopped_early_and_the_tests_not_counted_are_said(monkeypatch, tmp_path):
    verdict = verdict_of(1, 2, stopped="the step stopped after 300 s")
    verdict.not_counted = {"tests/t.py::test_mine": "failed on your app",
                           "tests/t.py::test_ref": "failed on the reference"}
    verdict.references = [run_of({"tests/t.py::test_ref": "failed"},
                                 messages={"tests/t.py::test_ref": "E   assert 200 == 404"})]
    found, _, _ = kill_check(monkeypatch, tmp_path, verdict)
    assert found.problem.splitlines()[1:] == [
        "the step stopped after 300 s: mutants not reached are not killed",
        "Each mutant that lived breaks a rule your tests never check:",
        "  m1 (step 5): rule 1",
        "Tests that counted for nothing:",
        "  tests/t.py::test_mine: failed on your app",
        "  tests/t.py::test_ref: failed on the reference (assert 200 == 404)",
    ]


def test_the_kill_check_without_tests_is_named_and_on_a_handout_is_not_run_worth_0(monkeypatch, tmp_path):
    found, _, _ = kill_check(monkeypatch, tmp_path, None)
    assert found.problem == "there is no tests/ folder beside app.py"
    found, notes, _ = kill_check(monkeypatch, tmp_path, verdict_of(1, 1), worth=14.0, kit=False)
    assert found.problem == ("not run here: this copy of the kit holds no reference club and no mutants (a handout or "
                             "a CI autograder), so this check is worth 0 here; your instructor's grading runs it, for "
                             "14 points")
    assert found.hint == ("run python -m pytest tests on your app, and read docs/student/step-16.md for what the "
                          "mutants break")
    assert found.not_run is True and notes.worth == 0.0


# -- the shared apps' setups and fixtures, steps 13 to 15 ------------------------------------------------
@pytest.mark.parametrize(
    ("module", "name", "why"),
    [
        (step13, "members", "step 13's last three checks share one app on a fresh copy, where two members registered "
                            "and logged in:"),
        (step14, "members", "step 14's first three checks share one app on a fresh copy, where three members "
                            "registered (their mails read) and stored their profiles:"),
        (step14, "expiring", "started your app with CLUB_CONFIRM_SECONDS=2"),
        (step15, "members", "step 15's first checks share one app on a fresh copy, where the administrator and two "
                            "members registered and stored their profiles:"),
    ],
)
def test_each_shared_app_is_declared_with_why_its_variables_and_its_check(module, name, why):
    setup = shared_apps.SETUPS[module.__name__, name]
    assert setup.why == why
    expiring = (module, name) == (step14, "expiring")
    assert setup.variables == ({"CLUB_CONFIRM_SECONDS": "2"} if expiring else {})
    assert setup.only_for == ("test_expired_link_is_refused" if expiring else None)
    assert step14.EXPIRY_CHECK == step14.test_expired_link_is_refused.__name__


@pytest.mark.parametrize(
    ("module", "name", "data"),
    [(step13, "members", "step 13's members"), (step14, "members", "step 14's members"),
     (step14, "expiring", "test_expired_link_is_refused"), (step15, "members", "step 15's members")],
)
def test_each_shared_setup_makes_its_members_with_the_runs_seed(tmp_path, monkeypatch, module, name, data):
    small, club = mailing(tmp_path)
    small.admin = admin_username(7)
    made = []
    monkeypatch.setattr(step13, "recorded", lambda club_, cookies: made.append(cookies) or accounts.another_browser(
        club_))
    setup = shared_apps.SETUPS[module.__name__, name].make(types.SimpleNamespace(seed=7))
    setup(club)
    first = Data(7, data).username()
    if (module, name) == (step15, "members"):
        first = admin_username(7)
        assert small.accounts[first]["role"] == "admin"
    assert first in small.accounts


@pytest.mark.parametrize(("module", "name"), [(step13, "members"), (step14, "members"), (step14, "expiring"),
                                              (step15, "members")])
def test_each_shared_fixture_hands_out_its_app_and_closes_it(monkeypatch, module, name):
    closed, asked = [], []
    shared = types.SimpleNamespace(close=lambda: closed.append(True))
    monkeypatch.setattr(module, "shared_app", lambda request, grading, wanted: asked.append(
        (request, grading, wanted)) or shared)
    fixture = getattr(module, name).__wrapped__("request", "grading")
    assert next(fixture) is shared and asked == [("request", "grading", name)] and closed == []
    with pytest.raises(StopIteration):
        next(fixture)
    assert closed == [True]


def test_step_15_asks_the_administrator_for_no_status_on_the_home_page():
    small = SmallClub()
    members = step15_members(small)
    small.app.view_functions["home"] = lambda: "<p>welcome</p>"
    step15.test_admin_edits_a_profile(members, Notes(step("15")), data15("edit"))
    step15.test_admin_gets_404_for_unknown_member(members, Notes(step("15")), data15("404"))
    step15.test_member_gets_403(members, Notes(step("15")), data15("403"))


def test_step_14_asks_its_members_for_no_status_on_the_home_page(tmp_path):
    small, members = step14_members(tmp_path)
    small.app.view_functions["home"] = lambda: "<p>welcome</p>"
    step14.test_altered_or_foreign_link_is_refused(members, Notes(step("14")))
    step14.test_link_confirms_member(members, Notes(step("14")))


def test_a_member_refused_with_401_gets_the_not_a_redirect_hint():
    small = SmallClub()
    members = step15_members(small)
    small.app.view_functions["edit"] = lambda username: ("who?", 401)
    found = failure(step15.test_member_gets_403, members, Notes(step("15")), data15("403"))
    assert found.hint == STEP15_REDIRECT_403_HINT


def test_logins_refused_with_403_pass_step_13(monkeypatch):
    small = SmallClub()
    real = small.login
    small.app.view_functions["login"] = lambda: ("no", 403) if isinstance(answer := real(), tuple) else answer
    step13.test_registered_member_logs_in(club_of(small.app, "13"), data13("logs in"))
    step13.test_bad_registrations_are_refused(club_of(small.app, "13"), data13("bad"))
    members = step13_members(small, monkeypatch)
    step13.test_taken_username_is_refused(members, Notes(step("13")), data13("taken"))


@pytest.mark.parametrize(
    ("status", "location", "refused"),
    [(299, "/login", False), (300, "/login", True), (399, "/login/", True), (400, "/login", False),
     (401, None, True), (403, None, True), (402, None, False), (302, "/login?next=/x", True),
     (302, "/auth/login", False)],
)
def test_the_editor_refuses_with_401_403_or_a_3xx_to_login(status, location, refused):
    headers = {"location": location} if location else {}
    assert step15.refused(Reply("GET", "/edit-profile/Mira", status, headers, b"")) is refused


def test_the_apps_step_14_changes_are_started_early_with_their_variables():
    """A check marked app_with(...) has its app started at collection, with those variables."""
    def app_with(check):
        return [mark.kwargs for mark in getattr(check, "pytestmark", []) if mark.name == "app_with"]

    assert app_with(step14.test_link_is_tied_to_secret_key) == [
        {"SECRET_KEY": "step 14 starts the app with this key, then restarts it with a random one"}]
    assert app_with(step14.test_expired_link_is_refused) == [{"CLUB_CONFIRM_SECONDS": "2"}]


def test_the_rekeyed_and_expiring_members_need_no_status_on_the_home_page(tmp_path, monkeypatch):
    small, _ = keyed_club(tmp_path / "keyed", monkeypatch)
    small.app.view_functions["home"] = lambda: "<p>welcome</p>"
    step14.test_link_is_tied_to_secret_key(Notes(step("14")), Data(1, "key"), types.SimpleNamespace())
    small, club = mailing(tmp_path / "expiring")
    small.app.view_functions["home"] = lambda: "<p>welcome</p>"
    made = step14.expiring_member(club, Data(1, step14.EXPIRY_CHECK))
    assert made["member"].get("/").status_code == 200
