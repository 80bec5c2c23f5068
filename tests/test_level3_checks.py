"""Level 3's checks (steps 12 to 15): their parts in this process, then whole samples end to end.

The parts: the password scan's encodings and places (files, cookies, Flask's session), the
outbox's mail and link, the token's one changed character, the source read of step 12 and
step 15's refusals. End to end: the valid level-3 sample and the level-3 reference get full
marks on each of steps 12 to 15, and each level-3 mistake gets exactly the verdict
tests/submissions/verdicts.toml gives it, on the steps it fails. (Step 16 has tests of its own.)
"""

from __future__ import annotations

import base64
import codecs
import hashlib
import json
import os
import pwd
import shutil
import subprocess
import tempfile
import threading
import time
import types
import warnings
from collections.abc import Iterator
from pathlib import Path

import flask
import markupsafe
import pytest
import verdicts
from conftest import ROOT, SUBMISSIONS
from test_level2_checks import club_of, failure, step
from werkzeug.security import generate_password_hash

from checks import accounts, password_scan, shared_apps
from checks import outbox as the_outbox
from checks import test_step12_factory as step12
from checks import test_step15_admin as step15
from checks.data import Data
from checks.notes import Notes
from checks.reply import Reply

PASSWORD = "Zq7RkP2m>Wx9LtB4n??"  # not only letters and digits: its URL-safe base64 differs from base64
LEVEL3 = ["12", "13", "14", "15"]


# -- the scan ---------------------------------------------------------------------------------------
CONTRACT_FORMS = {
    "in plain": PASSWORD.encode(),
    "reversed": PASSWORD[::-1].encode(),
    "in UTF-16 LE": PASSWORD.encode("utf-16-le"),
    "in UTF-16 BE": PASSWORD.encode("utf-16-be"),
    "in base64": base64.b64encode(PASSWORD.encode()),
    "in URL-safe base64": base64.urlsafe_b64encode(PASSWORD.encode()).rstrip(b"="),
    "in ROT13": codecs.encode(PASSWORD, "rot13").encode(),
    "in hexadecimal": PASSWORD.encode().hex().encode(),
    "in upper-case hexadecimal": PASSWORD.encode().hex().upper().encode(),
    "as its unsalted MD5 digest": hashlib.md5(PASSWORD.encode()).hexdigest().encode(),
    "as its unsalted SHA-1 digest in upper case": hashlib.sha1(PASSWORD.encode()).hexdigest().upper().encode(),
    "as its unsalted SHA-256 digest": hashlib.sha256(PASSWORD.encode()).hexdigest().encode(),
    "as its unsalted SHA-512 digest in upper case": hashlib.sha512(PASSWORD.encode()).hexdigest().upper().encode(),
}


@pytest.mark.parametrize("how", sorted(CONTRACT_FORMS))
def test_the_scan_finds_each_trivial_form_of_a_password_inside_other_bytes(how):
    """Each form the contract lists is found, named, in the middle of a file (padding or not)."""
    data = b"CREATE TABLE account; " + CONTRACT_FORMS[how] + b"== and more"
    found = password_scan.find_password(["SomeoneElse12345", PASSWORD], [("the file instance/club.sqlite", data)])
    assert found is not None
    assert found == ("the file instance/club.sqlite", PASSWORD, how)


def test_a_salted_hash_holds_no_trivial_form():
    """Werkzeug's generate_password_hash (salted) passes the scan, with the file's other text around it."""
    stored = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000").encode()
    assert password_scan.find_password([PASSWORD], [("the file instance/club.sqlite", b"account|" + stored)]) is None


