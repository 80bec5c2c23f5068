"""Step 15: roles: CLUB_ADMIN is the administrator, who edits any member's profile at /edit-profile/<username>.

The first five checks share one app on a fresh copy (the contract lets a check say so), where the administrator
and two members register once: registering and logging in are slow on purpose (a salted hash), and most of this
step's time was theirs. Each check still has a browser of its own, and reads a profile as it is before it tries
to change it, so a check before it that changed it is never its failure. The last check needs a copy where no one
registered: it has its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote, urlsplit

import pytest

from checks.accounts import another_browser, expect_mark, log_in, member_logs_in, registered
from checks.club import Club
from checks.data import Data, Profile, admin_username
from checks.members import expect_profile, field_of, field_value, login_elsewhere_hint, post_forms, store
from checks.notes import Notes
from checks.replay import profile_path
from checks.reply import Reply, show
from checks.run.pytest_plugin import Grading
from checks.shared_apps import (
    Shared,
    share,
    shared_app,
    shared_apps,  # noqa: F401 - level 3's shared apps start with its first check
)

ROLE_HINT = (
    'store the role when a member registers ("admin" when the username is os.environ["CLUB_ADMIN"], else '
    '"member") and show it on their profile page: <span id="role">{{ account.role }}</span>'
)
EDITOR_HINT = (
    'add /edit-profile/<username> (GET and POST) for the administrator: a <form method="post"> with '
    '<input name="food" value="…"> and <textarea name="message">…</textarea> holding that member\'s values'
)
ADMIN_ONLY_HINT = (
    "check the role of the member logged in before anything else: abort(403) unless they are the administrator"
)
NO_EDITOR_HINT = "there is no route for /edit-profile/<username>: add one (GET and POST) on a blueprint"
REDIRECT_403_HINT = (
    "the member is logged in, they just may not edit others: answer abort(403), not a redirect"
)
LOGIN_FIRST_HINT = (
    "when no one is logged in, return redirect(url_for(\"auth.login\", next=request.path)) (or abort(401))"
)


def editor(username: str) -> str:
    return "/edit-profile/" + quote(username, safe="")


def refused(reply: Reply) -> bool:
    """401, 403, or a redirect to /login (a query, such as ?next=, may follow)."""
    if reply.status_code in (401, 403):
        return True
    location = reply.headers.get("location", "")
    return 300 <= reply.status_code < 400 and urlsplit(location).path.rstrip("/") == "/login"


def member(club: Club, data: Data, username: str | None = None) -> tuple[Profile, str]:
    """A member registered (as `username`, or a new name) with a stored profile: (profile, password)."""
    profile = data.profile_for(username or data.username())
    password = data.member_password()
    registered(another_browser(club), profile.username, password)
    store(club, profile)
    return profile, password


def club_members(club: Club, data: Data, admin: str) -> dict[str, tuple[Profile, str]]:
    """The members the sharing checks use, each registered with a stored profile: (profile, password) of the
    administrator (`admin`, CLUB_ADMIN), of the member whose profile is edited, and of a member who is not the
    administrator."""
    made = {"admin": member(club, data, admin)}
    club.notes.add(f"CLUB_ADMIN is {show(admin)}")
    made["target"] = member(club, data)
    made["member"] = member(club, data)
    return made


share(__name__, "members", "step 15's first checks share one app on a fresh copy, where the administrator and two "
      "members registered and stored their profiles:",
      lambda grading: lambda club: club_members(club, Data(grading.seed, "step 15's members"),
                                                admin_username(grading.seed)))


@pytest.fixture(scope="module")
def members(request: pytest.FixtureRequest, grading: Grading) -> Iterator[Shared]:
    """The app step 15's first five checks share, with the administrator and two members registered on it."""
    shared = shared_app(request, grading, "members")
    yield shared
    shared.close()


def as_it_is(club: Club, username: str) -> Profile:
    """A member's profile as their page shows it now, read as a new visitor before a check tries to change it."""
    page = club.profile_page(username)
    food, message = page.field_texts("food"), page.field_texts("message")
    if page.status_code != 200 or not food or not message:
        club.fail(f"expected GET {profile_path(username)} to answer 200 with #food and #message, got "
                  f"{page.summary()}", "this check reads a registered member's profile page first, stored with "
                  "POST /user/ (steps 2 and 5)")
    return Profile(username, food[0], message[0])


def test_roles_are_shown(members: Shared, notes: Notes) -> None:
    """#role reads admin on CLUB_ADMIN's profile page and member on anyone else's"""
    club = members.browser(notes)
    admin, other = members.made["admin"][0], members.made["member"][0]
    expect_mark(club, admin.username, "role", "admin", "on the page of the member registered as CLUB_ADMIN",
                ROLE_HINT)
    expect_mark(club, other.username, "role", "member", "on another member's page", ROLE_HINT)


