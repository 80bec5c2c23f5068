"""Step 14 (bonus): confirm by a signed link: the outbox's mail, #confirmed, and the links that must not work.

The expiry check waits 4 s between registering and following the link. Its first half (its own app, started with
CLUB_CONFIRM_SECONDS=2, a member registered, their link read and their login) is done as level 3 starts, in the
background, and the check itself, the grade's last (marked runs_last), follows the link: the wait overlaps the other
checks instead of adding to them.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator

import pytest

from checks.accounts import another_browser, club_with, expect_mark, member_logs_in, registered, restart_with
from checks.club import Club
from checks.data import Data
from checks.members import altered, store
from checks.notes import Notes
from checks.outbox import link_for, outbox, token_of, with_token
from checks.run.pytest_plugin import Grading
from checks.shared_apps import (
    Shared,
    share,
    shared_app,
    shared_apps,  # noqa: F401 - level 3's shared apps start with its first check
)

CONFIRMED_HINT = (
    'show the account\'s state on the profile page: <span id="confirmed">{{ "yes" if account.confirmed '
    'else "no" }}</span>, for a registered member'
)
SIGNED_HINT = (
    "make the token with URLSafeTimedSerializer(app.config[\"SECRET_KEY\"], salt=\"confirm\").dumps({\"confirm\": "
    "username}), and check it with .loads(token, max_age=…): only a token signed with the app's key, for the "
    "member logged in, confirms"
)
# The key the app starts with in the re-key check: known, since only the second, random one must not
# accept the first's links (a check marked app_with(...) has its app started at collection).
FIRST_KEY = "step 14 starts the app with this key, then restarts it with a random one"
EXPIRED_HINT = (
    "read how long a link works from CLUB_CONFIRM_SECONDS (int(os.environ.get(\"CLUB_CONFIRM_SECONDS\", 3600))) and "
    "pass it to loads(token, max_age=…): SignatureExpired means the link is too old"
)


def joined(club: Club, data: Data) -> tuple[str, str, str, float]:
    """A new member registered, with a stored profile: (username, password, link path, when it was made)."""
    username, password = data.username(), data.member_password()
    before = outbox(club)
    registered(another_browser(club), username, password)
    made = time.monotonic()
    link = link_for(club, username, before)
    store(club, data.profile_for(username))
    return username, password, link, made


def follow(member: Club, link: str, what: str) -> None:
    """GET a link as a member; a refused one may answer anything but a 5xx."""
    reply = member.get(link)
    if reply.status_code >= 500:
        member.fail(f"expected {what} to be refused without an error (any answer but a 5xx), got {reply.summary()}",
                    "catch BadSignature and SignatureExpired (from itsdangerous) and flash a message instead")


def three_members(club: Club, data: Data) -> dict[str, tuple[str, str, str]]:
    """The members the first three checks share, each registered, with a stored profile: (username, password, link)
    of the first and second (for the links that must not work), and of the third (the one who confirms)."""
    return {name: joined(club, data)[:3] for name in ("first", "second", "third")}


share(__name__, "members", "step 14's first three checks share one app on a fresh copy, where three members "
      "registered (their mails read) and stored their profiles:",
      lambda grading: lambda club: three_members(club, Data(grading.seed, "step 14's members")))


@pytest.fixture(scope="module")
def members(request: pytest.FixtureRequest, grading: Grading) -> Iterator[Shared]:
    """The app step 14's first three checks share, with three members registered on it (set up in the background)."""
    shared = shared_app(request, grading, "members")
    yield shared
    shared.close()


def test_registration_writes_a_link(members: Shared, notes: Notes) -> None:
    """POST /register writes a mail with a link into instance/outbox/, and the member is not confirmed yet"""
    club = members.browser(notes)
    username, _, link = members.made["first"]
    if not token_of(link):
        club.fail(f"the link {link} has no token as the last segment of its path", SIGNED_HINT)
    expect_mark(club, username, "confirmed", "no", "before the link is followed", CONFIRMED_HINT)


