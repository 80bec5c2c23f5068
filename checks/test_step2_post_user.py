"""Step 2: POST /user/ accepts a profile, and refuses one without a username."""

from __future__ import annotations

from checks.club import Club
from checks.data import Data


def test_post_user_is_accepted(club: Club, data: Data) -> None:
    """POST /user/ with username, food, message and password is accepted"""
    reply = club.post_profile(data.profile())
    club.expect_accepted(reply, "POST /user/")


def test_post_user_without_username_is_400(club: Club, data: Data) -> None:
    """POST /user/ without a username answers 400"""
    profile = data.profile()
    reply = club.post("/user/", {"food": profile.food, "message": profile.message, "password": club.password})
    if reply.status_code != 400:
        hint = "check for a missing username and answer 400 (abort(400), or return ..., 400)"
        if reply.exception:
            hint = "request.form['username'] answers 400 by itself; with .get(), check for None and abort(400)"
        elif reply.status_code in (401, 403):
            hint = club.refusal_hint(reply)
        club.fail(f"expected 400 for a POST with no username, got {reply.summary()}", hint)
