"""Step 5: GET /user/<username> renders the stored profile from templates/user.html.

Every profile is read back as a new visitor (no cookies): a profile belongs to the server.
"""

from __future__ import annotations

from checks.club import Club
from checks.data import Data, Profile
from checks.reply import show

WRONG_USER = "are you showing the profile of the username in the URL, or the last one posted?"


def post(club: Club, profile: Profile) -> None:
    """POST the profile; the check is about reading it back, so a refusal fails with that said."""
    reply = club.post_profile(profile)
    if not reply.accepted:
        hint = club.refusal_hint(reply) or "this check reads back a profile it posts: make POST /user/ work first"
        club.fail(f"the profile could not be stored: POST /user/ answered {reply.summary()}", f"{hint} (step 2)")


def test_profile_shows_each_field(club: Club, data: Data) -> None:
    """GET /user/<username> shows the username, food and message just posted"""
    profile = data.profile()
    post(club, profile)
    club.expect_profile(club.profile_page(profile.username), profile, WRONG_USER)


def test_profiles_are_kept_apart(club: Club, data: Data) -> None:
    """several users' profiles, read back in a random order, don't overwrite each other"""
    profiles = data.profiles()
    for profile in profiles:
        post(club, profile)
    last = profiles[-1]
    for profile in data.shuffled(profiles):
        hint = WRONG_USER if profile is last else "do all users share one stored profile, or is only the last one kept?"
        club.expect_profile(club.profile_page(profile.username), profile, hint)


def test_second_post_updates_profile(club: Club, data: Data) -> None:
    """a second POST for the same username updates the profile"""
    before = data.profile()
    after = Profile(before.username, data.food(), data.message())
    post(club, before)
    post(club, after)
    club.expect_profile(
        club.profile_page(before.username), after, "does a POST for a username that exists replace its profile?"
    )


def test_username_with_space_and_accents(club: Club, data: Data) -> None:
    """a username with a space and non-ASCII letters works"""
    profile = data.profile(accented=True)
    post(club, profile)
    club.expect_profile(
        club.profile_page(profile.username),
        profile,
        "the URL holds the username URL-encoded (a space is %20); Flask decodes it for you in <username>",
    )


def test_message_html_is_escaped(club: Club, data: Data) -> None:
    """HTML in a message is shown as text, not run"""
    message, word = data.html_message()
    profile = Profile(data.username(), data.food(), message)
    post(club, profile)
    reply = club.profile_page(profile.username)
    club.expect_page(reply, 200, f"GET {reply.path}")
    injected = [tag.name for tag in reply.soup.find_all(["script", "b"]) if word in tag.get_text()]
    if injected:
        club.fail(
            f"the message's HTML became real elements in the page (<{injected[0]}>): a message can run code",
            "let Jinja escape values: {{ message }}, never {{ message|safe }} or Markup(...)",
        )
    shown, seen = reply.shows("message", message)
    if not shown:
        club.fail(
            f"expected the page to show the message {show(message)} as text, but {seen}",
            club.profile_hint(reply, profile, "message")
            or "if it shows &lt; or &amp;, the message is escaped twice: pass it to the template as it is",
        )