def test_admin_edits_a_profile(members: Shared, notes: Notes, data: Data) -> None:
    """the administrator's /edit-profile/<username> shows that member's values and changes their profile only"""
    club = members.browser(notes)
    (admin, password), target, third = members.made["admin"], members.made["target"][0], members.made["member"][0]
    browser = member_logs_in(club, admin.username, password, status=False)
    reply = browser.get(editor(target.username))
    browser.expect_page(reply, 200, f"GET {editor(target.username)} as the administrator", EDITOR_HINT)
    forms = [form for form in post_forms(reply) if field_of(form, "food") and field_of(form, "message")]
    if not forms:
        browser.fail('expected a <form method="post"> holding fields named food and message, found none', EDITOR_HINT)
    for name in ("food", "message"):
        value, held = getattr(target, name), field_value(field_of(forms[0], name))
        if held != " ".join(value.split()):
            browser.fail(f"expected the editor's {name} to hold {show(value)} (that member's), but it holds "
                         f"{show(held)}", "fill the form from the profile of the username in the URL, "
                         "not from the administrator's own", expected=value, actual=held)
    updated = Profile(target.username, data.food(), data.message())
    reply = browser.post(editor(target.username), {"food": updated.food, "message": updated.message})
    browser.expect_accepted(reply, f"POST {editor(target.username)} as the administrator")
    expect_profile(browser, updated, "update the profile of the username in the URL")
    expect_profile(browser, admin, "the administrator's own profile must not change")
    expect_profile(browser, third, "only the profile in the URL may change")


def test_admin_gets_404_for_unknown_member(members: Shared, notes: Notes, data: Data) -> None:
    """the administrator's /edit-profile/<never-created> is 404"""
    club = members.browser(notes)
    admin, password = members.made["admin"]
    browser = member_logs_in(club, admin.username, password, status=False)
    unknown = data.username()
    reply = browser.get(editor(unknown))
    if reply.status_code != 404:
        hint = "look the member up first: abort(404) when there is no such member"
        if reply.status_code in (401, 403) or 300 <= reply.status_code < 400:
            hint = ("the administrator was refused: the member registered as CLUB_ADMIN (with their own password) is "
                    "the administrator; compare with os.environ[\"CLUB_ADMIN\"] exactly")
        browser.fail(f"expected GET {editor(unknown)} for a member never created to answer 404, got "
                     f"{reply.summary()}", hint, expected="404", actual=reply.summary())


def forbidden_hint(reply: Reply, method: str) -> str:
    """Why a member who is not the administrator was not refused with 403, by what came back."""
    if reply.status_code == 404:
        return NO_EDITOR_HINT
    if 300 <= reply.status_code < 400 or reply.status_code == 401:
        return REDIRECT_403_HINT
    return ADMIN_ONLY_HINT + (", in the POST too" if method == "POST" else "")


def test_member_gets_403(members: Shared, notes: Notes, data: Data) -> None:
    """a member who is not the administrator gets 403 for another member's editor, and changes nothing"""
    club = members.browser(notes)
    target = as_it_is(club, members.made["target"][0].username)
    visitor, password = members.made["member"]
    browser = member_logs_in(club, visitor.username, password, status=False)
    for method, form in (("GET", None), ("POST", {"food": data.food(), "message": data.message()})):
        reply = browser.request(method, editor(target.username), form)
        if reply.status_code != 403:
            browser.fail(f"expected {method} {editor(target.username)} by a member who is not the administrator to "
                         f"answer 403, got {reply.summary()}", forbidden_hint(reply, method), expected="403",
                         actual=reply.summary())
    expect_profile(browser, target, "a member who is not the administrator must change nothing")


def expect_locked(club: Club, data: Data, target: Profile, who: str, hint: str) -> None:
    """GET and POST of the target's editor answer 401, 403 or a redirect to /login, and change nothing."""
    for method, form in (("GET", None), ("POST", {"food": data.food(), "message": data.message()})):
        reply = club.request(method, editor(target.username), form)
        if not refused(reply):
            club.fail(f"expected {method} {editor(target.username)} {who} to answer 401, 403 or a redirect to "
                      f"/login, got {reply.summary()}",
                      NO_EDITOR_HINT if reply.status_code == 404 else login_elsewhere_hint(reply) or hint,
                      expected="401, 403 or a redirect to /login", actual=reply.summary())
    expect_profile(club, target, "nothing may change for a visitor without the administrator's rights")


def test_editor_needs_login(members: Shared, notes: Notes, data: Data) -> None:
    """not logged in, GET and POST of /edit-profile/<username> are refused and change nothing"""
    club = members.browser(notes)
    target = as_it_is(club, members.made["target"][0].username)
    expect_locked(club, data, target, "without logging in", LOGIN_FIRST_HINT)


def test_club_password_gives_no_admin_rights(club: Club, data: Data, grading: Grading) -> None:
    """logging in as CLUB_ADMIN with the club password, before anyone registered, gives no rights"""
    target = data.profile()
    store(club, target)
    admin = admin_username(grading.seed)
    reply = log_in(club, admin, club.password)
    club.notes.add(f"CLUB_ADMIN is {show(admin)}, not registered: POST /login answered {reply.summary()}")
    expect_locked(club, data, target, f"after logging in as {show(admin)} with the club password",
                  "only the member registered as CLUB_ADMIN, logged in with their own password, is the "
                  "administrator: look the role up in the accounts, never trust the username alone")
