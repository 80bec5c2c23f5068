"""Level 3's hints: each is given where its symptom is, and what a new student building the club Flasky's way hits.

CASES names, for each hint the checks of steps 12 to 16 (and checks/accounts.py, their shared helpers) can give, a
sample submission (tests/submissions/) or a small edit of one that shows the symptom, and the step to grade; the test
grades it and finds the hint in a failure's `hint` field. UNREACHED names the hints no case reaches, each with the
reason. `test_every_level3_hint_has_a_case_or_a_reason` reads the checks' source for the hints they can give, so a
new hint cannot be added without one or the other (tests/test_hint_coverage.py does the same for levels 1 and 2).

The rest: the url_prefix Flasky's auth blueprint has (`/auth/login`) and Flask-WTF's CSRF token each named as the
cause, step 16 quoting a failing test at its own line (never a line of the app), and the Flasky-style sample's own
tests killing every mutant.
"""

from __future__ import annotations

import ast
import functools
import json
import shutil
import tempfile
from pathlib import Path

import pytest
from conftest import ROOT, SUBMISSIONS, run_checks
from test_hint_coverage import text_of

from checks.members import moved_by_prefix
from checks.test_step16_tests import last_line

CHECKS = ROOT / "checks"
LEVEL_3 = ["accounts.py", "outbox.py", "password_scan.py", "shared_apps.py",
           "test_step12_factory.py", "test_step13_register.py", "test_step14_confirm.py",
           "test_step15_admin.py", "test_step16_tests.py"]
FLASKY = SUBMISSIONS / "valid_level3_flasky_extensions"