def test_link_confirms_member(members: Shared, notes: Notes) -> None:
    """logged in, following the link confirms the member: #confirmed reads yes"""
    club = members.browser(notes)
    username, password, link = members.made["third"]
    member = member_logs_in(club, username, password, status=False)
    reply = member.get(link)
    if not reply.accepted:
        member.fail(f"expected GET of the confirmation link to be accepted (2xx, or a 3xx redirect), got "
                    f"{reply.summary()}", SIGNED_HINT, expected="2xx or 3xx", actual=reply.summary())
    expect_mark(club, username, "confirmed", "yes", "after the link was followed",
                "following a good link stores the confirmation (UPDATE … SET confirmed = 1, then commit), for the "
                "member the token names", CONFIRMED_HINT)


def test_altered_or_foreign_link_is_refused(members: Shared, notes: Notes) -> None:
    """a link with one character of its token changed, or another member's link, confirms no one"""
    club = members.browser(notes)
    (first, first_password, first_link), (second, second_password, _) = members.made["first"], members.made["second"]
    member = member_logs_in(club, first, first_password, status=False)
    token = token_of(first_link)
    follow(member, with_token(first_link, altered(token)), "the link with one character of its token changed")
    expect_mark(club, first, "confirmed", "no", "after following the link with one character changed", SIGNED_HINT,
                CONFIRMED_HINT)
    other = member_logs_in(club, second, second_password, status=False)
    follow(other, first_link, "another member's link")
    expect_mark(club, second, "confirmed", "no", f"after {second} followed {first}'s link",
                "confirm the member the token names only when they are the one logged in", CONFIRMED_HINT)


@pytest.mark.app_with(SECRET_KEY=FIRST_KEY)
def test_link_is_tied_to_secret_key(notes: Notes, data: Data, grading: Grading) -> None:
    """after a restart with another SECRET_KEY, an old link confirms no one"""
    keyed = club_with(grading, notes, SECRET_KEY=FIRST_KEY)
    username, password, link, _ = joined(keyed, data)
    restart_with(keyed, "with another SECRET_KEY", SECRET_KEY=secrets.token_hex(32))
    member = member_logs_in(keyed, username, password, status=False)
    follow(member, link, "a link made before the restart")
    expect_mark(keyed, username, "confirmed", "no", "after following a link signed with the old SECRET_KEY",
                "a token kept in the database is not signed: " + SIGNED_HINT, CONFIRMED_HINT)


EXPIRY_CHECK = "test_expired_link_is_refused"


def expiring_member(club: Club, data: Data) -> dict:
    """The expiry check's first half: a member registered, with a profile, their link, and their browser logged in."""
    username, password, link, made = joined(club, data)
    return {"username": username, "link": link, "made": made,
            "member": member_logs_in(club, username, password, status=False)}


share(__name__, "expiring", "started your app with CLUB_CONFIRM_SECONDS=2",
      lambda grading: lambda club: expiring_member(club, Data(grading.seed, EXPIRY_CHECK)), only_for=EXPIRY_CHECK,
      CLUB_CONFIRM_SECONDS="2")


@pytest.fixture(scope="module")
def expiring(request: pytest.FixtureRequest, grading: Grading) -> Iterator[Shared]:
    """The expiry check's app and member, made as level 3 starts (set up in the background)."""
    shared = shared_app(request, grading, "expiring")
    yield shared
    shared.close()


@pytest.mark.app_with(CLUB_CONFIRM_SECONDS="2")
@pytest.mark.runs_last
def test_expired_link_is_refused(expiring: Shared, notes: Notes) -> None:
    """a link followed after CLUB_CONFIRM_SECONDS have passed confirms no one"""
    short = expiring.browser(notes)
    username, link, made, member = (expiring.made[name] for name in ("username", "link", "made", "member"))
    member.notes = notes
    time.sleep(max(0.0, made + 4 - time.monotonic()))
    short.notes.add("followed the link 4 s after POST /register answered (step 14's other checks ran meanwhile)")
    notes.replay.append("sleep 4")
    follow(member, link, "a link 4 s old, with CLUB_CONFIRM_SECONDS=2")
    expect_mark(short, username, "confirmed", "no", "after following a link older than CLUB_CONFIRM_SECONDS",
                EXPIRED_HINT, CONFIRMED_HINT)
