"""Extra 7: POST /user/ needs the club password, read from the CLUB_PASSWORD environment variable."""

from __future__ import annotations

from checks.club import OMIT, Club
from checks.data import Data, Profile

READ_IT = "read the password with os.environ['CLUB_PASSWORD'] (the checks pick a new one every run)"


def expect_refused(club: Club, profile: Profile, password: object, what: str) -> None:
    """The POST is refused with 401 or 403, and the profile does not appear."""
    reply = club.post_profile(profile, password=password)
    if reply.status_code not in (401, 403):
        club.fail(
            f"expected a POST {what} to be refused with 401 or 403, got {reply.summary()}",
            "compare the form's password with the club's and answer 401 when they differ (abort(401))",
        )
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
