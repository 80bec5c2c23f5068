"""What level 3's checks share: registering members, logging in with a member's own password,
the profile page's `#role` and `#confirmed`, the outbox's links, and the scan for passwords.

Every check of level 3 talks to the app started on a fresh copy of the submission, in a
browser of its own; `another_browser` opens a new one on the same app. Profiles are
stored, and read back, by a new visitor.

This is level 3's client: what its checks ask of the app's process (the apps create_app
makes, a restart with other variables, the outbox, what a stopped app left) is asked here,
so the step modules use a `Club` and these functions, never the sandbox.
"""

from __future__ import annotations

import base64
import codecs
import hashlib
import os
import re
import stat
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from weakref import WeakKeyDictionary

import pytest

from checks.club import Club, browser
from checks.data import Data
from checks.members import status_names
from checks.notes import CheckFailed, Notes
from checks.replay import profile_path
from checks.reply import Reply, show
from checks.sandbox.protocol import AppFailure
from checks.sandbox.sandbox import Sandbox
from checks.sandbox.wsgi import RemoteApp

REGISTER_HINT = (
    "POST /register takes username, password and password2: refuse (400) an empty username, a password under "
    "8 characters or two passwords that differ, else store the username with generate_password_hash(password)"
)
OWN_PASSWORD_HINT = (
    "POST /login looks the username up among the registered members: check_password_hash(stored hash, password) "
    "decides, and only a username never registered still logs in with the club password"
)
OUTBOX = Path("instance") / "outbox"
OUTBOX_WAIT = 2.0  # seconds the checks wait for the outbox's new file, after POST /register answered
READ_LIMIT = 64 << 10  # what the checks read of one outbox file
URL = re.compile(r"https?://[^\s\"'<>]+")


# -- browsers ------------------------------------------------------------------
def club_with(grading, notes: Notes, **variables: str) -> Club:
    """A check's conversation with the app on a fresh copy, started with some of its variables changed.

    A check marked @pytest.mark.app_with(**variables) has that app started early, at collection.
    """
    remote = RemoteApp(grading.fresh_sandbox({**grading.env(), **variables}))
    club = Club(browser(remote), remote, notes, grading.password, grading.request_timeout,
                grading.workspace.template_source)
    club.ensure_loaded()
    return club


def another_browser(club: Club) -> Club:
    """The same check, on the same app, in a new browser (no cookies yet)."""
    return Club(browser(club.remote), club.remote, club.notes, club.password, club.request_timeout, club.template)


class Shared:
    """One app on a fresh copy that some checks of a step share, where the contract lets them, and what was made
    on it first (members registered, profiles stored) for all of them.

    The contract runs each check on a fresh copy unless it says otherwise: a check that shares says so in its
    log's first line. Sharing saves what level 3 costs most, the app's own slow password hashing, one
    registration and one login at a time. What the setup did (its requests, replayable) opens each sharing
    check's log, and a setup that failed is the failure of each of them. Each check still talks to the app
    in a browser of its own.

    Level 3's setups start together as its first check runs (start_shared), each in a thread of its own:
    their apps hash while the checks before them run, on the other core.
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
    """Level 3's shared apps start as its first check runs (each step module imports this fixture)."""
    start_shared(grading, request.session)


def shared_app(request: pytest.FixtureRequest, grading, name: str) -> Shared:
    """The requesting step module's shared app of that name (see share)."""
    return start_shared(grading, request.session)[request.module.__name__, name]


def on_app(club: Club, target: str) -> Club:
    """A new browser talking to the app create_app(target) made in the app's process (see made_apps)."""
    remote = RemoteApp(club.remote.sandbox, target=target)
    return Club(browser(remote), remote, club.notes, club.password, club.request_timeout, club.template)


def made_apps(club: Club, hint: str) -> dict[str, dict]:
    """What the app's process says of create_app(), create_app("default") and create_app("testing") (step 12).

    Each call's report: "error" (what it raised, or "" when it made an app), "new", "testing", "shown",
    "rules" and "blueprints". The check fails, with `hint`, where the process could not be asked.
    """
    try:
        report = club.remote.sandbox.make_apps(club.request_timeout())
    except AppFailure as error:
        club.fail(f"calling create_app() three times in your app's process failed: {error}", hint)
    club.notes.add('called create_app(), create_app("default") and create_app("testing") in your app\'s process')
    if "error" in report and report["error"].get("error"):
        club.fail(report["error"]["error"], hint)
    return report


