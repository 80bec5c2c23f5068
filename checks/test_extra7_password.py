"""Extra 7: POST /user/ needs the club password, read from the CLUB_PASSWORD environment variable.

Its last check is feedback worth 0 points by default (the rubric may give it points): an app
started without CLUB_PASSWORD must fail closed.
"""

from __future__ import annotations

import pytest

from checks.club import OMIT, Club
from checks.data import Data, Profile
from checks.notes import Notes
from checks.run.pytest_plugin import Grading

READ_IT = "read the password with os.environ['CLUB_PASSWORD'] (the checks pick a new one every run)"


def expect_refused(club: Club, profile: Profile, password: object, what: str) -> None:
    """The POST is refused with 401 or 403, and the profile does not appear."""
    reply = club.post_profile(profile, password=password)
    if reply.status_code not in (401, 403):
        hint = "compare the form's password with the club's and answer 403 when they differ (abort(403))"
        if reply.status_code == 400 and password is OMIT:
            hint = (
                "request.form[\"password\"] answers 400 by itself when the field is missing (with debug=True, a "
                "KeyError page): read it with request.form.get(\"password\", \"\"), so a missing password is a "
                "wrong one, and answer 403"
            )
        club.fail(f"expected a POST {what} to be refused with 401 or 403, got {reply.summary()}", hint)
    page = club.profile_page(profile.username)
    if page.status_code == 200 and (page.shows("food", profile.food)[0] or page.shows("message", profile.message)[0]):
        club.fail(
            f"the refused profile was stored anyway: GET {page.path} shows its values",
            "check the password before you store anything",
        )


def test_post_without_password_is_refused(club: Club, data: Data) -> None:
    """POST /user/ without the password is refused (401 or 403) and stores nothing"""
    expect_refused(club, data.profile(), OMIT, "without a password")


def test_post_with_wrong_password_is_refused(club: Club, data: Data) -> None:
    """POST /user/ with a wrong password is refused (401 or 403) and stores nothing"""
    expect_refused(club, data.profile(), data.password(), "with a wrong password")


def test_post_with_club_password_is_accepted(club: Club, data: Data) -> None:
    """POST /user/ with the club password is accepted, and only with it"""
    reply = club.post_profile(data.profile())
    club.expect_accepted(reply, "POST /user/ with CLUB_PASSWORD's value")
    wrong = club.post_profile(data.profile(), password=data.password())
    if wrong.accepted:
        club.fail(
            f"your app accepts any password: a wrong one got {wrong.summary()}, "
            "so accepting the club's proves nothing yet",
            READ_IT + ", and refuse every other",
        )


@pytest.mark.app_without("CLUB_PASSWORD")
def test_unset_password_fails_closed(club: Club, data: Data, grading: Grading, notes: Notes) -> None:
    """with CLUB_PASSWORD unset, the app refuses every POST, or refuses to start and names CLUB_PASSWORD"""
    unset = club.on(grading.fresh_sandbox(grading.env_without("CLUB_PASSWORD")))
    notes.add("started your app again, on a fresh copy, with CLUB_PASSWORD unset")
    error = unset.load_error()
    if error is not None:
        if "CLUB_PASSWORD" in error:
            notes.add(f"it refused to start, naming CLUB_PASSWORD: {error}")
            return
        notes.fail(
            f"it did not start, but its message does not name CLUB_PASSWORD: {error}",
            "say what is missing: raise RuntimeError(\"set CLUB_PASSWORD\"), or refuse every POST instead",
        )
    for password in (OMIT, "", "None", data.password()):
        profile = data.profile()
        what = "with no password" if password is OMIT else f"with the password {password!r}"
        reply = unset.post_profile(profile, password=password)
        if reply.accepted:
            unset.fail(
                f"with CLUB_PASSWORD unset, a POST {what} was accepted ({reply.summary()}): "
                "anyone who leaves out the variable opens the club to all",
                "when os.environ.get(\"CLUB_PASSWORD\") is None or empty, no password is right: refuse "
                "(abort(403)), or refuse to start with a message that names CLUB_PASSWORD",
            )
        page = unset.profile_page(profile.username)
        if page.status_code == 200 and page.shows("food", profile.food)[0]:
            unset.fail(
                f"with CLUB_PASSWORD unset, a POST {what} was refused but stored anyway: GET {page.path} shows it",
                "check the password before you store anything",
            )
    notes.add("every POST was refused, whatever password it carried")
