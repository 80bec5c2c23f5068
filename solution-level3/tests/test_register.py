"""Step 13: members register with a password of their own, kept only as a salted hash."""

import base64
import hashlib
import zlib

import pytest
from app import create_app
from conftest import REFUSED, new_name, new_password


def test_the_register_form(club):
    """GET /register is a form posting username, password and password2, the last two hidden as typed."""
    page = club.page("/register")
    assert page.status == 200
    assert {"username", "password", "password2"} <= set(page.fields)
    assert page.html.count('type="password"') >= 2


def test_a_member_logs_in_with_their_own_password(club):
    """After registering, a member logs in with their password, in a new browser."""
    name, password = new_name(), new_password()
    assert club.register(name, password).status_code < 400
    browser, answer = club.log_in(name, password)
    assert answer.status_code < 400
    assert name in club.status(browser)


@pytest.mark.parametrize("which", ["club password", "wrong password"])
def test_a_registered_name_refuses_other_passwords(club, which):
    """A registered member's name refuses the club password and any wrong one: 401 or 403, and no login."""
    name, password = new_name(), new_password()
    club.register(name, password)
    other = club.password if which == "club password" else password + "x"
    browser, answer = club.log_in(name, other)
    assert answer.status_code in REFUSED
    assert name not in club.status(browser)


@pytest.mark.parametrize(
    ("username", "password", "password2"),
    [("", "long-enough-1", None), (None, "short1", None), (None, "long-enough-1", "long-enough-2")],
    ids=["empty username", "password under 8", "passwords differ"],
)
def test_a_bad_registration_is_400_and_stores_nothing(club, username, password, password2):
    """An empty username, a password under 8 characters, or two different passwords: 400, nothing stored."""
    name = new_name() if username is None else username
    assert club.register(name, password, password2).status_code == 400
    if name:
        assert club.log_in(name, password)[1].status_code in REFUSED


def test_a_taken_username_keeps_its_first_password(club):
    """Registering a name again is 400 or 409; the first password still logs in, the second does not."""
    name, first, second = new_name(), new_password(), new_password()
    club.register(name, first)
    assert club.register(name, second).status_code in (400, 409)
    assert club.log_in(name, first)[1].status_code < 400
    assert club.log_in(name, second)[1].status_code in REFUSED


def test_no_cookie_holds_the_password(club):
    """The cookies a registration and a login set, decoded where they are base64, hold no trace of the password."""
    name, password = new_name(), new_password()
    answers = [club.register(name, password)]
    browser, answer = club.log_in(name, password)
    answers += [answer, browser.get("/")]
    cookies = [header.split(";")[0] for reply in answers for header in reply.headers.getlist("Set-Cookie")]
    seen = " ".join(cookies + [decoded(cookie.partition("=")[2]) for cookie in cookies])
    for form in encodings(password):
        assert form not in seen


def decoded(value: str) -> str:
    """A cookie's value as Flask's session (base64 parts joined by dots, zlib-packed after a leading dot) holds it."""
    texts = []
    for part in value.lstrip(".").split("."):
        try:
            raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
            texts.append((zlib.decompress(raw) if value.startswith(".") else raw).decode("utf-8", "replace"))
        except (ValueError, zlib.error):
            continue
    return " ".join(texts)


def encodings(password: str) -> list[str]:
    """The password as it is, and in the trivial encodings of it a careless app might keep."""
    raw = password.encode()
    return [
        password,
        password[::-1],
        base64.b64encode(raw).decode().rstrip("="),
        base64.urlsafe_b64encode(raw).decode().rstrip("="),
        raw.hex(),
        hashlib.md5(raw).hexdigest(),
        hashlib.sha256(raw).hexdigest(),
    ]


def test_accounts_survive_a_restart(club):
    """A member registered on the default app logs in on a new one, made as after a restart."""
    name, password = new_name(), new_password()
    assert club.register(name, password, app=create_app()).status_code < 400
    _, answer = club.log_in(name, password, create_app().test_client())
    assert answer.status_code < 400