# Small edits of the Flasky-style sample, one symptom each: {file: (old, new)}.
FLASKY_APPS: dict[str, dict[str, tuple[str, str]]] = {
    # Flasky's own registration of its auth blueprint: /login is at /auth/login
    "auth_prefix": {"club/__init__.py": ("app.register_blueprint(auth_blueprint)",
                                         'app.register_blueprint(auth_blueprint, url_prefix="/auth")')},
    # Flask-WTF's CSRF protection left on: every POST /register without a token is 400
    "csrf_on": {"config.py": ("    WTF_CSRF_ENABLED = False", "    WTF_CSRF_ENABLED = True")},
    # no blueprint is registered: the app has no route but static
    "no_blueprints": {"club/__init__.py": ("    app.register_blueprint(main_blueprint)\n", ""),
                      "club/__init__.py#2": ("    app.register_blueprint(auth_blueprint)\n", "")},
    # create_app takes no config name
    "factory_without_name": {"club/__init__.py": ('def create_app(config_name="default"):', "def create_app():"),
                             "club/__init__.py#2": ("config[config_name]", 'config["default"]')},
    # the configs' dict has no "testing" key
    "no_testing_key": {"config.py": ('"testing": TestingConfig, ', "")},
    # no class sets TESTING = True in its body (TestingConfig sets it with setattr)
    "testing_set_by_setattr": {"config.py": ("    TESTING = True\n", "    pass\n"),
                               "config.py#2": ("config = {", 'setattr(TestingConfig, "TESTING", True)\nconfig = {')},
    # the config is copied by hand, not with from_object
    "no_from_object": {"club/__init__.py": ("app.config.from_object(config[config_name])",
                                            "app.config.update({key: getattr(config[config_name], key) for key in "
                                            "dir(config[config_name]) if key.isupper()})")},
    # the testing app is not in testing mode
    "testing_off": {"config.py": ("    TESTING = True\n", "    TESTING = False\n")},
    # no /register at all
    "no_register": {"club/auth/views.py": ('@auth.route("/register", methods=["GET", "POST"])',
                                           '@auth.route("/sign-up", methods=["GET", "POST"])')},
    # /register answers GET only
    "register_get_only": {"club/auth/views.py": ('@auth.route("/register", methods=["GET", "POST"])',
                                                 '@auth.route("/register", methods=["GET"])')},
    # the register page holds no form at all
    "register_without_form": {"templates/register.html": ('<form method="post">', "<div>"),
                              "templates/register.html#2": ("</form>", "</div>")},
    # the second password field is named otherwise
    "password2_named_confirm": {"club/auth/forms.py": ('password2 = PasswordField(', 'confirm = PasswordField('),
                                "club/auth/forms.py#2": ('EqualTo("password2"', 'EqualTo("confirm"'),
                                "templates/register.html": ("form.password2", "form.confirm")},
    # an empty username is taken (Length(0, 64), no DataRequired)
    "empty_username_taken": {"club/auth/forms.py": ("DataRequired(), Length(1, 64),\n        Regexp(",
                                                    "Length(0, 64),\n        Regexp("),
                             "club/auth/forms.py#2": ('Regexp("^[A-Za-z][A-Za-z0-9_.]*$"',
                                                      'Regexp("^[A-Za-z0-9_.]*$"')},
    # a taken username is refused with 409, after its password was replaced
    "taken_replaced_then_409": {"club/auth/views.py": (
        "        if User.query.filter_by(username=form.username.data).first() is not None:\n",
        "        if (taken := User.query.filter_by(username=form.username.data).first()) is not None:\n"
        "            taken.password = form.password.data\n            db.session.commit()\n")},
    # two different passwords are taken
    "passwords_may_differ": {"club/auth/forms.py": (', EqualTo("password2", message="Passwords must match.")', "")},
    # a wrong password logs a registered member in
    "any_password": {"club/models.py": ("return check_password_hash(self.password_hash, password)", "return True")},
    # a registered member never logs in with their own password
    "own_password_refused": {"club/models.py": ("return check_password_hash(self.password_hash, password)",
                                                "return False")},
    # any password but the club's logs a registered member in
    "any_other_password": {"club/models.py": ("return check_password_hash(self.password_hash, password)",
                                              'return password != os.environ.get("CLUB_PASSWORD")')},
    # a registered member's profile page is a 500 (the role is called as a function)
    "registered_page_breaks": {"templates/user.html": ("{{ account.role }}", "{{ account.role() }}")},
    # the testing app never finds a stored profile
    "testing_app_forgets": {"club/main/views.py": ("    profile = db.session.get(Profile, username)\n"
                                                   "    if profile is None:\n",
                                                   "    profile = None if current_app.testing else "
                                                   "db.session.get(Profile, username)\n    if profile is None:\n")},
    # the profile page shows no #confirmed
    "no_confirmed_mark": {"templates/user.html": ('<dd id="confirmed">', '<dd id="state">')},
    # following a good link raises where the token is bad (BadSignature not caught)
    "bad_signature_raises": {"club/models.py": ("        except BadSignature:\n            return False\n",
                                                "        except KeyError:\n            return False\n")},
    # the mail names the member nowhere
    "mail_without_name": {"templates/email/confirm.txt": ("Dear {{ user.username }},", "Dear member,"),
                          "club/email.py": ('f"To: {to}\\nSubject', 'f"To: member\\nSubject')},
    # the mail holds no link
    "mail_without_link": {"templates/email/confirm.txt": ("{{ url_for('auth.confirm', token=token, _external=True) }}",
                                                          "(the link is on its way)")},
    # the administrator is compared in lower case: CLUB_ADMIN's own name is refused
    "admin_lowercase": {"club/models.py": ("self.username == admin", "self.username == admin.lower()")},
    # logged-in members who are not the administrator are sent to /login
    "member_redirected": {"club/decorators.py": ("            abort(403)", "            return redirect('/login')"),
                          "club/decorators.py#2": ("from flask import abort", "from flask import abort, redirect")},
    # the editor answers a visitor 200 (admin_required asks for nobody logged in)
    "editor_open_to_visitors": {"club/decorators.py": ("        if not current_user.is_authenticated:\n"
                                                       "            abort(401)\n", "")},
    # no editor at all
    "no_editor": {"club/main/views.py": ('@main.route("/edit-profile/<username>"', '@main.route("/edit/<username>"')},
    # the editor shows the member's profile, and saves into the administrator's
    "editor_changes_admin": {"club/main/views.py": (
        "        profile.food = request.form.get(\"food\", profile.food)\n",
        "        profile = db.session.get(Profile, current_user.username)\n"
        "        profile.food = request.form.get(\"food\", profile.food)\n")},
    # the editor changes every profile but the administrator's
    "editor_changes_others": {"club/main/views.py": (
        "        profile.food = request.form.get(\"food\", profile.food)\n",
        "        for each in Profile.query.filter(Profile.username != current_user.username):\n"
        "            each.food = request.form.get(\"food\", each.food)\n"
        "            each.message = request.form.get(\"message\", each.message)\n")},
    # a member who is not the administrator gets 403, after the view has run (and saved)
    "member_403_after_saving": {"club/decorators.py": ("            abort(403)",
                                                       "            f(*args, **kwargs)\n            abort(403)")},
    # a visitor gets 401, after the view has run (and saved)
    "visitor_401_after_saving": {"club/decorators.py": ("            abort(401)",
                                                        "            f(*args, **kwargs)\n            abort(401)")},
    # the editor changes every profile at once
    "editor_changes_everyone": {"club/main/views.py": (
        "        profile.food = request.form.get(\"food\", profile.food)\n",
        "        for each in Profile.query.all():\n            each.food = request.form.get(\"food\", each.food)\n"
        "            each.message = request.form.get(\"message\", each.message)\n")},
    # the editor's page holds no form
    "editor_without_form": {"templates/edit_profile.html": ('<form method="post">', "<div>"),
                            "templates/edit_profile.html#2": ("</form>", "</div>")},
    # the tests are in a folder of another name
    "no_tests_folder": {},
    # a test fails on the app
    "failing_test": {"tests/test_profiles.py": ('    assert client.get("/").status_code == 200',
                                                '    assert client.get("/").status_code == 201')},
}


