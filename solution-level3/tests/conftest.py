"""What the club's tests share: an app made by create_app("testing"), browsers for it, and a few helpers.

The tests use only what the club promises to the outside (the grading
contract's interface): create_app from app.py, the test client, app.config,
app.instance_path, the environment variables, and the routes, form fields,
statuses, element ids and outbox. So they run on any club built to the
contract, not only on this one.

Every test gets a new, empty club: create_app("testing") keeps its data in
memory, apart from the real club's. The names it uses are fresh all the same,
so the tests work on a club that keeps its test data elsewhere.
"""

from __future__ import annotations

import os
import secrets
from html.parser import HTMLParser

import pytest
from app import create_app

# Used when the environment does not set them (the graders set them all).
DEFAULTS = {"CLUB_PASSWORD": "club-password-for-tests", "CLUB_ADMIN": "ClubAdmin1"}
# An answer that says "no": refused (401, 403) or sent to /login.
REFUSED = (401, 403)


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: a test that waits for time to pass (run last)")


def pytest_collection_modifyitems(items):
    """The slow tests last: a failure elsewhere shows without waiting for them."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is not None)


@pytest.fixture(autouse=True)
def environment(monkeypatch):
    """The club password and the administrator's name, where the environment lacks them."""
    for name, value in DEFAULTS.items():
        if not os.environ.get(name):
            monkeypatch.setenv(name, value)


@pytest.fixture
def app():
    """A new club under the testing configuration."""
    return create_app("testing")


@pytest.fixture
def club(app):
    """The club, as the tests drive it; the mails it made the club write are removed afterwards."""
    club = Club(app)
    yield club
    for username in club.registered:
        club.mails_for(username, remove=True)


def new_name(prefix: str = "Member") -> str:
    """A username no test used before: letters and digits, starting with a letter."""
    return f"{prefix}{secrets.token_hex(4)}"


def new_password() -> str:
    """A password of 16 letters and digits."""
    return secrets.token_hex(8)


def refused(response) -> bool:
    """True if the answer refuses: 401 or 403, or a redirect to /login."""
    if response.status_code in REFUSED:
        return True
    return response.status_code in (301, 302, 303, 307, 308) and response.location.split("?")[0].endswith("/login")


class Club:
    """A club app with the steps the tests take on it; each browser is a test client with its own cookies."""

    def __init__(self, app):
        self.app = app
        self.password = os.environ["CLUB_PASSWORD"]
        self.outbox = os.path.join(app.instance_path, "outbox")
        self.registered: list[str] = []

    def browser(self):
        """A new browser: no cookies."""
        return self.app.test_client()

    def join(self, username: str, food: str = "pizza", message: str = "hi", password: str | None = None):
        """POST /user/ with a profile and the club password (or the one given); the answer."""
        password = self.password if password is None else password
        form = {"username": username, "food": food, "message": message, "password": password}
        return self.browser().post("/user/", data=form)

    def register(self, username: str, password: str, password2: str | None = None, app=None):
        """POST /register from a new browser, on this club or the app given; the answer."""
        self.registered.append(username)
        form = {"username": username, "password": password, "password2": password if password2 is None else password2}
        return (app or self.app).test_client().post("/register", data=form)

    def log_in(self, username: str, password: str, browser=None):
        """POST /login in the browser given, else a new one; (that browser, the answer)."""
        browser = browser or self.browser()
        return browser, browser.post("/login", data={"username": username, "password": password})

    def member(self, username: str, food: str = "pizza", message: str = "hi") -> tuple[str, object]:
        """Register `username` with a new password and store their profile; (the password, a logged-in browser)."""
        password = new_password()
        assert self.register(username, password).status_code < 400
        assert self.join(username, food, message).status_code < 400
        browser, answer = self.log_in(username, password)
        assert answer.status_code < 400
        return password, browser

    def page(self, path: str, browser=None) -> Page:
        """GET `path` in the browser given, else as a new visitor; the page."""
        return Page((browser or self.browser()).get(path))

    def profile(self, username: str) -> Page:
        """A profile page, read as a new visitor."""
        return self.page(f"/user/{username}")

    def status(self, browser) -> str:
        """The text of #status on the home page, in that browser."""
        return self.page("/", browser).text("status") or ""

    def mails_for(self, username: str, remove: bool = False) -> list[str]:
        """The texts of the mails in instance/outbox/ that name `username`; removed from it if asked."""
        mails = []
        for name in os.listdir(self.outbox) if os.path.isdir(self.outbox) else []:
            path = os.path.join(self.outbox, name)
            with open(path, encoding="utf-8") as file:
                text = file.read()
            if username in text:
                mails.append(text)
                if remove:
                    os.remove(path)
        return mails

    def link_for(self, username: str) -> str:
        """The path of the link in the one mail the club wrote to `username`."""
        mails = self.mails_for(username)
        assert len(mails) == 1, f"{len(mails)} mails for {username} in {self.outbox}"
        url = next(word for word in mails[0].split() if word.startswith(("http://", "https://")))
        return "/" + url.split("/", 3)[3]


class Page(HTMLParser):
    """An answer, with its elements' text by id and its form fields' values by name."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self, response):
        super().__init__()
        self.status = response.status_code
        self.html = response.get_data(as_text=True)
        self.ids: dict[str, str] = {}
        self.fields: dict[str, str] = {}
        self._open: list[tuple[str, str | None, str | None]] = []  # (tag, id, textarea name)
        self.feed(self.html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name"):
            self.fields[attrs["name"]] = attrs.get("value") or ""
        if tag == "textarea" and attrs.get("name"):
            self.fields[attrs["name"]] = ""
        if tag not in self.VOID:
            self._open.append((tag, attrs.get("id"), attrs.get("name") if tag == "textarea" else None))
            if attrs.get("id"):
                self.ids[attrs["id"]] = ""

    def handle_endtag(self, tag):
        while self._open:
            if self._open.pop()[0] == tag:
                break

    def handle_data(self, data):
        for _, id_, textarea in self._open:
            if id_:
                self.ids[id_] += data
            if textarea:
                self.fields[textarea] += data

    def text(self, id_: str) -> str | None:
        """The trimmed text of the element with that id; None if there is none."""
        return self.ids[id_].strip() if id_ in self.ids else None
