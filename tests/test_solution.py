"""The reference solution's behaviour, one specification per test.

Each test imports solution/app.py afresh, so it gets a club of its own: an
empty database in tmp_path, and the club password "s3cret" in CLUB_PASSWORD.
"""

from __future__ import annotations

import ast
import importlib
import logging
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup
from flask import Flask, template_rendered
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

SOLUTION = Path(__file__).resolve().parent.parent / "solution"
PASSWORD = "s3cret"

MakeApp = Callable[..., Flask]


def forget_solution() -> None:
    """Remove the solution's modules (app, db, forms, ...) from sys.modules, so the next import runs them afresh."""
    for name, module in list(sys.modules.items()):
        if Path(getattr(module, "__file__", None) or "/").parent == SOLUTION:
            del sys.modules[name]


@pytest.fixture
def solution_on_path(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """solution/ first on sys.path, as the checks import a submission; its modules forgotten afterwards."""
    monkeypatch.syspath_prepend(str(SOLUTION))
    forget_solution()
    yield
    forget_solution()


def import_app(**config: object) -> Flask:
    """A new club: solution/app.py imported afresh (solution/ must be on sys.path), its config updated."""
    forget_solution()
    app: Flask = importlib.import_module("app").app
    app.config.update(config)
    return app


@pytest.fixture
def make_app(solution_on_path: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> MakeApp:
    """make_app(**config) starts the club afresh on this test's database, with CLUB_PASSWORD "s3cret"."""
    monkeypatch.setenv("CLUB_PASSWORD", PASSWORD)

    def make(**config: object) -> Flask:
        return import_app(TESTING=True, DATABASE=str(tmp_path / "club.sqlite"), **config)

    return make


@pytest.fixture
def client(make_app: MakeApp) -> FlaskClient:
    """A test client for a fresh, empty club."""
    return make_app().test_client()


class Visitor:
    """What a browser does, as verbs: join the club, look at pages."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def join(
        self,
        username: str | None = "Mira K",
        food: str | None = "dal",
        message: str | None = "Hello, club!",
        password: str | None = PASSWORD,
    ) -> TestResponse:
        """POST /user/ as the join form does; a field given as None is left out."""
        fields = {"username": username, "food": food, "message": message, "password": password}
        data = {name: value for name, value in fields.items() if value is not None}
        return self.client.post("/user/", data=data)

    def profile(self, username: str) -> TestResponse:
        """GET the profile page of `username`."""
        return self.client.get(f"/user/{quote(username, safe='')}")

    def shown(self, username: str) -> dict[str, str]:
        """The text of #username, #food and #message on the profile of `username`."""
        page = soup(self.profile(username))
        return {field: page.find(id=field).get_text() for field in ("username", "food", "message")}

    def members(self) -> list[str]:
        """The usernames the home page lists."""
        return [link.get_text() for link in soup(self.client.get("/")).select("#members a")]


@pytest.fixture
def visitor(client: FlaskClient) -> Visitor:
    """A visitor to a fresh, empty club."""
    return Visitor(client)


def soup(response: TestResponse) -> BeautifulSoup:
    """The response's HTML, parsed."""
    return BeautifulSoup(response.text, "html.parser")


def text(response: TestResponse) -> str:
    """The response's HTML as a reader sees it: tags gone, spaces collapsed."""
    return " ".join(soup(response).get_text().split())


# The home page


def test_home_page_is_html(client: FlaskClient) -> None:
    """GET / is 200 with an HTML content type"""
    response = client.get("/")
    assert (response.status_code, response.mimetype) == (200, "text/html")


def test_home_page_has_the_join_form(client: FlaskClient) -> None:
    """the home page has a form posting username, food, message and password to /user/"""
    form = soup(client.get("/")).find("form")
    fields = {field["name"]: field.name for field in form.select("[name]")}
    assert (form["action"], form["method"], fields) == (
        "/user/",
        "post",
        {"username": "input", "food": "input", "message": "textarea", "password": "input"},
    )


def test_empty_club_lists_nobody(visitor: Visitor) -> None:
    """before anyone joins, the home page lists no members"""
    assert visitor.members() == []


def test_home_page_lists_members(visitor: Visitor) -> None:
    """the home page lists every member, alphabetically"""
    for name in ("Zoë", "Mira K", "ari"):
        visitor.join(username=name)
    assert visitor.members() == ["ari", "Mira K", "Zoë"]


def test_member_links_lead_to_their_profiles(visitor: Visitor) -> None:
    """each member's link on the home page opens that member's profile"""
    for name in ("Mira K", "Zoë Ångström", "a?b#c%d"):
        visitor.join(username=name)
    links = soup(visitor.client.get("/")).select("#members a")
    shown = [soup(visitor.client.get(link["href"])).find(id="username").get_text() for link in links]
    assert shown == [link.get_text() for link in links]


# Joining: POST /user/


def test_join_redirects_to_the_profile(visitor: Visitor) -> None:
    """POST /user/ answers 303 See Other, pointing at the new profile"""
    response = visitor.join(username="Mira K")
    assert (response.status_code, response.headers["Location"]) == (303, "/user/Mira%20K")


def test_profile_shows_exactly_the_values(visitor: Visitor) -> None:
    """the profile page's #username, #food and #message hold exactly the posted values"""
    visitor.join(username="Mira K", food="dal", message="Hello,\nclub!")
    assert visitor.shown("Mira K") == {"username": "Mira K", "food": "dal", "message": "Hello,\nclub!"}


def test_profile_page_is_html(visitor: Visitor) -> None:
    """a member's profile page is 200 HTML"""
    visitor.join(username="Mira K")
    response = visitor.profile("Mira K")
    assert (response.status_code, response.mimetype) == (200, "text/html")


def test_join_trims_whitespace(visitor: Visitor) -> None:
    """spaces around the values are trimmed before they are stored"""
    visitor.join(username="  Mira K ", food=" dal\t", message="\n hi \n")
    assert visitor.shown("Mira K") == {"username": "Mira K", "food": "dal", "message": "hi"}


def test_joining_again_replaces_the_profile(visitor: Visitor) -> None:
    """a second POST for a username replaces that member's food and message"""
    visitor.join(username="Mira K", food="dal", message="first")
    visitor.join(username="Mira K", food="pho", message="second")
    assert visitor.shown("Mira K") == {"username": "Mira K", "food": "pho", "message": "second"}


def test_joining_again_keeps_one_member(visitor: Visitor) -> None:
    """a member who joins twice is listed once"""
    visitor.join(username="Mira K", food="dal")
    visitor.join(username="Mira K", food="pho")
    assert visitor.members() == ["Mira K"]


def test_members_do_not_overwrite_each_other(visitor: Visitor) -> None:
    """two members keep their own values"""
    visitor.join(username="ari", food="dal", message="from ari")
    visitor.join(username="bo", food="pho", message="from bo")
    assert visitor.shown("ari") == {"username": "ari", "food": "dal", "message": "from ari"}


@pytest.mark.parametrize(
    "username",
    ["Mira K", "Zoë Ångström", "Ђорђе", "李小龍", "a?b#c%d", "x+y&z=1", "🍕 fan"],
)
def test_usernames_round_trip(visitor: Visitor, username: str) -> None:
    """a username with spaces, non-ASCII letters or URL punctuation works end to end"""
    location = visitor.join(username=username).headers["Location"]
    assert soup(visitor.client.get(location)).find(id="username").get_text() == username


@pytest.mark.parametrize(("field", "limit"), [("username", 32), ("food", 64), ("message", 500)])
def test_fields_at_their_limit_are_accepted(visitor: Visitor, field: str, limit: int) -> None:
    """a value of exactly the limit's length is accepted"""
    assert visitor.join(**{field: "é" * limit}).status_code == 303


# Bad input: 400, a sentence naming the problem, and nothing stored

BAD_INPUT = [
    pytest.param({"username": None}, "Username is required.", id="no-username"),
    pytest.param({"username": ""}, "Username is required.", id="empty-username"),
    pytest.param({"username": "   "}, "Username is required.", id="blank-username"),
    pytest.param({"food": None}, "Food is required.", id="no-food"),
    pytest.param({"food": ""}, "Food is required.", id="empty-food"),
    pytest.param({"message": None}, "Message is required.", id="no-message"),
    pytest.param({"message": " \n "}, "Message is required.", id="blank-message"),
    pytest.param({"username": "x" * 33}, "Username is too long: 33 characters, at most 32.", id="long-username"),
    pytest.param({"food": "x" * 65}, "Food is too long: 65 characters, at most 64.", id="long-food"),
    pytest.param({"message": "x" * 501}, "Message is too long: 501 characters, at most 500.", id="long-message"),
    pytest.param({"username": "a/b"}, "Username must fit in one URL segment", id="slash"),
    pytest.param({"username": "a\tb"}, "Username must fit in one URL segment", id="tab"),
    pytest.param({"username": "a\nb"}, "Username must fit in one URL segment", id="newline"),
    pytest.param({"username": "a\x00b"}, "Username must fit in one URL segment", id="nul"),
    pytest.param({"username": "a\x7fb"}, "Username must fit in one URL segment", id="delete"),
    pytest.param({"username": ".."}, "Username must fit in one URL segment", id="dot-dot"),
]


@pytest.mark.parametrize(("fields", "sentence"), BAD_INPUT)
def test_bad_input_is_400(visitor: Visitor, fields: dict[str, str | None], sentence: str) -> None:
    """bad input is answered 400"""
    assert visitor.join(**fields).status_code == 400


@pytest.mark.parametrize(("fields", "sentence"), BAD_INPUT)
def test_bad_input_page_names_the_problem(visitor: Visitor, fields: dict[str, str | None], sentence: str) -> None:
    """the 400 page says, in a sentence, which field is wrong"""
    assert sentence in text(visitor.join(**fields))


@pytest.mark.parametrize(("fields", "sentence"), BAD_INPUT)
def test_bad_input_stores_nothing(visitor: Visitor, fields: dict[str, str | None], sentence: str) -> None:
    """after bad input, nobody has joined"""
    visitor.join(**fields)
    assert visitor.members() == []


def test_bad_input_profile_is_not_found(visitor: Visitor) -> None:
    """a username refused for a missing food has no profile"""
    visitor.join(username="Mira K", food="")
    assert visitor.profile("Mira K").status_code == 404


def test_huge_body_is_413_html(visitor: Visitor) -> None:
    """a body over 1 MiB is answered 413 with an HTML page"""
    response = visitor.join(message="x" * 1_100_000)
    assert (response.status_code, response.mimetype) == (413, "text/html")


def test_huge_body_stores_nothing(visitor: Visitor) -> None:
    """after a body over 1 MiB, nobody has joined"""
    visitor.join(message="x" * 1_100_000)
    assert visitor.members() == []


# Extra 7: the club password

REFUSED_PASSWORDS = [
    pytest.param(None, id="missing"),
    pytest.param("", id="empty"),
    pytest.param("wrong", id="wrong"),
    pytest.param("S3CRET", id="other-case"),
    pytest.param("s3cret ", id="trailing-space"),
    pytest.param("s3cre", id="prefix"),
]


@pytest.mark.parametrize("password", REFUSED_PASSWORDS)
def test_refused_password_is_401(visitor: Visitor, password: str | None) -> None:
    """a missing or wrong password is answered 401"""
    assert visitor.join(password=password).status_code == 401


def test_refused_password_page_says_why(visitor: Visitor) -> None:
    """the 401 page says the password is missing or wrong"""
    assert "The club password is missing or wrong." in text(visitor.join(password="wrong"))


@pytest.mark.parametrize("password", REFUSED_PASSWORDS)
def test_refused_password_stores_nothing(visitor: Visitor, password: str | None) -> None:
    """after a refused password, the profile is not found"""
    visitor.join(username="Mira K", password=password)
    assert visitor.profile("Mira K").status_code == 404


def test_refused_password_keeps_the_old_profile(visitor: Visitor) -> None:
    """a refused POST for an existing member leaves their profile as it was"""
    visitor.join(username="Mira K", food="dal")
    visitor.join(username="Mira K", food="pho", password="wrong")
    assert visitor.shown("Mira K")["food"] == "dal"


def test_password_is_checked_before_the_fields(visitor: Visitor) -> None:
    """a POST with a wrong password is refused 401 even when its fields are wrong too"""
    assert visitor.join(username="", password="wrong").status_code == 401


def test_non_ascii_password(make_app: MakeApp, monkeypatch: pytest.MonkeyPatch) -> None:
    """a password with non-ASCII letters is compared as UTF-8 and accepted"""
    monkeypatch.setenv("CLUB_PASSWORD", "sésame ouvre-toi")
    assert Visitor(make_app().test_client()).join(password="sésame ouvre-toi").status_code == 303


def test_password_is_read_when_a_post_comes(make_app: MakeApp, monkeypatch: pytest.MonkeyPatch) -> None:
    """CLUB_PASSWORD is read at each POST: a password set after start-up is the one asked for"""
    visitor = Visitor(make_app().test_client())
    monkeypatch.setenv("CLUB_PASSWORD", "changed")
    assert (visitor.join(password=PASSWORD).status_code, visitor.join(password="changed").status_code) == (401, 303)


@pytest.mark.parametrize("password", ["", "flask-club", PASSWORD, "None"])
def test_unset_password_refuses_every_post(make_app: MakeApp, monkeypatch: pytest.MonkeyPatch, password: str) -> None:
    """with CLUB_PASSWORD unset, every POST is refused 401, whatever password it carries: there is no default"""
    monkeypatch.delenv("CLUB_PASSWORD")
    visitor = Visitor(make_app().test_client())
    assert (visitor.join(password=password).status_code, visitor.members()) == (401, [])


def test_empty_password_refuses_every_post(make_app: MakeApp, monkeypatch: pytest.MonkeyPatch) -> None:
    """an empty CLUB_PASSWORD is no password: a POST with an empty password is refused"""
    monkeypatch.setenv("CLUB_PASSWORD", "")
    assert Visitor(make_app().test_client()).join(password="").status_code == 401


def test_unset_password_is_logged(
    make_app: MakeApp, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """with CLUB_PASSWORD unset, a refused POST logs a warning naming CLUB_PASSWORD"""
    monkeypatch.delenv("CLUB_PASSWORD")
    visitor = Visitor(make_app().test_client())
    with caplog.at_level(logging.WARNING):
        visitor.join()
    assert any("CLUB_PASSWORD is not set" in record.getMessage() for record in caplog.records)


# Extra 6: unknown users


def test_unknown_user_is_404_html(visitor: Visitor) -> None:
    """GET /user/<never-created> is 404 with an HTML page"""
    response = visitor.profile("Nobody Here")
    assert (response.status_code, response.mimetype) == (404, "text/html")


@pytest.mark.parametrize("username", ["Nobody Here", "Zoë Ångström", "李小龍"])
def test_unknown_user_page_names_them(visitor: Visitor, username: str) -> None:
    """the 404 page names the username that was asked for"""
    assert username in text(visitor.profile(username))


def test_unknown_username_is_escaped(visitor: Visitor) -> None:
    """HTML in an unknown username is shown as text on the 404 page, not as markup"""
    page = soup(visitor.profile("<b>bold"))
    assert (page.find("b"), "<b>bold" in page.get_text()) == (None, True)


def test_unknown_url_is_404_html(client: FlaskClient) -> None:
    """any other unknown URL is a 404 HTML page too"""
    response = client.get("/no/such/page")
    assert (response.status_code, response.mimetype) == (404, "text/html")


# Escaping: values are shown as text, never run


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("message", "<script>alert('hi')</script>"),
        ("food", "<script>alert('hi')</script>"),
        ("username", "<script>alert('hi')"),
    ],
)
def test_html_in_values_is_shown_as_text(visitor: Visitor, field: str, value: str) -> None:
    """HTML in a value appears as text on the profile, and no script element is injected"""
    fields = {"username": "Mira K", field: value}
    visitor.join(**fields)
    page = soup(visitor.profile(fields["username"]))
    assert (page.find(id=field).get_text(), page.find("script")) == (value, None)


def test_html_in_usernames_is_escaped_on_the_home_page(visitor: Visitor) -> None:
    """the member list shows an HTML username as text"""
    visitor.join(username="<script>alert('hi')")
    assert soup(visitor.client.get("/")).find("script") is None


# Storage


def test_profiles_survive_a_restart(make_app: MakeApp) -> None:
    """a new app on the same database still has the profile"""
    Visitor(make_app().test_client()).join(username="Mira K", food="dal")
    assert Visitor(make_app().test_client()).shown("Mira K")["food"] == "dal"


# The submission's shape, as the contract reads it


def test_running_app_py_serves_on_the_default_port() -> None:
    """app.py runs the app under `if __name__ == "__main__":`, with no port other than 5000"""
    tree = ast.parse((SOLUTION / "app.py").read_text())
    main_blocks = [
        node for node in tree.body if isinstance(node, ast.If) and ast.unparse(node.test) == "__name__ == '__main__'"
    ]
    run_calls = [
        ast.unparse(node)
        for block in main_blocks
        for node in ast.walk(block)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "run"
    ]
    assert run_calls == ["app.run()"]


def test_profile_page_renders_user_html(make_app: MakeApp) -> None:
    """the profile page is rendered from templates/user.html"""
    app = make_app()
    visitor = Visitor(app.test_client())
    visitor.join(username="Mira K")
    rendered: list[str] = []

    def record(sender: Flask, template: object, context: dict[str, object], **extra: object) -> None:
        rendered.append(getattr(template, "name", ""))

    with template_rendered.connected_to(record, app):
        visitor.profile("Mira K")
    assert rendered == ["user.html"]


@pytest.mark.parametrize(
    "template",
    sorted(path.name for path in (SOLUTION / "templates").glob("*.html") if path.name != "base.html"),
)
def test_every_page_extends_base_html(template: str) -> None:
    """every page template extends base.html"""
    source = (SOLUTION / "templates" / template).read_text()
    assert source.startswith('{% extends "base.html" %}')