def test_flasks_session_cookie_is_decoded_compressed_or_not():
    """A password in Flask's session is found in the decoded cookie, whether Flask compressed it or not."""
    app = flask.Flask(__name__)
    app.secret_key = "k" * 32

    @app.get("/<int:size>")
    def keep(size):
        flask.session["password"] = PASSWORD
        flask.session["padding"] = "a" * size  # a long, repetitive session is compressed (the cookie starts with ".")
        return "ok"

    client = app.test_client()
    for size in (0, 2000):
        header = client.get(f"/{size}").headers["Set-Cookie"]
        assert header.split("=", 1)[1].startswith(".") == (size > 0)
        places = password_scan.cookie_places([header])
        decoded = "the cookie session, decoded as Flask's session"
        assert [place for place, _ in places] == ["the cookie session", decoded]
        assert password_scan.find_password([PASSWORD], places)[0] == decoded


def test_changed_files_are_the_new_or_changed_ones_and_links_are_not_followed(tmp_path):
    """Files byte-identical to the handed-in ones are left out; a link (to a file or a folder) is never read."""
    given, copy, outside = tmp_path / "given", tmp_path / "copy", tmp_path / "outside"
    for root in (given, copy):
        (root / "club").mkdir(parents=True)
        (root / "app.py").write_text("from club import create_app\n")
        (root / "club" / "same.py").write_text("x = 1\n")
    (copy / "club" / "same.py").write_text("x = 2\n")
    (copy / "instance").mkdir()
    (copy / "instance" / "club.sqlite-wal").write_bytes(b"wal")
    outside.mkdir()
    (outside / "secret").write_text(PASSWORD)
    (copy / "link").symlink_to(outside / "secret")
    (copy / "folder").symlink_to(outside)
    found = dict(password_scan.changed_files(copy, given))
    assert found == {"club/same.py": b"x = 2\n", "instance/club.sqlite-wal": b"wal"}


def changed_files_as(user: str | None, copy: Path, given: Path) -> dict[str, bytes]:
    """changed_files run as that user (None: this process's own), in a forked process of this one."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: become the user, scan, send the result as JSON
        code = 1
        try:
            os.close(read)
            if user is not None:
                entry = pwd.getpwnam(user)
                os.setgroups([])
                os.setgid(entry.pw_gid)
                os.setuid(entry.pw_uid)
            found = {name: data.decode() for name, data in password_scan.changed_files(copy, given)}
            os.write(write, json.dumps(found).encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    return {name: text.encode() for name, text in json.loads(data).items()}


@pytest.fixture
def ordinary_user() -> Iterator[str | None]:
    """As root: a throwaway ordinary user, removed after the test whatever happens; else None (this user)."""
    if os.geteuid() != 0:
        yield None
        return
    name = f"club-l3-{os.getpid()}"
    done = subprocess.run(["useradd", "--system", "--no-create-home", "--user-group", "--shell",
                           "/usr/sbin/nologin", name], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"no ordinary user could be made: {done.stderr.strip()}")
    try:
        yield name
    finally:
        subprocess.run(["pkill", "-KILL", "-u", name], capture_output=True, timeout=30)
        subprocess.run(["userdel", name], capture_output=True, timeout=30)


@pytest.mark.parametrize("as_root", [True, False], ids=["root", "ordinary-user"])
def test_files_the_app_made_unreadable_are_read_all_the_same(tmp_path, ordinary_user, as_root):
    """A stopped app's files and folders of mode 000 are read by the scan, by root and by the copy's owner alike."""
    if as_root and os.geteuid() != 0:
        pytest.skip("root only")
    base = Path(tempfile.mkdtemp(prefix="flask-club-l3-"))
    try:
        given, copy = base / "given", base / "copy"
        given.mkdir()
        (copy / "instance" / "hidden").mkdir(parents=True)
        (copy / "instance" / "club.sqlite").write_text(PASSWORD)
        (copy / "instance" / "hidden" / "note").write_text(PASSWORD[::-1])
        user = None if as_root else ordinary_user
        if user is not None:
            entry = pwd.getpwnam(user)
            base.chmod(0o755)
            given.chmod(0o755)
            for path in [copy, *copy.rglob("*")]:
                os.chown(path, entry.pw_uid, entry.pw_gid)
        (copy / "instance" / "club.sqlite").chmod(0)
        (copy / "instance" / "hidden" / "note").chmod(0)
        (copy / "instance" / "hidden").chmod(0)
        found = changed_files_as(user, copy, given)
        assert found == {"instance/club.sqlite": PASSWORD.encode(), "instance/hidden/note": PASSWORD[::-1].encode()}
    finally:
        subprocess.run(["chmod", "-R", "u+rwx", str(base)], capture_output=True, timeout=60)
        shutil.rmtree(base, ignore_errors=True)


# -- the outbox -----------------------------------------------------------------------------------
def outbox_club(tmp_path: Path):
    app = flask.Flask(__name__)
    app.get("/")(lambda: "ok")
    club = club_of(app, "14", root=tmp_path)
    (tmp_path / "instance" / "outbox").mkdir(parents=True)
    return club, tmp_path / "instance" / "outbox"


def test_the_link_is_read_from_the_new_mail_to_the_member(tmp_path):
    """Of the new files, the one naming the member gives its first http(s) URL's path and query, whatever its host."""
    club, outbox = outbox_club(tmp_path)
    (outbox / "old.txt").write_text("To: MiraK2024\nhttp://localhost/confirm/old")
    before = the_outbox.outbox(club)
    (outbox / "other.txt").write_text("To: SomeoneElse\nhttp://localhost/confirm/theirs")
    (outbox / "new.txt").write_text("To: MiraK2024\n\nConfirm: https://club.example:8000/auth/confirm/a.b-c_d~e?x=1\n")
    assert the_outbox.link_for(club, "MiraK2024", before) == "/auth/confirm/a.b-c_d~e?x=1"


