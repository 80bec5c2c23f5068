"""What POST /user/ accepts: the fields, their limits, and the club password."""

from __future__ import annotations

import hmac
import unicodedata
from typing import Any

from flask import current_app, request

# The profile's fields and the most characters each may hold, once trimmed.
LIMITS = {"username": 32, "food": 64, "message": 500}

# The control characters a message may hold: its line breaks and tabs.
MESSAGE_CONTROLS = frozenset("\n\r\t")


def read_fields() -> dict[str, str] | None:
    """The submitted fields, from the form or from a JSON object.

    Returns None for a JSON body that is broken: not JSON at all, not an
    object, or holding something other than text in one of the fields.
    A repeated form field counts once, with its first value.
    """
    if not request.is_json:
        return request.form.to_dict()
    try:
        data: Any = request.get_json(silent=True)
    except RecursionError:  # "[[[[...": nested deeper than Python's JSON parser goes
        return None
    if not isinstance(data, dict):
        return None
    fields = {name: data[name] for name in [*LIMITS, "password"] if name in data}
    if not all(is_text(value) for value in fields.values()):
        return None
    return fields


def is_text(value: object) -> bool:
    """True for a string that can be stored (JSON's "\\ud800" is half a character)."""
    if not isinstance(value, str):
        return False
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


def read_profile(fields: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """The trimmed profile, and a sentence for each problem (empty when it is fine)."""
    profile: dict[str, str] = {}
    problems: list[str] = []
    for name, limit in LIMITS.items():
        value = fields.get(name, "").strip()
        label = name.capitalize()
        if not value:
            problems.append(f"{label} is required.")
        elif len(value) > limit:
            problems.append(f"{label} is too long: {len(value)} characters, at most {limit}.")
        profile[name] = value
    if not fits_in_url(profile["username"]):
        problems.append("Username must fit in one URL segment: no '/', no control characters, and not '.' or '..'.")
    if has_controls(profile["food"]):
        problems.append("Food must be one line of text, without control characters.")
    if has_controls(profile["message"], allowed=MESSAGE_CONTROLS):
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


def is_club_password(given: str) -> bool:
    """True if `given` is the club password.

    hmac.compare_digest takes as long for a near miss as for a wild guess,
    so response times do not leak how much of a guess was right.
    """
    expected: str = current_app.config["CLUB_PASSWORD"]
    return hmac.compare_digest(given.encode(), expected.encode())
