"""What a form may hold: a profile's lengths and characters, a registration's passwords.

Level 1 asks only for a username; the limits keep the club tidy when anyone
can post. The views call read_profile() and read_registration(); each problem
is a sentence for the page that refuses the post.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

# The profile's fields and the most characters each may hold, once trimmed.
LIMITS = {"username": 32, "food": 64, "message": 500}

# A registration's password: at least 8 characters (step 13), and at most this many.
PASSWORD_LENGTH = (8, 128)

# The control characters a message may hold: its line breaks and tabs.
MESSAGE_CONTROLS = frozenset("\n\r\t")


def read_profile(form: Mapping[str, str], names: tuple[str, ...] = tuple(LIMITS)) -> tuple[dict[str, str], list[str]]:
    """The trimmed values of the fields `names`, and a sentence for each problem (none when all is well).

    A repeated form field counts once, with its first value.
    """
    profile: dict[str, str] = {}
    problems: list[str] = []
    for name in names:
        value = form.get(name, "").strip()
        label, limit = name.capitalize(), LIMITS[name]
        if not value:
            problems.append(f"{label} is required.")
        elif len(value) > limit:
            problems.append(f"{label} is too long: {len(value)} characters, at most {limit}.")
        profile[name] = value
    if "username" in profile and not fits_in_url(profile["username"]):
        problems.append("Username must fit in one URL segment: no '/', no control characters, and not '.' or '..'.")
    if has_controls(profile.get("food", "")):
        problems.append("Food must be one line of text, without control characters.")
    if has_controls(profile.get("message", ""), allowed=MESSAGE_CONTROLS):
        problems.append("Message must not hold control characters other than line breaks and tabs.")
    return profile, problems


def fits_in_url(username: str) -> bool:
    """True if /user/<username> can hold the username as one path segment."""
    if username in {".", ".."}:  # clients collapse these segments away
        return False
    return "/" not in username and not has_controls(username)


def has_controls(value: str, allowed: frozenset[str] = frozenset()) -> bool:
    """True if `value` holds a control character (NUL, escape, ...) outside `allowed`.

    A browser shows those as nothing, or as a question mark in a box, so the page
    would not show what was stored.
    """
    return any(unicodedata.category(char) == "Cc" and char not in allowed for char in value)


def read_registration(form: Mapping[str, str]) -> tuple[str, str, list[str]]:
    """The username and password a registration form sends, and a sentence for each problem.

    The username follows a profile's rules (a member's profile will have it);
    the password is taken as typed, never trimmed, and must be typed twice alike.
    """
    fields, problems = read_profile(form, names=("username",))
    password = form.get("password", "")
    shortest, longest = PASSWORD_LENGTH
    if len(password) < shortest:
        problems.append(f"Password is too short: at least {shortest} characters.")
    elif len(password) > longest:
        problems.append(f"Password is too long: at most {longest} characters.")
    if form.get("password2", "") != password:
        problems.append("The two passwords differ: type the same one twice.")
    return fields["username"], password, problems