def flasky_app(name: str, folder: Path) -> Path:
    """Write the Flasky-style sample with the edits of FLASKY_APPS[name] into folder."""
    shutil.copytree(FLASKY, folder, ignore=shutil.ignore_patterns("instance", "__pycache__"))
    if name == "no_tests_folder":
        (folder / "tests").rename(folder / "checks_of_mine")
    for key, (old, new) in FLASKY_APPS[name].items():
        target = folder / key.split("#")[0]
        text = target.read_text(encoding="utf-8")
        assert text.count(old) == 1, (name, old)
        target.write_text(text.replace(old, new), encoding="utf-8")
    return folder


@functools.cache
def hints_of(where: str, step: str) -> tuple[str, ...]:
    """The hints of the failures of one graded step (graded once per run of this file, for every case of it)."""
    with tempfile.TemporaryDirectory(prefix="level3-hints-") as scratch:
        if where.startswith("flasky:"):
            folder = flasky_app(where[7:], Path(scratch) / "club")
        else:
            folder = SUBMISSIONS / where
        done = run_checks(folder, "--format", "json", "--seed", "77", "--step", step)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    return tuple(c["failure"]["hint"] or "" for s in result["steps"] for c in s["checks"] if c["failure"])


# (the hint, or a phrase of it; where its symptom is; the step to grade)
CASES = [
    # step 12
    ("app.py holds `from club import create_app`", "flasky:no_blueprints", "12"),
    ('give it the keys "default" and "testing"', "flasky:no_testing_key", "12"),
    ('def create_app(config_name="default")', "flasky:factory_without_name", "12"),
    ("make the app inside create_app", "mistake_level3_factory_returns_one_app", "12"),
    ('class TestingConfig(Config): TESTING = True, and config = {"testing": TestingConfig, …}', "flasky:testing_off",
     "12"),
    ("only TestingConfig sets TESTING = True", "mistake_level3_testing_everywhere", "12"),
    ("define every view on a Blueprint", "mistake_level3_routes_outside_blueprints", "12"),
    ("in config.py: class Config (what every config shares)", "mistake_level3_config_dicts", "12"),
    ("class TestingConfig(Config): TESTING = True", "flasky:testing_set_by_setattr", "12"),
    ("in create_app: app.config.from_object(config[config_name])", "flasky:no_from_object", "12"),
    ("the testing config must keep its data elsewhere", "mistake_level3_testing_shares_database", "12"),
    ("this check reads a profile back on the app that stored it (step 5)", "flasky:testing_app_forgets", "12"),
    # step 13
    ("add a route for /register: GET shows the form, POST registers", "flasky:no_register", "13"),
    ("add a route for /register that takes POST", "flasky:register_get_only", "13"),
    ("add a route for /register that takes POST (step 13's first checks)", "flasky:register_get_only", "13"),
    ('<form method="post"> with <input name="username">', "flasky:password2_named_confirm", "13"),
    ("your /register form carries a csrf_token", "flasky:csrf_on", "13"),
    ("POST /register takes username, password and password2", "flasky:csrf_on", "13"),
    ("this check registers members first (step 13):", "flasky:csrf_on", "13"),
    ("this check logs registered members in (step 13's first checks):", "flasky:own_password_refused", "13"),
    ("a registered member logs in with their own password only", "mistake_level3_club_password_for_everyone", "13"),
    ("compare with check_password_hash(the stored hash, the password sent)", "flasky:any_other_password", "13"),
    ("POST /login looks the username up among the registered members", "flasky:own_password_refused", "13"),
    ("this check logs a registered member in (step 13):", "flasky:own_password_refused", "15"),
    ("this check logs a registered member in (step 13):", "flasky:taken_replaced_then_409", "13"),
    ("refuse an empty username: return …, 400", "flasky:empty_username_taken", "13"),
    ("refuse a password under 8 characters", "mistake_level3_short_password_accepted", "13"),
    ("refuse two passwords that differ", "flasky:passwords_may_differ", "13"),
    ("look the username up before storing it, and answer 409", "mistake_level3_register_replaces_account", "13"),
    ("a refused registration must never replace the first member's password", "flasky:any_password", "13"),
    ("store generate_password_hash(password) (from werkzeug.security)", "mistake_level3_plaintext_passwords", "13"),
    ("an unsalted digest is looked up in tables in seconds", "mistake_level3_md5_passwords", "13"),
    ("an encoding is not a hash, anyone can undo it", "mistake_level3_password_in_temp_log", "13"),
    ("remove the print() or logging call", "mistake_level3_password_printed", "13"),
    ("never put the password in the session or a cookie", "mistake_level3_password_in_session", "13"),
    ("accounts kept in a dict vanish when the app stops", "mistake_level3_accounts_in_memory", "13"),
    # step 14
    ("write the email you would send into os.path.join(current_app.instance_path", "mistake_level3_outbox_elsewhere",
     "14"),
    ("write the member's username into their email", "flasky:mail_without_name", "14"),
    ('write the link with url_for("auth.confirm", token=token, _external=True)', "flasky:mail_without_link", "14"),
    ("show the account's state on the profile page", "flasky:no_confirmed_mark", "14"),
    ("following a good link stores the confirmation", "mistake_level3_confirm_not_saved", "14"),
    ("confirm the member the token names only when they are the one logged in",
     "mistake_level3_link_confirms_whoever_follows", "14"),
    ("a token kept in the database is not signed:", "mistake_level3_unsigned_token", "14"),
    ("make the token with URLSafeTimedSerializer", "mistake_level3_unsigned_token", "14"),
    ("read how long a link works from CLUB_CONFIRM_SECONDS", "mistake_level3_token_never_expires", "14"),
    ("catch BadSignature and SignatureExpired", "flasky:bad_signature_raises", "14"),
    # step 15
    ("store the role when a member registers", "mistake_level3_role_not_shown", "15"),
    ("add /edit-profile/<username> (GET and POST) for the administrator", "flasky:editor_without_form", "15"),
    ("fill the form from the profile of the username in the URL", "mistake_level3_editor_shows_own_profile", "15"),
    ("update the profile of the username in the URL", "flasky:editor_changes_admin", "15"),
    ("the administrator's own profile must not change", "flasky:editor_changes_everyone", "15"),
    ("only the profile in the URL may change", "flasky:editor_changes_others", "15"),
    ("a member who is not the administrator must change nothing", "flasky:member_403_after_saving", "15"),
    ("nothing may change for a visitor without the administrator's rights", "flasky:visitor_401_after_saving", "15"),
    ("this check reads a registered member's profile page, stored with POST /user/", "flasky:registered_page_breaks",
     "14"),
    ("this check reads a registered member's profile page first", "flasky:registered_page_breaks", "15"),
    ("look the member up first: abort(404)", "mistake_level3_editor_for_anyone_200", "15"),
    ("the administrator was refused", "flasky:admin_lowercase", "15"),
    ("check the role of the member logged in before anything else", "mistake_level3_any_member_edits", "15"),
    ("there is no route for /edit-profile/<username>", "flasky:no_editor", "15"),
    ("the member is logged in, they just may not edit others", "flasky:member_redirected", "15"),
    ('when no one is logged in, return redirect(url_for("auth.login", next=request.path))',
     "mistake_level3_editor_open_to_visitors", "15"),
    ("never trust the username alone", "mistake_level3_admin_by_name", "15"),
    # step 16
    ('write tests/test_*.py files whose tests call create_app("testing")', "flasky:no_tests_folder", "16"),
    ("run python -m pytest tests on your app: a test that fails on it counts for nothing", "flasky:failing_test", "16"),
    ('make the app with create_app("testing") (in a fixture of tests/conftest.py)',
     "mistake_level3_tests_default_config", "16"),
    ("write one small test per rule named above", "mistake_level3_tests_kill_four", "16"),
    # the url_prefix of Flasky's auth blueprint, named where /login is looked for (level 2's checks, and step 13's)
    ('a blueprint registered with url_prefix="/auth" moves every route', "flasky:auth_prefix", "9"),
    ("redirects to /auth/login, not /login", "flasky:auth_prefix", "10"),
    ("your pages link to /auth/login, not /login", "flasky:auth_prefix", "13"),
]

