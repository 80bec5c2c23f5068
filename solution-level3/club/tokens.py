"""Confirmation tokens: a username, signed with the app's SECRET_KEY, with the time it was signed.

ItsDangerous's URLSafeTimedSerializer does all of it: a changed character
breaks the signature, another SECRET_KEY does not recognise it, and loads()
refuses a token older than max_age seconds. The token can be read by anyone
(it is base64, not encrypted): it holds nothing secret, only the username.
"""

from __future__ import annotations

import os

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

# Keeps these tokens apart from anything else signed with the same key, such as the session cookie.
SALT = "club-confirm"
# How long a link works, in seconds, unless CLUB_CONFIRM_SECONDS says otherwise.
CONFIRM_SECONDS = 3600


def serializer() -> URLSafeTimedSerializer:
    """The signer, with the current app's key."""
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def make(username: str) -> str:
    """A new token for `username`."""
    return serializer().dumps({"confirm": username})


def read(token: str) -> str | None:
    """The username a token was made for; None if it is altered, signed with another key, or too old."""
    try:
        data = serializer().loads(token, max_age=confirm_seconds())
    except BadSignature:  # SignatureExpired is one kind of it
        return None
    return data.get("confirm") if isinstance(data, dict) else None


def confirm_seconds() -> int:
    """How long a link works: CLUB_CONFIRM_SECONDS, read at each use, else an hour."""
    value = os.environ.get("CLUB_CONFIRM_SECONDS", "").strip()
    if value.isdigit() and int(value) > 0:
        return int(value)
    if value:
        current_app.logger.warning("CLUB_CONFIRM_SECONDS=%r is not a number of seconds: links work for an hour.", value)
    return CONFIRM_SECONDS
