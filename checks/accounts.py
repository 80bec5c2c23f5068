"""What level 3's checks share: registering members, logging in with a member's own password, and the
profile page's `#role` and `#confirmed`.

Every check of level 3 talks to the app started on a fresh copy of the submission, in a
browser of its own (unless it shares one: checks/shared_apps.py); `another_browser` opens a
new one on the same app. Profiles are stored, and read back, by a new visitor.

This is level 3's client, with checks/outbox.py, checks/password_scan.py and
checks/shared_apps.py: what its checks ask of the app's process (the apps create_app makes, a
restart with other variables, the outbox, what a stopped app left) is asked there, so the step
modules use a `Club` and these functions, never the sandbox.
"""

from __future__ import annotations

from checks.club import Club, browser
from checks.data import Data
from checks.members import status_names
from checks.notes import Notes
from checks.replay import profile_path
from checks.reply import Reply, show
from checks.sandbox.protocol import AppFailure
from checks.sandbox.wsgi import RemoteApp

REGISTER_HINT = (
    "POST /register takes username, password and password2: refuse (400) an empty username, a password under "
    "8 characters or two passwords that differ, else store the username with generate_password_hash(password)"
)
OWN_PASSWORD_HINT = (
    "POST /login looks the username up among the registered members: check_password_hash(stored hash, password) "
    "decides, and only a username never registered still logs in with the club password"
)


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