# Hints no case reaches, by the start of their text: why not.
UNREACHED = {
    "run the app yourself: something in it stopped answering":
        "the app's process must die between its last answer and the grader's next question (its temporary folder "
        "read, or its made apps asked for): a race no sample can hold still",
    "registering and logging in took too long: look at step 13's first checks":
        "a shared setup must use up a check's whole time limit: an app slow enough for that is slow in every step "
        "(tests/test_level3_checks.py fakes a setup still running when the time is up)",
    "run python -m pytest tests on your app, and read docs/student/step-16.md for what the mutants break":
        "the hint of step 16's third check where the kit holds no reference and mutants (a handout):"
        " tests/test_step16.py grades a built handout for it",
    "on the testing app, your tables are missing":
        "step 12's data check on a testing app whose SQLite tables vanish between requests (\":memory:\" opened per "
        "request): tests/test_testing_database_hint.py runs the check against such an app, and the others",
}


@pytest.mark.parametrize(("hint", "where", "step"), CASES, ids=[f"{c[1]}-{c[2]}-{c[0][:30]}" for c in CASES])
def test_the_symptom_gets_its_hint(hint, where, step):
    """Graded, the submission that shows the symptom gets the hint in a failure's `hint` field."""
    found = hints_of(where, step)
    assert any(hint in text for text in found), found