def test_a_link_in_the_outbox_is_not_followed(tmp_path):
    """A mail that is a link the app made (to a file outside its folder) is not read: no mail came."""
    club, outbox = outbox_club(tmp_path)
    (tmp_path / "elsewhere.txt").write_text("To: MiraK2024 http://localhost/confirm/t")
    (outbox / "mail.txt").symlink_to(tmp_path / "elsewhere.txt")
    os.mkfifo(outbox / "fifo")  # never opened for reading: it would block
    assert the_outbox.outbox(club) == {}
    said = failure(the_outbox.link_for, club, "MiraK2024", {})
    assert "no new file appeared in instance/outbox/ within 2 s" in said.problem


def test_an_outbox_reached_through_a_link_is_not_read(tmp_path):
    """instance/ (or outbox/) made a link to a folder outside the copy: nothing there is read as mail."""
    elsewhere = tmp_path / "elsewhere" / "outbox"
    elsewhere.mkdir(parents=True)
    (elsewhere / "mail.txt").write_text("To: MiraK2024 http://localhost/confirm/t")
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / "instance").symlink_to(elsewhere.parent)
    club = club_of(flask.Flask(__name__), "14", root=copy)
    assert the_outbox.outbox(club) == {}
    (copy / "instance").unlink()
    (copy / "instance").mkdir()
    (copy / "instance" / "outbox").symlink_to(elsewhere)
    assert the_outbox.outbox(club) == {}


@pytest.mark.parametrize(
    ("mail", "said"),
    [
        ("To: SomeoneElse http://localhost/confirm/t", "none holds the username"),
        ("To: MiraK2024, welcome!", "holds no http:// or https:// link"),
    ],
)
def test_a_mail_without_the_member_or_a_link_says_so(tmp_path, mail, said):
    club, outbox = outbox_club(tmp_path)
    (outbox / "mail.txt").write_text(mail)
    assert said in failure(the_outbox.link_for, club, "MiraK2024", {}).problem


@pytest.mark.parametrize(
    ("link", "token", "other"),
    [
        ("/confirm/abc.DEF-ghi", "abc.DEF-ghi", "/confirm/XYZ"),
        ("/auth/confirm/abc/?next=/", "abc", "/auth/confirm/XYZ/?next=/"),
    ],
)
def test_the_token_is_the_last_segment_of_the_links_path(link, token, other):
    assert the_outbox.token_of(link) == token
    assert the_outbox.with_token(link, "XYZ") == other


