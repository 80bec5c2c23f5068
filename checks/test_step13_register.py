"""Step 13: members register with a password of their own, stored hashed, and log in with it.

The last three checks share one app on a fresh copy (the contract lets a check say so), where two members
register and log in once, as the scan needs (set up in the background as level 3 starts): the taken-username
check registers the first again, the scan then stops the app and reads what it left, and the restart check
starts it again for the second to log in. Registering and logging in are slow on purpose (a salted hash):
most of this step's time was theirs.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from checks.accounts import (
    OWN_PASSWORD_HINT,
    REGISTER_HINT,
    another_browser,
    log_in,
    logged_in,
    member_logs_in,
    register,
    registered,
)
from checks.club import Club
from checks.data import Data
from checks.members import field_of, moved_hint, post_forms
from checks.notes import Notes
from checks.password_scan import cookie_places, find_password, recorded, stopped_app_places
from checks.reply import show
from checks.run.pytest_plugin import Grading
from checks.shared_apps import (
    Shared,
    share,
    shared_app,
    shared_apps,  # noqa: F401 - level 3's shared apps start with its first check
)

FORM_HINT = (
    '<form method="post"> with <input name="username">, <input name="password" type="password"> and '
    '<input name="password2" type="password">'
)
CLUB_PASSWORD_HINT = (
    "a registered member logs in with their own password only: look the account up first, and let the club "
    "password in only for usernames never registered"
)


CSRF_HINT = (
    "your /register form carries a csrf_token, and Flask-WTF refuses (400) a POST without one; the checks, like "
    "curl, send none: set WTF_CSRF_ENABLED = False in config.py's Config (docs/student/step-13.md)"
)


def csrf_hint(club: Club) -> str | None:
    """After a 400 to a good registration: CSRF_HINT where GET /register's form holds Flask-WTF's csrf_token."""
    page = club.get("/register")
    if page.status_code == 200 and page.is_html and page.soup.find("input", attrs={"name": "csrf_token"}):
        return CSRF_HINT
    return None


def expect_refused_login(club: Club, username: str, password: str, what: str, hint: str) -> None:
    """From a new browser, POST /login with that password is 401 or 403, and logs no one in."""
    browser = another_browser(club)
    reply = log_in(browser, username, password)
    if reply.status_code not in (401, 403):
        club.fail(f"expected POST /login as {show(username)} with {what} to be refused with 401 or 403, "
                  f"got {reply.summary()}", hint, expected="401 or 403", actual=reply.summary())
    if logged_in(browser, username):
        club.fail(f"POST /login as {show(username)} with {what} logged the member in: #status names them", hint)


def test_register_page_has_form(club: Club) -> None:
    """GET /register shows a form that posts a username and the password twice"""
    reply = club.get("/register")
    hint = "add a route for /register: GET shows the form, POST registers"
    if reply.status_code == 404:
        hint = moved_hint(club, "/register") or hint
    club.expect_page(reply, 200, "GET /register", hint)
    forms = post_forms(reply)
    if not forms:
        club.fail('expected GET /register to hold a <form method="post">, found none', FORM_HINT)
    for form in forms:
        fields = [field_of(form, name) for name in ("username", "password", "password2")]
        if all(field is not None for field in fields):
            for field in fields[1:]:
                if str(field.get("type") or "").lower() != "password":
                    kind = field.get("type")
                    club.fail(f"expected the input named {field.get('name')} to be type=\"password\", but "
                              f"{f'it is type={show(str(kind))}' if kind else 'it has no type'}", FORM_HINT)
            return
    names = sorted({str(field.get("name")) for form in forms for field in form.find_all(["input", "textarea"])})
    club.fail(f"expected the form to hold inputs named username, password and password2; its fields are named "
              f"{', '.join(names) or 'nothing'}", FORM_HINT)


def test_registered_member_logs_in(club: Club, data: Data) -> None:
    """a registered member logs in with their own password, and not with the club's or a wrong one"""
    username, password = data.username(), data.member_password()
    reply = register(club, username, password)
    if not reply.accepted:
        hint = "add a route for /register that takes POST" if reply.status_code in (404, 405) else REGISTER_HINT
        if reply.status_code == 404:
            hint = moved_hint(club, "/register") or hint
        elif reply.status_code == 400:
            hint = csrf_hint(club) or hint
        club.fail(f"expected POST /register of a new member to be accepted (2xx, or a 3xx redirect), got "
                  f"{reply.summary()}", hint, expected="2xx or 3xx", actual=reply.summary())
    browser = another_browser(club)
    reply = log_in(browser, username, password)
    if not reply.accepted:
        club.fail(f"expected POST /login with the member's own password to be accepted (2xx, or a 3xx redirect), "
                  f"got {reply.summary()}", OWN_PASSWORD_HINT, expected="2xx or 3xx", actual=reply.summary())
    if not logged_in(browser, username):
        club.fail(f"after POST /login as {show(username)} with their own password, GET / does not name them "
                  "in #status", OWN_PASSWORD_HINT)
    expect_refused_login(club, username, club.password, "the club password", CLUB_PASSWORD_HINT)
    expect_refused_login(club, username, data.member_password(), "a wrong password",
                         "compare with check_password_hash(the stored hash, the password sent)")