# -- the checks' source: every hint they can give ---------------------------------------------
POSITIONS = {"fail": 1, "expect_page": 3, "expect_refused_login": 4, "expect_mark": 5, "expect_profile": 2,
             "expect_locked": 4}  # the argument that is the hint, by the function called


def texts(node: ast.AST, consts: dict[str, str]) -> list[str]:
    """The texts a hint expression can have: each branch of an `a if c else b` or an `a or b`."""
    if isinstance(node, ast.IfExp):
        return texts(node.body, consts) + texts(node.orelse, consts)
    if isinstance(node, ast.BoolOp):
        return [text for value in node.values for text in texts(value, consts)]
    value = text_of(node, consts)
    return [value] if value else []


def level3_hints() -> set[str]:
    """The hints of level 3's checks written as text in their source: the module's *_HINT constants, the hint
    arguments of fail and the expect_… helpers, `hint = …`, what a *_hint function returns, a case's last text."""
    found = set()
    for name in LEVEL_3:
        tree = ast.parse((CHECKS / name).read_text(encoding="utf-8"))
        consts = {target.id: node.value.value for node in tree.body if isinstance(node, ast.Assign)
                  and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
                  for target in node.targets if isinstance(target, ast.Name)}
        hints = [value for key, value in consts.items() if key.endswith("_HINT")]
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
                if called in POSITIONS and len(node.args) > POSITIONS[called]:
                    hints += texts(node.args[POSITIONS[called]], consts)
                hints += [text for word in node.keywords if word.arg in ("hint", "missing")
                          for text in texts(word.value, consts)]
            elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id in ("hint", "cases")
                                                      for t in node.targets):
                if any(isinstance(t, ast.Name) and t.id == "cases" for t in node.targets):
                    hints += [text for each in ast.walk(node.value) if isinstance(each, ast.Tuple) and each.elts
                              for text in texts(each.elts[-1], consts)]
                else:
                    hints += texts(node.value, consts)
            elif isinstance(node, ast.FunctionDef) and node.name.endswith("_hint"):
                hints += [text for each in ast.walk(node) if isinstance(each, ast.Return) and each.value is not None
                          for text in texts(each.value, consts)]
        found |= {hint.strip() for hint in hints if len(hint.strip()) > 12}
    return found