class FakeGrading:
    """What start_shared asks of a run: the step of a check (a run is weakly referenced)."""

    def step_of(self, item):
        return step("15")


def test_level3s_shared_apps_start_together_once_a_run_where_their_checks_are_graded(monkeypatch):
    """Every declared setup whose module is graded starts at once (a setup for one check, only where it is graded)."""
    started = []

    def start(cls, grading, step_, why, **variables):
        shared = shared_apps.Shared(club_of(flask.Flask(__name__), "15"), why)
        shared.run_in_background = lambda setup: started.append((why, variables, setup)) or shared
        return shared

    monkeypatch.setattr(shared_apps.Shared, "start", classmethod(start))
    monkeypatch.setattr(shared_apps, "SETUPS", {})
    shared_apps.share("step_a", "members", "a", lambda grading: "setup a")
    shared_apps.share("step_b", "expiring", "b", lambda grading: "setup b", only_for="test_b", CLUB_CONFIRM_SECONDS="2")
    shared_apps.share("step_b", "members", "b2", lambda grading: "setup b2")
    shared_apps.share("step_c", "members", "c", lambda grading: "setup c")

    def item(module, name):
        return types.SimpleNamespace(module=types.SimpleNamespace(__name__=module), name=name)

    session = types.SimpleNamespace(items=[item("step_a", "test_a"), item("step_b", "test_other")])
    grading = FakeGrading()
    shared = shared_apps.start_shared(grading, session)
    assert sorted(shared) == [("step_a", "members"), ("step_b", "members")]
    assert started == [("a", {}, "setup a"), ("b2", {}, "setup b2")]
    assert shared_apps.start_shared(grading, session) is shared and len(started) == 2
    session.items.append(item("step_b", "test_b"))
    shared = shared_apps.start_shared(FakeGrading(), session)  # another run
    assert sorted(shared) == [("step_a", "members"), ("step_b", "expiring"), ("step_b", "members")]
    assert ("b", {"CLUB_CONFIRM_SECONDS": "2"}, "setup b") in started[2:]


def test_a_check_waits_for_its_shared_setup_and_says_so_when_its_time_is_up():
    """A setup running in the background is waited for; one still running when the check's time is up is named."""
    club = club_of(small_club(lambda: flask.abort(403)), "15")
    done = shared_apps.Shared(club, "shared").run_in_background(lambda setup: {"got": setup.get("/").status_code})
    notes = Notes(step("15"))
    done.time_left = lambda: 30.0
    done.browser(notes)
    assert done.made == {"got": 404} and notes.lines[:2] == ["shared", "GET / → 404 text/html"]
    release = threading.Event()
    stuck = shared_apps.Shared(club_of(flask.Flask(__name__), "15"), "shared").run_in_background(
        lambda setup: release.wait(30) and {})
    try:
        said = failure(stuck.browser, Notes(step("15")))
        assert "was still being set up when this check's time was up" in said.problem
    finally:
        release.set()


def test_the_expiry_check_counts_its_wait_from_the_registration(monkeypatch):
    """The expiry check follows the link 4 s after POST /register answered, made as step 14 started: where the other
    checks took that long, it waits no more; where they took no time, it waits the rest."""
    app = flask.Flask(__name__)
    app.get("/confirm/<token>", endpoint="confirm")(lambda token: flask.redirect("/"))
    app.get("/user/<name>", endpoint="user")(lambda name: f'<p id="confirmed">no</p><p>{markupsafe.escape(name)}</p>')
    with warnings.catch_warnings():  # its marks are the grader's (checks/pytest.ini), unknown to the kit's tests
        warnings.simplefilter("ignore", pytest.PytestUnknownMarkWarning)
        from checks import test_step14_confirm as step14
    club = club_of(app, "14")
    slept = []
    monkeypatch.setattr(step14.time, "sleep", slept.append)
    shared = shared_apps.Shared(club, "started your app with CLUB_CONFIRM_SECONDS=2")
    made = {"username": "MiraK2024", "link": "/confirm/abc", "member": accounts.another_browser(club)}
    shared.made = {**made, "made": time.monotonic() - 10}
    step14.test_expired_link_is_refused(shared, Notes(step("14")))
    assert slept == [0.0]
    shared.made = {**made, "made": time.monotonic()}
    notes = Notes(step("14"))
    step14.test_expired_link_is_refused(shared, notes)
    assert 3 < slept[-1] <= 4
    assert notes.replay[-3:-1] == ["sleep 4", "curl -i -b cookies.txt -c cookies.txt http://localhost:5000/confirm/abc"]


