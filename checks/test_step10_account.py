"""Step 10: account details, kept on disk: a pre-filled form that updates the logged-in member's profile."""

from __future__ import annotations

from checks.club import Club
from checks.data import Data, Profile
from checks.members import (
    expect_profile,
    field_of,
    field_value,
    log_in,
    login_elsewhere_hint,
    not_logged_in,
    post_forms,
    refused,
    store,
)
from checks.reply import Reply, show

FORM_HINT = (
    'render a <form method="post"> with <input name="food" value="{{ food }}"> and '
    '<textarea name="message">{{ message }}</textarea>, filled from the logged-in member\'s profile'
)


def expect_form(club: Club, login: Reply, profile: Profile, when: str = "", before: Profile | None = None) -> None:
    """GET /account-details, in the member's browser, is 200 with a post form holding the profile's food and message.

    `before`: the values the profile had before an update; a form that still holds them was filled from them.
    """
    reply = club.get("/account-details")
    not_logged_in(club, login, reply, "GET /account-details")
    club.expect_page(reply, 200, "GET /account-details", "add a route for /account-details that needs a member")
    forms = [form for form in post_forms(reply) if field_of(form, "food") and field_of(form, "message")]
    if not forms:
        club.fail('expected a <form method="post"> holding fields named food and message, found none', FORM_HINT)
    for name in ("food", "message"):
        value = getattr(profile, name)
        held = field_value(field_of(forms[0], name))
        if held != " ".join(value.split()):
            hint = FORM_HINT
            if before is not None and held == " ".join(getattr(before, name).split()):
                hint = (
                    "fill the form from the stored profile at each GET (look it up by the session's username), "
                    "not from values copied into the session when the member logged in"
                )
            club.fail(f"expected the form's {name} to hold {show(value)}{when}, but it holds {show(held)}", hint)


def test_account_form_is_prefilled(club: Club, data: Data) -> None:
    """logged in, GET /account-details shows a form filled with the member's food and message"""
    profile = data.profile()
    store(club, profile)
    expect_form(club, log_in(club, profile.username), profile)


def test_account_update_changes_only_that_member(club: Club, data: Data) -> None:
    """POST /account-details updates the logged-in member's profile and form, and no one else's"""
    member, other = data.profile(), data.profile()
    store(club, member)
    store(club, other)
    login = log_in(club, member.username)
    updated = Profile(member.username, data.food(), data.message())
    reply = club.post("/account-details", {"food": updated.food, "message": updated.message})
    not_logged_in(club, login, reply, "POST /account-details")
    club.expect_accepted(reply, "POST /account-details")
    expect_profile(club, updated, "update the profile of the member in the session, not of a name in the form")
    expect_form(club, login, updated, " after the update", before=member)
    expect_profile(club, other, "only the logged-in member's profile may change")


def test_account_details_need_login(club: Club, data: Data) -> None:
    """not logged in, GET and POST /account-details are refused and change nothing"""
    profile = data.profile()
    store(club, profile)
    reply = club.get("/account-details")
    if not refused(reply):
        club.fail(
            f"expected GET /account-details without logging in to answer 401, 403 or a redirect to /login, "
            f"got {reply.summary()}",
            login_elsewhere_hint(reply)
            or "when no member is in the session, return redirect(url_for(\"login\")) (or abort(401))",
        )
    form = {"username": profile.username, "food": data.food(), "message": data.message()}
    reply = club.post("/account-details", form)
    if not refused(reply):
        club.fail(
            f"expected POST /account-details without logging in to answer 401, 403 or a redirect to /login, "
            f"got {reply.summary()}",
            "check for a member in the session before anything else, in the POST too",
        )
    expect_profile(club, profile, "a visitor who is not logged in must change nothing")


def test_profiles_survive_restart(club: Club, data: Data) -> None:
    """every profile reads back unchanged after the app is stopped and started again"""
    profiles = data.profiles()
    for profile in profiles:
        store(club, profile)
    club.restart()
    for profile in data.shuffled(profiles):
        reply = club.profile_page(profile.username)
        if reply.status_code == 200 and all(reply.shows(name, value)[0] for name, value in profile.fields().items()):
            continue
        hint = (
            "profiles kept in a dict vanish when the app stops: keep them in a file in the instance folder "
            "(JSON or SQLite), written on every POST and read when the app starts"
        )
        kept = club.files_holding(profile.username)
        if kept:
            hint = (
                f"your app wrote the profile to {', '.join(kept)}, but after the restart it does not read it back: "
                "load the file when the app starts (or at each request), not only write it"
            )
        club.expect_profile(reply, profile, hint)
