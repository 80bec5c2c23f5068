"""The reference solution's behaviour, one specification per test.

Each test imports app.py afresh from a copy of solution/ in tmp_path, as the
checks import a submission, so it gets a club of its own: no instance/ yet
(no profiles.json, no photos), and the club password "s3cret" in
CLUB_PASSWORD. Level 1 (steps 1-7) first, then level 2 (steps 8-11).
"""

from __future__ import annotations

import ast
import base64
import importlib
import io
import json
import logging
import re
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup
from flask import Flask, template_rendered
from flask.testing import FlaskClient
from PIL import Image
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import TestResponse, encode_multipart

from tools.server import copy_solution

SOLUTION = Path(__file__).resolve().parent.parent / "solution"
PASSWORD = "s3cret"

MakeApp = Callable[..., Flask]


def forget_solution() -> None:
    """Remove the club's modules (app.py, serve.py) from sys.modules, so the next import runs them afresh."""
    for name in ("app", "serve"):
        sys.modules.pop(name, None)


@pytest.fixture
def club_folder(tmp_path: Path) -> Path:
    """A copy of solution/ in tmp_path, without instance/: the club's data goes in its own instance/."""
    return copy_solution(tmp_path / "club")


@pytest.fixture
def solution_on_path(club_folder: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The copy of solution/ first on sys.path, as the checks import a submission; its modules forgotten afterwards."""
    monkeypatch.syspath_prepend(str(club_folder))
    forget_solution()
    yield
    forget_solution()


def import_app(**config: object) -> Flask:
    """A new club: app.py imported afresh (from the folder first on sys.path), its config updated."""
    forget_solution()
    app: Flask = importlib.import_module("app").app
    app.config.update(config)
    return app


@pytest.fixture
def make_app(solution_on_path: None, monkeypatch: pytest.MonkeyPatch) -> MakeApp:
    """make_app(**config) starts the club afresh in this test's copy of solution/, with CLUB_PASSWORD "s3cret"."""
    monkeypatch.setenv("CLUB_PASSWORD", PASSWORD)

    def make(**config: object) -> Flask:
        return import_app(TESTING=True, **config)

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

    def log_in(self, username: str = "Mira K", password: str | None = PASSWORD) -> TestResponse:
        """POST /login as the login form does; a password given as None is left out."""
        fields = {"username": username, "password": password}
        return self.client.post("/login", data={name: value for name, value in fields.items() if value is not None})

    def status(self, path: str = "/") -> str:
        """The text of #status on the page at `path`."""
        return soup(self.client.get(path)).find(id="status").get_text()

    def edit(self, photo: tuple[bytes, str] | None = None, **fields: str) -> TestResponse:
        """POST /account-details as its form does (multipart): `fields`, and a photo as (content, file name)."""
        data: dict[str, object] = dict(fields)
        if photo is not None:
            data["avatar"] = FileStorage(io.BytesIO(photo[0]), photo[1])
        # Encoded here, in memory: the test client would spool a big body to a file it never closes.
        boundary, body = encode_multipart(MultiDict(data))
        return self.client.post(
            "/account-details", data=body, content_type=f"multipart/form-data; boundary={boundary}"
        )


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


def test_join_stores_the_values_as_sent(visitor: Visitor) -> None:
    """the values are stored as they were sent, spaces around them too"""
    visitor.join(username="Mira K", food=" dal\t", message="\n hi \n")
    assert visitor.shown("Mira K") == {"username": "Mira K", "food": " dal\t", "message": "\n hi \n"}


def test_only_the_username_is_required(visitor: Visitor) -> None:
    """a POST with a username and the password, without food or message, stores them empty"""
    assert visitor.join(username="Mira K", food=None, message=None).status_code == 303
    assert visitor.shown("Mira K") == {"username": "Mira K", "food": "", "message": ""}


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


# Bad input (step 2): 400, and nothing stored

BAD_INPUT = [
    pytest.param({"username": None}, id="no-username"),
    pytest.param({"username": ""}, id="empty-username"),
    pytest.param({"username": "a/b"}, id="slash"),  # /user/a/b could never show it
]


@pytest.mark.parametrize("fields", BAD_INPUT)
def test_bad_input_is_400(visitor: Visitor, fields: dict[str, str | None]) -> None:
    """a POST without a username, with an empty one, or with one holding a "/", is answered 400 with an HTML page"""
    response = visitor.join(**fields)
    assert (response.status_code, response.mimetype) == (400, "text/html")


@pytest.mark.parametrize("fields", BAD_INPUT)
def test_bad_input_stores_nothing(visitor: Visitor, fields: dict[str, str | None], club_folder: Path) -> None:
    """after bad input, nobody has joined, and no profiles file was written"""
    visitor.join(**fields)
    assert (visitor.members(), (club_folder / "instance" / "profiles.json").exists()) == ([], False)


def test_huge_body_is_413_html(visitor: Visitor) -> None:
    """a body over 1 MiB is answered 413 with an HTML page"""
    response = visitor.join(message="x" * 1_200_000)
    assert (response.status_code, response.mimetype) == (413, "text/html")


def test_huge_body_stores_nothing(visitor: Visitor) -> None:
    """after a body over 1 MiB, nobody has joined"""
    visitor.join(message="x" * 1_200_000)
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
def test_refused_password_is_403(visitor: Visitor, password: str | None) -> None:
    """a missing or wrong password is answered 403 (abort(403)) with an HTML page"""
    response = visitor.join(password=password)
    assert (response.status_code, response.mimetype) == (403, "text/html")


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
    """a POST with a wrong password is refused 403 even when its username is missing too"""
    assert visitor.join(username="", password="wrong").status_code == 403


def test_non_ascii_password(make_app: MakeApp, monkeypatch: pytest.MonkeyPatch) -> None:
    """a password with non-ASCII letters is compared as UTF-8 and accepted"""
    monkeypatch.setenv("CLUB_PASSWORD", "sésame ouvre-toi")
    assert Visitor(make_app().test_client()).join(password="sésame ouvre-toi").status_code == 303


def test_password_is_read_when_a_post_comes(make_app: MakeApp, monkeypatch: pytest.MonkeyPatch) -> None:
    """CLUB_PASSWORD is read at each POST: a password set after start-up is the one asked for"""
    visitor = Visitor(make_app().test_client())
    monkeypatch.setenv("CLUB_PASSWORD", "changed")
    assert (visitor.join(password=PASSWORD).status_code, visitor.join(password="changed").status_code) == (403, 303)


@pytest.mark.parametrize("password", ["", "flask-club", PASSWORD, "None"])
def test_unset_password_refuses_every_post(make_app: MakeApp, monkeypatch: pytest.MonkeyPatch, password: str) -> None:
    """with CLUB_PASSWORD unset, every POST is refused 403, whatever password it carries: there is no default"""
    monkeypatch.delenv("CLUB_PASSWORD")
    visitor = Visitor(make_app().test_client())
    assert (visitor.join(password=password).status_code, visitor.members()) == (403, [])


def test_empty_password_refuses_every_post(make_app: MakeApp, monkeypatch: pytest.MonkeyPatch) -> None:
    """an empty CLUB_PASSWORD is no password: a POST with an empty password is refused"""
    monkeypatch.setenv("CLUB_PASSWORD", "")
    assert Visitor(make_app().test_client()).join(password="").status_code == 403


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
    """a new app in the same folder still has the profile: it reads instance/profiles.json when it starts"""
    Visitor(make_app().test_client()).join(username="Mira K", food="dal")
    assert Visitor(make_app().test_client()).shown("Mira K")["food"] == "dal"


def test_profiles_file_is_json_keyed_by_username(make_app: MakeApp, club_folder: Path) -> None:
    """instance/profiles.json holds the dictionary of profiles, keyed by username, as the hints of step 10 teach"""
    Visitor(make_app().test_client()).join(username="Zoë", food="dal", message="hi")
    stored = json.loads((club_folder / "instance" / "profiles.json").read_text(encoding="utf-8"))
    assert stored == {"Zoë": {"username": "Zoë", "food": "dal", "message": "hi"}}


def test_a_save_cut_short_leaves_the_old_file_whole(
    make_app: MakeApp, club_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """a save that stops half-way (the server killed mid-write) leaves profiles.json as it was, still readable"""
    app = make_app()
    Visitor(app.test_client()).join(username="Mira K", food="dal")
    club = sys.modules["app"]

    def half_a_dump(data: object, file: io.TextIOBase, **options: object) -> None:
        file.write(json.dumps(data, **options)[:10])
        raise OSError("the disk is gone")

    with monkeypatch.context() as patch, pytest.raises(OSError):
        patch.setattr(club.json, "dump", half_a_dump)
        Visitor(app.test_client()).join(username="Bo", food="pho")
    assert Visitor(make_app().test_client()).shown("Mira K")["food"] == "dal"


def test_joins_at_the_same_time_are_all_kept(make_app: MakeApp) -> None:
    """many members joining at once, each in a thread of their own, are all in the file afterwards"""
    app = make_app()
    failures: list[str] = []

    def join(number: int) -> None:
        visitor = Visitor(app.test_client())
        for turn in range(25):
            try:
                status = visitor.join(username=f"member {number}-{turn}", message="x" * 2000).status_code
            except Exception as error:  # a save that broke under another thread's change
                status = repr(error)
            if status != 303:
                failures.append(f"member {number}-{turn}: {status}")

    threads = [threading.Thread(target=join, args=(number,)) for number in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert (failures, len(Visitor(make_app().test_client()).members())) == ([], 200)


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
    assert run_calls == ["app.run(debug=True)"]


def test_readme_names_only_functions_that_exist() -> None:
    """solution/README.md's map of the steps names functions (`name()`) that app.py defines, each step one row"""
    readme = (SOLUTION / "README.md").read_text()
    table = readme[readme.index("## Where each step is done") : readme.index("## What the hints don't show")]
    named = set(re.findall(r"`(\w+)\(\)`", table))
    tree = ast.parse((SOLUTION / "app.py").read_text())
    defined = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
    steps = re.findall(r"^\| (\d+|extra \d) \|", table, flags=re.MULTILINE)
    assert (sorted(named - defined), steps) == ([], [*"12345", "extra 6", "extra 7", "8", "9", "10", "11"])
    assert len(named) >= 10


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


# Level 2, step 8: one layout for every page


def test_home_page_renders_a_template_extending_base(make_app: MakeApp) -> None:
    """GET / is rendered from index.html, inside base.html"""
    app = make_app()
    rendered: list[str] = []

    def record(sender: Flask, template: object, context: dict[str, object], **extra: object) -> None:
        rendered.append(getattr(template, "name", ""))

    with template_rendered.connected_to(record, app):
        app.test_client().get("/")
    source = (SOLUTION / "templates" / "index.html").read_text()
    assert (rendered, source.startswith('{% extends "base.html" %}')) == (["index.html"], True)


@pytest.mark.parametrize(
    "path", ["/", "/user/Mira%20K", "/user/Nobody", "/login", "/account-details"]
)
@pytest.mark.parametrize("logged_in", [False, True], ids=["visitor", "member"])
def test_every_page_has_one_nav_linking_home(visitor: Visitor, path: str, logged_in: bool) -> None:
    """every page, logged in or not, holds exactly one #club-nav, and it links to /"""
    visitor.join(username="Mira K")
    if logged_in:
        visitor.log_in("Mira K")
    navs = soup(visitor.client.get(path, follow_redirects=True)).select("#club-nav")
    assert (len(navs), "/" in [link["href"] for link in navs[0].find_all("a")]) == (1, True)


# Level 2, step 9: log in and out


def test_login_page_has_the_form(client: FlaskClient) -> None:
    """GET /login is 200 with a form posting username and password"""
    response = client.get("/login")
    form = soup(response).find("form")
    fields = {field["name"] for field in form.select("input[name]")}
    assert (response.status_code, form["method"], fields) == (200, "post", {"username", "password"})


def test_login_sends_the_member_to_their_account_details(visitor: Visitor) -> None:
    """POST /login with the club password answers 303 to /account-details"""
    response = visitor.log_in("Mira K")
    assert (response.status_code, response.headers["Location"]) == (303, "/account-details")


@pytest.mark.parametrize("path", ["/", "/user/Mira%20K", "/user/Nobody", "/login", "/account-details"])
def test_status_names_the_member_on_every_page(visitor: Visitor, path: str) -> None:
    """logged in, every page's #status holds the username"""
    visitor.join(username="Mira K")
    visitor.log_in("Mira K")
    assert "Mira K" in visitor.status(path)


def test_status_says_nobody_is_logged_in(visitor: Visitor) -> None:
    """not logged in, #status says so"""
    assert visitor.status("/") == "Not logged in"


def test_a_username_without_a_profile_may_log_in(visitor: Visitor) -> None:
    """a username nobody has joined with logs in all the same"""
    visitor.log_in("Newcomer")
    assert "Newcomer" in visitor.status("/")


@pytest.mark.parametrize("password", [None, "", "wrong", "S3CRET"], ids=["missing", "empty", "wrong", "other-case"])
def test_wrong_password_is_401_and_logs_no_one_in(visitor: Visitor, password: str | None) -> None:
    """POST /login with a missing or wrong password is 401, and nobody is logged in afterwards"""
    response = visitor.log_in("Mira K", password=password)
    assert (response.status_code, "Mira K" in visitor.status("/")) == (401, False)


def test_wrong_password_page_says_why(visitor: Visitor) -> None:
    """the refused login's page says the password is missing or wrong"""
    assert "The club password is missing or wrong." in text(visitor.log_in(password="guess"))


def test_login_with_unset_password_is_refused(visitor: Visitor, monkeypatch: pytest.MonkeyPatch) -> None:
    """with CLUB_PASSWORD unset, nobody can log in, whatever password they give"""
    monkeypatch.delenv("CLUB_PASSWORD")
    assert [visitor.log_in(password=password).status_code for password in ("", PASSWORD)] == [401, 401]


@pytest.mark.parametrize("username", ["", "a/b"])
def test_login_needs_a_username_that_could_join(visitor: Visitor, username: str) -> None:
    """POST /login with an empty username, or one holding a "/" (which could not join), is 400 and logs no one in"""
    assert (visitor.log_in(username).status_code, visitor.status("/")) == (400, "Not logged in")


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_logout_forgets_the_member(visitor: Visitor, method: str) -> None:
    """GET or POST /logout logs out: #status no longer names the member"""
    visitor.log_in("Mira K")
    response = visitor.client.open("/logout", method=method)
    assert (response.status_code, "Mira K" in visitor.status("/")) == (303, False)


def test_another_browser_is_not_logged_in(make_app: MakeApp) -> None:
    """a member logged in in one browser is not logged in in another"""
    app = make_app()
    Visitor(app.test_client()).log_in("Mira K")
    assert Visitor(app.test_client()).status("/") == "Not logged in"


def session_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def test_session_holds_the_username_alone(make_app: MakeApp) -> None:
    """the signed session holds the member's username, and nothing else: never the password"""
    app = make_app()
    visitor = Visitor(app.test_client())
    visitor.log_in("Mira K")
    stored = app.session_interface.get_signing_serializer(app).loads(session_cookie(visitor.client))
    assert stored == {"username": "Mira K"}


def test_a_forged_session_logs_no_one_in(make_app: MakeApp) -> None:
    """a session cookie signed with another key logs no one in"""
    forger = make_app(SECRET_KEY="not the club's key")
    forged = Visitor(forger.test_client())
    forged.log_in("Mira K")
    visitor = Visitor(make_app().test_client())
    visitor.client.set_cookie("session", session_cookie(forged.client))
    assert visitor.status("/") == "Not logged in"


def test_an_altered_session_logs_no_one_in(visitor: Visitor) -> None:
    """a real session cookie with its username changed logs no one in"""
    visitor.log_in("Mira K")
    payload, *signature = session_cookie(visitor.client).split(".")
    altered = base64.urlsafe_b64encode(b'{"username":"Admin"}').decode().rstrip("=")
    visitor.client.set_cookie("session", ".".join([altered, *signature]))
    assert visitor.status("/") == "Not logged in"


def test_session_cookie_stays_on_this_site(visitor: Visitor) -> None:
    """the session cookie is HttpOnly and SameSite=Lax: scripts can't read it, other sites' forms don't send it"""
    visitor.log_in("Mira K")
    cookie = visitor.client.get_cookie("session")
    assert cookie is not None
    assert (cookie.http_only, cookie.same_site) == (True, "Lax")


def test_secret_key_comes_from_the_environment(solution_on_path: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """with SECRET_KEY set, the app signs its sessions with it"""
    monkeypatch.setenv("SECRET_KEY", "from-the-env")
    assert import_app().secret_key == "from-the-env"


def test_with_one_secret_key_a_member_stays_logged_in_across_a_restart(
    make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """with SECRET_KEY set, a session made before a restart still logs the member in after it"""
    monkeypatch.setenv("SECRET_KEY", "kept across restarts")
    before = Visitor(make_app().test_client())
    before.log_in("Mira K")
    after = Visitor(make_app().test_client())
    after.client.set_cookie("session", session_cookie(before.client))
    assert "Mira K" in after.status("/")


def test_without_secret_key_each_start_makes_its_own(solution_on_path: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """without SECRET_KEY, each start of the app picks a new random key of 32 bytes"""
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first, second = import_app().secret_key, import_app().secret_key
    assert (len(str(first)), first != second) == (64, True)


# Level 2, step 10: account details, kept on disk


def details_form(response: TestResponse) -> dict[str, str]:
    """The account-details form's food and message, as the page fills them in."""
    form = soup(response).find("form", method="post")
    return {"food": form.find("input", attrs={"name": "food"})["value"], "message": form.find("textarea").get_text()}


def test_account_details_form_holds_the_current_values(visitor: Visitor) -> None:
    """logged in, GET /account-details is a form filled with the member's food and message"""
    visitor.join(username="Mira K", food="dal", message="Hello,\nclub! <b>")
    visitor.log_in("Mira K")
    response = visitor.client.get("/account-details")
    assert (response.status_code, details_form(response)) == (200, {"food": "dal", "message": "Hello,\nclub! <b>"})


def test_account_details_form_posts_multipart(visitor: Visitor) -> None:
    """the form posts multipart/form-data, with a file field avatar for the photo"""
    visitor.log_in("Mira K")
    form = soup(visitor.client.get("/account-details")).find("form", method="post")
    assert (form["enctype"], form.find("input", type="file")["name"]) == ("multipart/form-data", "avatar")


def test_new_members_form_is_empty(visitor: Visitor) -> None:
    """a member who has not joined yet gets an empty form"""
    visitor.log_in("Newcomer")
    assert details_form(visitor.client.get("/account-details")) == {"food": "", "message": ""}


def test_account_details_update_the_profile(visitor: Visitor) -> None:
    """POST /account-details answers 303 to the member's profile, which shows the new values"""
    visitor.join(username="Mira K", food="dal", message="first")
    visitor.log_in("Mira K")
    response = visitor.edit(food="pho", message="second")
    assert (response.status_code, response.headers["Location"]) == (303, "/user/Mira%20K")
    assert visitor.shown("Mira K") == {"username": "Mira K", "food": "pho", "message": "second"}


def test_account_details_make_a_profile_for_a_newcomer(visitor: Visitor) -> None:
    """a member without a profile gets one from the account details"""
    visitor.log_in("Newcomer")
    visitor.edit(food="pho", message="hi")
    assert (visitor.shown("Newcomer"), visitor.members()) == (
        {"username": "Newcomer", "food": "pho", "message": "hi"},
        ["Newcomer"],
    )


def test_account_details_change_no_one_else(visitor: Visitor) -> None:
    """updating one member's details leaves the other members as they were"""
    visitor.join(username="ari", food="dal", message="from ari")
    visitor.join(username="bo", food="pho", message="from bo")
    visitor.log_in("bo")
    visitor.edit(food="ramen", message="changed")
    assert visitor.shown("ari") == {"username": "ari", "food": "dal", "message": "from ari"}


def test_account_details_change_only_the_fields_sent(visitor: Visitor) -> None:
    """a POST with only a message keeps the food"""
    visitor.join(username="Mira K", food="dal", message="first")
    visitor.log_in("Mira K")
    visitor.edit(message="second")
    assert visitor.shown("Mira K")["food"] == "dal"


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_account_details_need_a_login(visitor: Visitor, method: str) -> None:
    """not logged in, GET and POST /account-details redirect to /login"""
    response = visitor.client.open("/account-details", method=method, data={"food": "pho", "message": "hi"})
    assert (response.status_code, response.headers["Location"]) == (302, "/login")


def test_account_details_without_login_change_nothing(visitor: Visitor) -> None:
    """a POST /account-details from a visitor who is not logged in stores nothing"""
    visitor.join(username="Mira K", food="dal", message="first")
    visitor.edit(food="pho", message="second")
    assert (visitor.shown("Mira K")["food"], visitor.members()) == ("dal", ["Mira K"])


def test_after_logout_account_details_need_a_login(visitor: Visitor) -> None:
    """once logged out, the account details are closed again"""
    visitor.log_in("Mira K")
    visitor.client.get("/logout")
    assert visitor.client.get("/account-details").status_code == 302


def test_account_details_survive_a_restart(make_app: MakeApp) -> None:
    """details saved before the app stops are there when a new app starts on the same folder"""
    before = Visitor(make_app().test_client())
    before.log_in("Mira K")
    before.edit(food="pho", message="kept")
    assert Visitor(make_app().test_client()).shown("Mira K")["message"] == "kept"


def test_data_lives_in_the_instance_folder(solution_on_path: None, club_folder: Path) -> None:
    """the profiles file and the photos are in the instance folder beside app.py"""
    club = importlib.import_module("app")
    instance = club_folder / "instance"
    assert (Path(club.PROFILES), Path(club.PHOTOS)) == (instance / "profiles.json", instance / "photos")


# Level 2, step 11: a profile photo


def image(kind: str, size: tuple[int, int] = (8, 8)) -> bytes:
    """A small picture in the format `kind` (PNG, JPEG, GIF), as its file's bytes."""
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, kind)
    return buffer.getvalue()


def avatar_src(visitor: Visitor, username: str = "Mira K") -> str:
    """The src of <img id="avatar"> on the member's profile page."""
    return soup(visitor.profile(username)).find("img", id="avatar")["src"]


def fetch(visitor: Visitor, url: str) -> tuple[int, str, bytes]:
    """GET `url` (a file, maybe): its status, content type and bytes, the file closed again."""
    with visitor.client.get(url) as response:
        return response.status_code, response.mimetype, response.data


@pytest.fixture
def member(visitor: Visitor) -> Visitor:
    """A visitor who joined as "Mira K" and logged in."""
    visitor.join(username="Mira K", food="dal", message="Hello, club!")
    visitor.log_in("Mira K")
    return visitor


@pytest.mark.parametrize("kind", ["PNG", "JPEG", "GIF"])
def test_photo_is_shown_and_served_back(member: Visitor, kind: str) -> None:
    """an uploaded PNG, JPEG or GIF appears as <img id="avatar">, whose src answers the same bytes"""
    picture = image(kind)
    member.edit(photo=(picture, f"me.{kind.lower()}"), food="dal", message="Hello, club!")
    status, _, served = fetch(member, avatar_src(member))
    assert (status, served) == (200, picture)


def test_photo_is_served_with_an_image_type(member: Visitor) -> None:
    """the photo is served with the content type of what it is, whatever its uploaded name said"""
    member.edit(photo=(image("GIF"), "me.png"))
    assert fetch(member, avatar_src(member))[1] == "image/gif"


def test_photo_may_come_alone(member: Visitor) -> None:
    """a POST with only a photo keeps the food and the message"""
    member.edit(photo=(image("PNG"), "me.png"))
    assert member.shown("Mira K") == {"username": "Mira K", "food": "dal", "message": "Hello, club!"}


def test_an_empty_file_field_keeps_the_photo(member: Visitor) -> None:
    """the form sent without choosing a photo keeps the one there"""
    member.edit(photo=(image("PNG"), "me.png"))
    src = avatar_src(member)
    member.edit(photo=(b"", ""), food="pho", message="new")
    assert avatar_src(member) == src


def test_a_new_photo_replaces_the_old(member: Visitor) -> None:
    """a second upload is the photo shown"""
    member.edit(photo=(image("PNG"), "me.png"))
    second = image("JPEG", size=(16, 16))
    member.edit(photo=(second, "me.jpg"))
    assert fetch(member, avatar_src(member))[2] == second


def test_no_photo_no_img(member: Visitor) -> None:
    """a member without a photo has no <img id="avatar">"""
    assert soup(member.profile("Mira K")).find(id="avatar") is None


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"Just some notes, not a picture.", "photo.png"),
        (b"\x89PNG\r\n\x1a\n" + b"not really a PNG" * 10, "photo.png"),
        (image("PNG")[:40], "cut-off.png"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "photo.svg"),
        (b"", "empty.png"),
    ],
    ids=["text", "png-signature", "cut-off-png", "svg", "empty"],
)
def test_a_file_that_is_no_image_is_400_and_stores_nothing(member: Visitor, content: bytes, name: str) -> None:
    """a file that is not a PNG, JPEG or GIF, whatever its name, is refused 400 and nothing changes"""
    response = member.edit(photo=(content, name), food="pho", message="changed")
    assert (response.status_code, response.mimetype) == (400, "text/html")
    assert (soup(member.profile("Mira K")).find(id="avatar"), member.shown("Mira K")["food"]) == (None, "dal")


def test_other_image_formats_are_refused(member: Visitor) -> None:
    """an image Pillow reads but the club does not take (BMP) is refused 400"""
    assert member.edit(photo=(image("BMP"), "me.bmp")).status_code == 400


@pytest.mark.parametrize("name", ["../app.py", "../../app.py", "../../../app.py", "..\\app.py", "/etc/passwd"])
def test_uploaded_file_names_are_ignored(member: Visitor, club_folder: Path, name: str) -> None:
    """a photo uploaded under a name that climbs out of its folder is stored under a name the app picks"""
    before = {path: path.read_bytes() for path in club_folder.rglob("*") if path.suffix in (".py", ".html")}
    member.edit(photo=(image("PNG"), name))
    stored = [path.name for path in (club_folder / "instance" / "photos").iterdir()]
    after = {path: path.read_bytes() for path in club_folder.rglob("*") if path.suffix in (".py", ".html")}
    assert (len(stored), re.fullmatch(r"[0-9a-f]{32}\.png", stored[0]) is not None, after == before) == (1, True, True)


def test_a_photo_over_the_limit_is_413(member: Visitor) -> None:
    """a photo of 2 MiB is refused 413, and nothing changes"""
    big = image("PNG") + b"\0" * (2 * 1024 * 1024)
    response = member.edit(photo=(big, "big.png"), food="pho", message="changed")
    assert (response.status_code, member.shown("Mira K")["food"]) == (413, "dal")


def test_a_photo_of_1_mib_is_accepted(member: Visitor) -> None:
    """a photo of exactly 1 MiB, with the form's fields, fits"""
    picture = image("PNG")
    picture += b"\0" * (1024 * 1024 - len(picture))  # Pillow ignores what follows the image's end
    assert member.edit(photo=(picture, "me.png"), food="dal", message="hi").status_code == 303


@pytest.mark.parametrize("name", ["..%2Fprofiles.json", "%2E%2E%2Fprofiles.json", "nothing.png"])
def test_photos_route_serves_only_photos(member: Visitor, name: str) -> None:
    """GET /photos/<name> for a name that is no stored photo (or leaves the folder) is 404"""
    assert fetch(member, f"/photos/{name}")[0] == 404


def test_uploads_need_a_login(visitor: Visitor, club_folder: Path) -> None:
    """a visitor who is not logged in cannot upload: redirected, and no file is stored"""
    visitor.edit(photo=(image("PNG"), "me.png"))
    assert not (club_folder / "instance" / "photos").exists()