# -- step 12: read from the code ------------------------------------------------------------------
CONFIG = """import os


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY")


class TestingConfig(Config):
    TESTING = True
"""
FACTORY = "def create_app(name='default'):\n    app.config.from_object(config[name])\n"


@pytest.mark.parametrize(
    ("files", "said"),
    [
        ({"config.py": "config = {'testing': {'TESTING': True}}\n", "club/__init__.py": FACTORY},
         "at least two classes whose names end in Config, found 0"),
        ({"config.py": CONFIG.replace("    TESTING = True", "    DEBUG = True"), "club/__init__.py": FACTORY},
         "none of the …Config classes sets TESTING = True"),
        ({"config.py": CONFIG, "club/__init__.py": FACTORY.replace("from_object", "update")},
         "no .py file calls .config.from_object("),
        ({"tests/config.py": CONFIG, "club/__init__.py": FACTORY}, "found 0"),
        ({"config.py": CONFIG, "club/__init__.py": FACTORY}, None),
    ],
)
def test_the_config_classes_are_read_from_the_code_outside_tests(tmp_path, files, said):
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    grading = types.SimpleNamespace(workspace=types.SimpleNamespace(pristine=tmp_path, root=tmp_path))
    notes = Notes(step("12"))
    if said is None:
        step12.test_config_classes_in_code(grading, notes)
    else:
        assert said in failure(step12.test_config_classes_in_code, grading, notes).problem


# -- step 15 ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("status", "location", "refused"),
    [
        (401, None, True),
        (403, None, True),
        (302, "/login?next=%2Fedit-profile%2FMira", True),
        (302, "http://localhost/login", True),
        (302, "/", False),
        (200, None, False),
        (404, None, False),
    ],
)
def test_a_visitor_to_the_editor_is_refused_with_401_403_or_a_redirect_to_login(status, location, refused):
    headers = {"location": location} if location else {}
    assert step15.refused(Reply("GET", "/edit-profile/Mira", status, headers, b"")) is refused


def small_club(editor_for_members) -> flask.Flask:
    """A level-3 club in a few lines: register, log in, profiles; `editor_for_members` answers a member's editor."""
    app = flask.Flask(__name__)
    app.secret_key = "small"
    accounts_, profiles = {}, {}

    @app.post("/register")
    def register():
        accounts_[flask.request.form["username"]] = flask.request.form["password"]
        return flask.redirect("/login")

    @app.post("/login")
    def login():
        if accounts_.get(flask.request.form["username"]) != flask.request.form["password"]:
            return "no", 401
        flask.session["username"] = flask.request.form["username"]
        return flask.redirect("/")

    @app.post("/user/")
    def store():
        profiles[flask.request.form["username"]] = dict(flask.request.form)
        return flask.redirect("/")

    @app.get("/user/<username>")
    def show(username):
        profile = profiles[username]
        fields = ("username", "food", "message")
        return "".join(f'<p id="{name}">{markupsafe.escape(profile[name])}</p>' for name in fields)

    @app.route("/edit-profile/<username>", methods=["GET", "POST"])
    def edit(username):
        return editor_for_members()

    return app