def restart_with(club: Club, why: str = "", **variables: str) -> None:
    """Stop the app's process and start a new one from the same folder, with some of its variables changed.

    Without variables, this is Club.restart (the same variables). `why` ends the log's line
    ("with another SECRET_KEY").
    """
    if not variables:
        club.restart()
        return
    sandbox = club.remote.sandbox
    sandbox.kill()
    sandbox.env = {**sandbox.env, **variables}
    club.notes.add(f"stopped your app's process, and started a new one from the same folder {why}".rstrip())
    club.notes.replay.append("# now stop your server (Ctrl-C where `make run` runs), start it again "
                             f"{why}, then:".replace("  ", " "))
    club.ensure_loaded()


def stopped_app_places(club: Club, given: Path) -> list[tuple[str, bytes]]:
    """Stop the app, and return what it left where a password could hide (step 13's scan), each with its name.

    Its temporary folder (read while it still runs), then every file of the copy not byte-identical
    to the one handed in (`given`), and everything it printed.
    """
    sandbox = club.remote.sandbox
    try:
        temporary = [(f"the temporary file {name}", content) for name, content in sandbox.temp_files()]
    except AppFailure as error:
        club.fail(f"the app's temporary folder could not be read: {error}",
                  "run the app yourself: something in it stopped answering")
    sandbox.kill()
    files = [(f"the file {name}", content) for name, content in changed_files(sandbox.root, given)]
    return files + temporary + [("what your app printed", sandbox.output.text().encode())]


# -- registering and logging in ------------------------------------------------
def register(club: Club, username: str, password: str, password2: str | None = None) -> Reply:
    """POST /register with exactly username, password and password2 (the same password, unless given)."""
    form = {"username": username, "password": password, "password2": password if password2 is None else password2}
    return club.post("/register", form)


def registered(club: Club, username: str, password: str) -> Reply:
    """Register a member; fail the check, naming step 13, if the app does not accept it."""
    reply = register(club, username, password)
    if not reply.accepted:
        club.fail(
            f"expected POST /register of a new member to be accepted (2xx, or a 3xx redirect), got {reply.summary()}",
            f"this check registers members first (step 13): {REGISTER_HINT}",
        )
    return reply


def log_in(club: Club, username: str, password: str) -> Reply:
    """POST /login in the check's browser with a username and that password."""
    return club.post("/login", {"username": username, "password": password})


def logged_in(club: Club, username: str) -> bool:
    """Whether GET / in this browser names the member in #status (step 9's)."""
    home = club.get("/")
    return home.status_code == 200 and status_names(home, username)


def member_logs_in(club: Club, username: str, password: str, *, status: bool = True) -> Club:
    """Log a registered member in from a new browser, with their own password; fail, naming step 13, if not.

    `status`: also see GET / name them in #status (step 15 counts a 2xx or 3xx answer as done).
    """
    member = another_browser(club)
    reply = log_in(member, username, password)
    if not reply.accepted:
        club.fail(
            f"expected POST /login of a registered member, with their own password, to be accepted "
            f"(2xx, or a 3xx redirect), got {reply.summary()}",
            f"this check logs a registered member in (step 13): {OWN_PASSWORD_HINT}",
        )
    if status and not logged_in(member, username):
        club.fail(
            f"after POST /login as {show(username)} with their own password, GET / does not name them in #status",
            f"this check logs a registered member in (step 13): {OWN_PASSWORD_HINT}",
        )
    return member


def new_member(club: Club, data: Data) -> tuple[str, str]:
    """A username and password, registered (the check fails, naming step 13, if registering does)."""
    username, password = data.username(), data.member_password()
    registered(another_browser(club), username, password)
    return username, password


# -- the profile page's marks ----------------------------------------------------
def mark(club: Club, username: str, field_id: str) -> tuple[Reply, str | None]:
    """The profile page as a new visitor, and its #field_id's text (trimmed, lower case), None if none."""
    page = club.profile_page(username)
    texts = page.field_texts(field_id)
    return page, texts[0].strip().lower() if texts else None


