import base64
import os
import zlib

import pytest

from app import create_app
from conftest import logged_in, new_name, post_profile, register, text_of

ADMIN = "ChiefOtter42"


@pytest.fixture
def admin_app(monkeypatch):
    monkeypatch.setenv("CLUB_ADMIN", ADMIN)
    app = create_app("testing")
    register(app, ADMIN, "admin-password-1")
    post_profile(app, ADMIN, food="tea")
    return app


def member(app, food="soup"):
    name = new_name()
    register(app, name, "long-password-1")
    post_profile(app, name, food=food)
    return name


def test_roles_are_shown(admin_app):
    assert text_of(admin_app.test_client().get(f"/user/{ADMIN}"), "role") == "admin"
    assert text_of(admin_app.test_client().get(f"/user/{member(admin_app)}"), "role") == "member"


def test_the_admin_edits_a_profile_and_no_other(admin_app):
    target = member(admin_app)
    browser = logged_in(admin_app, ADMIN, "admin-password-1")
    page = browser.get(f"/edit-profile/{target}")
    assert page.status_code == 200
    assert 'value="soup"' in page.text
    assert browser.post(f"/edit-profile/{target}", data={"food": "cake", "message": "x"}).status_code < 400
    assert text_of(admin_app.test_client().get(f"/user/{target}"), "food") == "cake"
    assert text_of(admin_app.test_client().get(f"/user/{ADMIN}"), "food") == "tea"


def test_the_admin_gets_404_for_nobody(admin_app):
    browser = logged_in(admin_app, ADMIN, "admin-password-1")
    assert browser.get(f"/edit-profile/{new_name('Nobody')}").status_code == 404


def test_a_member_gets_403(admin_app):
    target = member(admin_app)
    visitor = member(admin_app)
    browser = logged_in(admin_app, visitor, "long-password-1")
    assert browser.get(f"/edit-profile/{target}").status_code == 403
    assert browser.post(f"/edit-profile/{target}", data={"food": "cake", "message": "x"}).status_code == 403
    assert text_of(admin_app.test_client().get(f"/user/{target}"), "food") == "soup"


def test_the_club_password_makes_no_admin(monkeypatch):
    monkeypatch.setenv("CLUB_ADMIN", ADMIN)
    app = create_app("testing")
    target = new_name()
    post_profile(app, target, food="soup")
    browser = logged_in(app, ADMIN, os.environ["CLUB_PASSWORD"])
    reply = browser.get(f"/edit-profile/{target}")
    assert reply.status_code in (401, 403) or 300 <= reply.status_code < 400
    browser.post(f"/edit-profile/{target}", data={"food": "cake", "message": "x"})
    assert text_of(app.test_client().get(f"/user/{target}"), "food") == "soup"


def test_no_cookie_holds_the_password(app):
    name = new_name()
    replies = [register(app, name, "secret-password-1")]
    browser = app.test_client()
    replies.append(browser.post("/login", data={"username": name, "password": "secret-password-1"}))
    replies.append(browser.get("/"))
    for reply in replies:
        for header in reply.headers.getlist("Set-Cookie"):
            value = header.split(";")[0].partition("=")[2]
            assert "secret-password-1" not in value
            assert "secret-password-1" not in session_text(value)


def session_text(value):
    """What Flask's session cookie holds: its first part, base64 (zlib-packed after a leading dot)."""
    part = value.lstrip(".").split(".")[0]
    try:
        raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        return (zlib.decompress(raw) if value.startswith(".") else raw).decode("utf-8", "replace")
    except (ValueError, zlib.error):
        return ""