def members_of(app: flask.Flask) -> shared_apps.Shared:
    """Step 15's members, registered on `app` as its checks share them."""
    club = club_of(app, "15")
    shared = shared_apps.Shared(club, "shared")
    return shared.run(lambda setup: step15.club_members(setup, Data(1, "members"), "Admin1"))


@pytest.mark.parametrize(
    ("answer", "said", "hint"),
    [
        (lambda: flask.redirect("/login"), "to answer 403, got 302 to /login", "not a redirect"),
        (lambda: ("who?", 401), "to answer 403, got 401", "not a redirect"),
        (lambda: flask.abort(404), "to answer 403, got 404", "there is no route for /edit-profile/<username>"),
        (lambda: "<form method=post></form>", "to answer 403, got 200", "abort(403) unless they are the administrator"),
    ],
)
def test_a_member_let_into_the_editor_gets_a_hint_by_what_came_back(answer, said, hint):
    members = members_of(small_club(answer))
    found = failure(step15.test_member_gets_403, members, Notes(step("15")), Data(1, "test_member_gets_403"))
    assert said in found.problem and hint in found.hint


def test_a_member_refused_with_403_changes_nothing_and_passes():
    members = members_of(small_club(lambda: flask.abort(403)))
    step15.test_member_gets_403(members, Notes(step("15")), Data(1, "test_member_gets_403"))


def test_a_check_sharing_an_app_opens_its_log_with_the_setup_and_fails_as_the_setup_did():
    """The setup's requests open each sharing check's log (its replay too); a setup that failed is their failure."""
    members = members_of(small_club(lambda: flask.abort(403)))
    notes = Notes(step("15"))
    members.browser(notes)
    assert notes.lines[0] == "shared" and any(line.startswith("POST /register") for line in notes.lines)
    assert any("/register" in command for command in notes.replay)
    app = small_club(lambda: flask.abort(403))
    app.view_functions["register"] = lambda: ("no", 404)
    broken = members_of(app)
    found = failure(step15.test_roles_are_shown, broken, Notes(step("15")))
    assert "expected POST /register of a new member to be accepted" in found.problem
    assert found.log[0] == "shared"


# -- end to end -----------------------------------------------------------------------------------
VALID = [SUBMISSIONS / name for name in sorted(verdicts.samples()) if name.startswith("valid_level3_")]
VALID.append(ROOT / "solution-level3")
MISTAKES = sorted(name for name in verdicts.samples() if name.startswith("mistake_level3_"))


@pytest.mark.parametrize("submission", VALID, ids=lambda path: path.name)
def test_a_valid_level3_submission_gets_full_marks_on_steps_12_to_15(submission, grade):
    """Each of steps 12 to 15, graded alone: every check passes (step 16, the student's tests, is graded apart)."""
    if not submission.is_dir():
        pytest.skip(f"{submission.name} is not in this kit")
    for step_id in LEVEL3:
        result = grade(submission, "--step", step_id)
        assert [entry["id"] for entry in result["steps"]] == [step_id]
        assert verdicts.problems(result, {}) == [], step_id
        assert result["score"] == result["max_score"] == verdicts.steps()[step_id].max_score


@pytest.mark.parametrize("name", MISTAKES)
def test_a_level3_mistake_gets_the_contracts_verdict(name, grade):
    """Each level-3 mistake fails exactly the checks verdicts.toml names, on each step they belong to."""
    fails = verdicts.samples()[name]
    for step_id in sorted(verdicts.steps_of(fails), key=int):
        result = grade(SUBMISSIONS / name, "--step", step_id)
        assert verdicts.problems(result, fails) == [], step_id


def test_every_level3_check_is_the_named_failure_of_a_level3_mistake():
    """Each check of steps 12 to 15 is some level-3 mistake's own failure, with a phrase of its own."""
    targeted = set().union(*(verdicts.targets(verdicts.samples()[name]) for name in MISTAKES))
    every = {name for name, step_id in verdicts.step_of_check().items() if step_id in LEVEL3}
    assert sorted(every - targeted) == []