def test_bad_registrations_are_refused(club: Club, data: Data) -> None:
    """POST /register with an empty username, a short password or two different passwords is 400"""
    short, mismatched = data.username(), data.username()
    password, other = data.member_password(), data.member_password()
    cases = (
        ("an empty username", "", password, password, "refuse an empty username: return …, 400"),
        ("a password under 8 characters", short, (weak := data.short_password()), weak,
         "refuse a password under 8 characters: if len(password) < 8: return …, 400"),
        ("a password2 unlike password", mismatched, password, other,
         "refuse two passwords that differ: if password != password2: return …, 400"),
    )
    for what, username, first, second, hint in cases:
        reply = register(club, username, first, second)
        if reply.status_code in (404, 405):
            hint = (moved_hint(club, "/register") if reply.status_code == 404 else None) or (
                "add a route for /register that takes POST (step 13's first checks)")
        if reply.status_code != 400:
            club.fail(f"expected POST /register with {what} to answer 400, got {reply.summary()}", hint,
                      expected="400", actual=reply.summary())
    nothing = "a refused registration must store nothing: check every field before you store the account"
    expect_refused_login(club, short, weak, "the refused short password", nothing)
    expect_refused_login(club, mismatched, password, "the refused password", nothing)
    expect_refused_login(club, mismatched, other, "the refused password2", nothing)


def two_members(club: Club, data: Data) -> dict:
    """The members the last three checks share, each registered and logged in once in a browser whose cookies are
    kept (for the scan): their (username, password) and those cookies."""
    cookies: list[str] = []
    members = [(data.username(), data.member_password()) for _ in range(2)]
    for username, password in members:
        registered(recorded(club, cookies), username, password)
        browser = recorded(club, cookies)
        reply = log_in(browser, username, password)
        if not reply.accepted:
            club.fail(f"expected POST /login with the member's own password to be accepted, got {reply.summary()}",
                      f"this check logs registered members in (step 13's first checks): {OWN_PASSWORD_HINT}")
        browser.get("/")
    return {"members": members, "cookies": cookies}


share(__name__, "members", "step 13's last three checks share one app on a fresh copy, where two members "
      "registered and logged in:",
      lambda grading: lambda club: two_members(club, Data(grading.seed, "step 13's members")))


@pytest.fixture(scope="module")
def members(request: pytest.FixtureRequest, grading: Grading) -> Iterator[Shared]:
    """The app step 13's last three checks share, with two members registered and logged in on it."""
    shared = shared_app(request, grading, "members")
    yield shared
    shared.close()


def test_taken_username_is_refused(members: Shared, notes: Notes, data: Data) -> None:
    """registering a username again is 400 or 409, and the first password still works"""
    club = members.browser(notes)
    (username, first), second = members.made["members"][0], data.member_password()
    reply = register(another_browser(club), username, second)
    if reply.status_code not in (400, 409):
        club.fail(f"expected POST /register of a username already taken to answer 400 or 409, got {reply.summary()}",
                  "look the username up before storing it, and answer 409 when it is taken",
                  expected="400 or 409", actual=reply.summary())
    member_logs_in(club, username, first)
    expect_refused_login(club, username, second, "the second registration's password",
                         "a refused registration must never replace the first member's password")


def test_passwords_are_not_readable(members: Shared, notes: Notes, grading: Grading) -> None:
    """no file the app wrote, nothing it printed and no cookie it set holds a password in a trivial form"""
    club = members.browser(notes)
    places = stopped_app_places(club, grading.workspace.pristine or grading.workspace.root)
    club.notes.add("stopped your app's process, then read every file it wrote or changed, its temporary folder, "
                   "what it printed and every cookie it set")
    passwords = [password for _, password in members.made["members"]]
    found = find_password(passwords, places + cookie_places(members.made["cookies"]))
    if found is None:
        return
    place, password, how = found
    if how == "in plain":
        hint = "store generate_password_hash(password) (from werkzeug.security), never the password itself"
    elif "digest" in how:
        hint = ("an unsalted digest is looked up in tables in seconds: store werkzeug.security's "
                "generate_password_hash(password), salted and slow")
    else:
        hint = "an encoding is not a hash, anyone can undo it: store generate_password_hash(password)"
    if place == "what your app printed":
        hint = "remove the print() or logging call that shows the form or the password"
    elif place.startswith("the cookie"):
        hint = "never put the password in the session or a cookie: the username goes there, the hash in the database"
    club.fail(f"{place} holds the password of a member ({show(password)}) {how}", hint)


def test_accounts_survive_restart(members: Shared, notes: Notes) -> None:
    """after the app is stopped and started again, a member still logs in with their password"""
    club = members.browser(notes)
    username, password = members.made["members"][1]
    club.restart()
    browser = another_browser(club)
    reply = log_in(browser, username, password)
    hint = ("accounts kept in a dict vanish when the app stops: keep them in a file in the instance folder "
            "(SQLite: instance/club.sqlite), as the profiles")
    if not reply.accepted or not logged_in(browser, username):
        club.fail(f"after a restart, POST /login as {show(username)} with their own password answered "
                  f"{reply.summary()} and did not log them in", hint, expected="logged in", actual=reply.summary())