def test_every_level3_hint_has_a_case_or_a_reason():
    """A hint of level 3 that no case reaches, and that UNREACHED does not explain, is a hint nobody has seen work."""
    covered = [hint for hint, *_ in CASES]
    missing = sorted(hint for hint in level3_hints()
                     if not any(hint[:40] in case or case in hint for case in covered)
                     and not any(hint.startswith(reason) for reason in UNREACHED))
    assert missing == []


def test_the_level3_scan_finds_the_hints():
    """The scan sees the checks' hints (so an empty scan cannot pass the test above), and UNREACHED names real ones."""
    found = level3_hints()
    assert len(found) >= 50
    assert any(hint.startswith("only TestingConfig sets TESTING = True") for hint in found)
    assert all(any(hint.startswith(reason) for hint in found) for reason in UNREACHED)


# -- step 16 quotes a failing test where it stopped -------------------------------------------
ASSERTION = """    def test_unknown(app):
>       assert app.test_client().get("/user/Nobody").status_code == 404
E       AssertionError: assert 200 == 404
E        +  where 200 = <WrapperTestResponse 5 bytes [200 OK]>.status_code

tests/test_club.py:28: AssertionError"""
INSIDE_THE_APP = """    def test_boom(app):
>       app.test_client().get("/boom")

tests/test_club.py:31:
_ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _
    def boom():
>       return SECRETS["key"]
E       KeyError: 'key'

club/main.py:12: KeyError"""
IMPORT_ERROR = """ImportError while importing test module '/app/tests/test_db.py'.
Traceback:
tests/test_db.py:3: in <module>
    from club.db import account
E   ImportError: cannot import name 'account' from 'club.db'"""


@pytest.mark.parametrize(("message", "said"), [
    (ASSERTION, 'test_club.py:28: assert app.test_client().get("/user/Nobody").status_code == 404 → '
                "AssertionError: assert 200 == 404"),
    (INSIDE_THE_APP, "test_club.py:31: app.test_client().get(\"/boom\") → KeyError: 'key'"),
    (IMPORT_ERROR, "ImportError: cannot import name 'account' from 'club.db'"),
    ("Skipped: needs a database", "Skipped: needs a database"),
    ("", ""),
], ids=["assertion", "inside-the-app", "import-error", "skip", "empty"])
def test_a_failing_test_is_quoted_at_its_own_line_and_error(message, said):
    """The test's own line and the error's first line: never pytest's '+ where' lines, never the app's code."""
    assert last_line(message) == said


def test_a_long_failure_is_cut_to_one_line_of_200_characters():
    long = ASSERTION.replace('"/user/Nobody"', '"/user/' + "N" * 300 + '"')
    said = last_line(long)
    assert len(said) == 200 and said.endswith("…") and "\n" not in said


# -- Flasky's url_prefix ------------------------------------------------------------------------
@pytest.mark.parametrize(("target", "path", "prefix"), [
    ("/auth/login", "/login", "/auth"),
    ("/auth/login?next=%2Faccount-details", "/login", "/auth"),
    ("http://localhost:5000/auth/login", "/login", "/auth"),
    ("/auth/register", "/register", "/auth"),
    ("/login", "/login", None),
    ("/user/login", "/login", None),  # a member named login
    ("/edit-profile/login", "/login", None),
    ("login", "/login", None),
])
def test_the_prefix_that_moved_a_route_is_read_from_where_it_went(target, path, prefix):
    assert moved_by_prefix(target, path) == prefix


# -- the Flasky-style sample's own tests --------------------------------------------------------
def test_the_flasky_samples_tests_kill_every_mutant():
    """valid_level3_flasky_extensions, built by following the guide, gets step 16's 20 points: its tests pass on it
    and on the reference, and kill each of the 24 mutants of levels 1 and 3."""
    done = run_checks(FLASKY, "--format", "json", "--seed", "16", "--step", "16")
    assert done.returncode == 0, done.stderr
    step = json.loads(done.stdout)["steps"][0]
    failures = [check["failure"] for check in step["checks"] if check["failure"]]
    assert (step["score"], step["max_score"], failures) == (20, 20, [])
