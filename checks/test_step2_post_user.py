"""Step 2: POST /user/ accepts a profile, and refuses one without a username or with an empty one."""

from __future__ import annotations

from checks.club import Club
from checks.data import Data


def test_post_user_is_accepted(club: Club, data: Data) -> None:
    """POST /user/ with username, food, message and password is accepted"""
    reply = club.post_profile(data.profile())
    club.expect_accepted(reply, "POST /user/")


def test_post_user_without_username_is_400(club: Club, data: Data) -> None:
    """POST /user/ without a username, or with an empty one, answers 400"""
    profile = data.profile()
    form = {"food": profile.food, "message": profile.message, "password": club.password}
    for what, sent in (("no username", form), ("an empty username", {"username": "", **form})):
        reply = club.post("/user/", sent)
        if reply.status_code == 400:
            continue
        # (A 401 or 403 gets the password hint from club.fail: the POST carries the club password.)
        if "username" in sent:
            hint = (
                'an empty field still arrives, as "": check `if not username:` (not `is None`) '
                "and answer 400, before storing anything"
            )
        elif reply.exception:
            hint = "request.form['username'] answers 400 by itself; with .get(), check for None and abort(400)"
        else:
            hint = "check for a missing username and answer 400 (abort(400), or return ..., 400)"
        club.fail(
            f"expected 400 for a POST with {what}, got {reply.summary()}",
            hint,
            expected="400",
            actual=reply.summary(),
        )