def expect_mark(
    club: Club, username: str, field_id: str, wanted: str, why: str, hint: str, missing: str | None = None
) -> None:
    """The member's profile page says `wanted` in #field_id; else fail, saying what it said.

    `missing` is the hint where the page has no #field_id (else `hint`)."""
    page, said = mark(club, username, field_id)
    if page.status_code != 200:
        club.fail(
            f"expected GET {profile_path(username)} to answer 200, got {page.summary()}",
            "this check reads a registered member's profile page, stored with POST /user/ (steps 2 and 5)",
        )
    if said != wanted:
        seen = f'the page has no element with id="{field_id}"' if said is None else f"#{field_id} says {show(said)}"
        club.fail(f"{why}: expected #{field_id} to read {show(wanted)}, but {seen}",
                  missing if said is None and missing else hint, expected=wanted, actual=said)


# -- the outbox ------------------------------------------------------------------
def read_regular(path: Path, limit: int) -> bytes | None:
    """A regular file's first `limit` bytes, never through a link the app made; None if it is not one."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as file:
        try:
            if not stat.S_ISREG(os.fstat(descriptor).st_mode):
                return None
            return file.read(limit)
        except OSError:
            return None


def outbox(club: Club) -> dict[str, str]:
    """The files of the app's instance/outbox/, in its copy (name: text, UTF-8, 64 KiB at most each)."""
    root = club.remote.sandbox.root
    folder = root / OUTBOX
    if os.path.realpath(folder) != os.path.join(os.path.realpath(root), OUTBOX) or not folder.is_dir():
        return {}  # instance/ or outbox/ is a link the app made: never read where it leads
    found = {}
    for entry in sorted(os.listdir(folder))[:1000]:
        data = read_regular(folder / entry, READ_LIMIT)
        if data is not None:
            found[entry] = data.decode("utf-8", "replace")
    return found


def link_for(club: Club, username: str, before: dict[str, str]) -> str:
    """The path and query of the link in the outbox's new mail to `username`; fail the check if none comes.

    Waits up to OUTBOX_WAIT seconds for it (mail sent from a thread is fine).
    """
    deadline = time.monotonic() + OUTBOX_WAIT
    while True:
        new = {name: text for name, text in outbox(club).items() if name not in before}
        mails = [text for text in new.values() if username in text]
        if mails or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    if not new:
        club.fail(
            f"after POST /register of {show(username)}, no new file appeared in instance/outbox/ within "
            f"{OUTBOX_WAIT:g} s",
            "write the email you would send into os.path.join(current_app.instance_path, \"outbox\") "
            "(os.makedirs(..., exist_ok=True) first), one file per registration",
        )
    if not mails:
        club.fail(
            f"a new file appeared in instance/outbox/ after POST /register, but none holds the username "
            f"{show(username)}",
            "write the member's username into their email, beside the link",
        )
    found = URL.search(mails[0])
    if found is None:
        club.fail(
            f"the outbox's mail to {show(username)} holds no http:// or https:// link",
            "write the link with url_for(\"auth.confirm\", token=token, _external=True)",
        )
    club.notes.add(f"instance/outbox/ got a mail to {show(username)} with the link {show(found[0], 160)}")
    link = found[0].split("://", 1)[1]
    slash = link.find("/")
    return link[slash:] if slash >= 0 else "/"


def token_of(path: str) -> str:
    """The link's token: the last segment of its path."""
    return path.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]


def with_token(path: str, token: str) -> str:
    """The link with another token in place of its own."""
    address, mark_, query = path.partition("?")
    stripped = address.rstrip("/")
    head = stripped.rsplit("/", 1)[0]
    return f"{head}/{token}{address[len(stripped):]}{mark_}{query}"


