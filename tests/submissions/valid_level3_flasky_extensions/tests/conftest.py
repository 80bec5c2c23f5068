import os
import re
import secrets

import pytest

from app import create_app


@pytest.fixture
def app():
    """A new testing app: an empty club."""
    return create_app("testing")


@pytest.fixture
def client(app):
    return app.test_client()


def new_name(stem="Member"):
    return stem + secrets.token_hex(4)


def club_password():
    return os.environ["CLUB_PASSWORD"]


def post_profile(app, username, food="soup", message="hi", password=None):
    form = {"username": username, "food": food, "message": message,
            "password": club_password() if password is None else password}
    return app.test_client().post("/user/", data=form)


def register(app, username, password="long-password-1", password2=None):
    form = {"username": username, "password": password, "password2": password if password2 is None else password2}
    return app.test_client().post("/register", data=form)


def logged_in(app, username, password):
    browser = app.test_client()
    browser.post("/login", data={"username": username, "password": password})
    return browser


def text_of(page, element_id):
    """The text of the element with this id, tags stripped, trimmed."""
    found = re.search(rf'id="{element_id}"[^>]*>(.*?)</', page.text, re.S)
    return found[1].strip() if found else None