# -- the scan for passwords --------------------------------------------------------
def encodings(password: str) -> dict[str, bytes]:
    """Every form of a password the contract calls trivial, each as the bytes to look for."""
    raw = password.encode()
    found = {
        "in plain": raw,
        "reversed": raw[::-1],
        "in UTF-16 LE": password.encode("utf-16-le"),
        "in UTF-16 BE": password.encode("utf-16-be"),
        "in base64": base64.b64encode(raw).rstrip(b"="),
        "in URL-safe base64": base64.urlsafe_b64encode(raw).rstrip(b"="),
        "in ROT13": codecs.encode(password, "rot13").encode(),
        "in hexadecimal": raw.hex().encode(),
        "in upper-case hexadecimal": raw.hex().upper().encode(),
    }
    for name in ("md5", "sha1", "sha256", "sha512"):
        digest = hashlib.new(name, raw).hexdigest()
        shown = {"md5": "MD5", "sha1": "SHA-1", "sha256": "SHA-256", "sha512": "SHA-512"}[name]
        found[f"as its unsalted {shown} digest"] = digest.encode()
        found[f"as its unsalted {shown} digest in upper case"] = digest.upper().encode()
    return found


def find_password(passwords: list[str], places: list[tuple[str, bytes]]) -> tuple[str, str, str] | None:
    """The first (place, password, how) where a password shows in a trivial form, or None."""
    forms = [(password, how, needle) for password in passwords for how, needle in encodings(password).items()]
    for place, data in places:
        for password, how, needle in forms:
            if needle in data:
                return place, password, how
    return None


def readable(path: Path, wanted: int) -> None:
    """Give the grader back the access to a file or folder of the copy that the app took away (chmod 000).

    The grader owns the copy (the app runs as the same user): a stopped app cannot hide what it
    wrote behind a mode. Links are left alone.
    """
    try:
        info = os.lstat(path)
        if info.st_uid == os.geteuid() and not stat.S_ISLNK(info.st_mode) and info.st_mode & wanted != wanted:
            os.chmod(path, stat.S_IMODE(info.st_mode) | wanted)
    except OSError:
        pass


def changed_files(root: Path, given: Path, each: int = 16 << 20) -> list[tuple[str, bytes]]:
    """Every regular file of the copy that is not byte-identical to the one handed in (links not followed).

    Read once the app is stopped: folders and files it made unreadable are made readable first.
    """
    found = []
    readable(root, stat.S_IRWXU)
    for top, folders, names in os.walk(root):
        folders[:] = [name for name in folders if not (Path(top) / name).is_symlink()]
        for name in folders:
            readable(Path(top) / name, stat.S_IRWXU)
        for name in names:
            path = Path(top) / name
            readable(path, stat.S_IRUSR)
            data = read_regular(path, each)
            if data is None:
                continue
            relative = path.relative_to(root)
            original = read_regular(given / relative, each + 1)
            if original != data:
                found.append((relative.as_posix(), data))
    return found


def session_payload(value: str) -> bytes | None:
    """What a Flask session cookie holds, decoded (its payload, decompressed where it starts with '.')."""
    value = value.strip('"')
    compressed = value.startswith(".")
    part = value[1:].split(".")[0] if compressed else value.split(".")[0]
    try:
        data = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        return zlib.decompress(data) if compressed else data
    except (ValueError, zlib.error):
        return None


class Recorded(RemoteApp):
    """A RemoteApp that keeps every Set-Cookie header its app sends (step 13's scan of cookies)."""

    def __init__(self, sandbox: Sandbox, cookies: list[str]):
        super().__init__(sandbox)
        self.cookies = cookies

    def __call__(self, environ: dict, start_response):
        result = super().__call__(environ, start_response)
        if self.last is not None:
            self.cookies += [value for name, value in self.last.headers if name.lower() == "set-cookie"]
        return result


def recorded(club: Club, cookies: list[str]) -> Club:
    """A new browser on the check's app whose answers' cookies are kept in `cookies`."""
    remote = Recorded(club.remote.sandbox, cookies)
    return Club(browser(remote), remote, club.notes, club.password, club.request_timeout, club.template)


def cookie_places(cookies: list[str]) -> list[tuple[str, bytes]]:
    """Each Set-Cookie header, and each cookie's value decoded as Flask's session, as places to scan."""
    places = []
    for header in cookies:
        name, _, rest = header.partition("=")
        value = rest.split(";", 1)[0]
        places.append((f"the cookie {name.strip()}", header.encode()))
        decoded = session_payload(value)
        if decoded:
            places.append((f"the cookie {name.strip()}, decoded as Flask's session", decoded))
    return places
