"""Hostile input: hypothesis throws arbitrary requests at the reference solution.

Every field of POST /user/ gets arbitrary text (any unicode, control
characters, NUL bytes, very long strings, HTML, URL-encoded surprises), or is
missing, or repeated; bodies come as a form, as multipart, as JSON (which the
club does not read), broken, and under wrong content types. Whatever comes in:

- the answer is a 2xx/3xx, or a 4xx with an HTML page saying what is wrong; never a 5xx;
- the server accepts exactly what solution/README.md says it accepts;
- what it accepted reads back exactly as sent on the profile page and the home page;
- what it refused left the profiles file as it was;
- no value ever becomes markup: each page parses (BeautifulSoup) into only the
  elements and attributes that the club's own pages are made of.

Most examples go through Flask's test client, to one club for the whole
file, whose profiles file each example reads before and after; the last test
sends some over HTTP to the solution under waitress. The runs are
derandomized, so every run tries the same examples (150 per property);
HOSTILE_EXAMPLES=2000 makes a longer hunt.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, unquote, urlencode, urlsplit

import pytest
from bs4 import BeautifulSoup, Tag
from flask.testing import FlaskClient
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from PIL import Image
from test_solution import SOLUTION, forget_solution, import_app
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import TestResponse, encode_multipart

from tools.load import Visitor
from tools.server import Server, copy_solution

PASSWORD = "s3cret"
PROFILE = ("username", "food", "message")  # a profile's fields
MAX_BODY = 1024 * 1024 + 64 * 1024  # solution/README.md's limit on a request's body
FIELDS = [*PROFILE, "password"]

EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", "150"))
hostile = settings(
    max_examples=EXAMPLES,
    derandomize=True,  # the same examples on every run, so CI is repeatable
    database=None,  # no example database: a failure is found again from the code alone
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Strategies: what a hostile client sends.

SURPRISES = [
    "", " ", "\t", "\r\n", ".", "..", "...", "/", "a/b", "../../etc/passwd", "%2F", "a%2Fb", "%2e%2e", "%252F",
    "%00", "\x00", "a\x00b", "%ff", "%", "?x=1", "#top", "a b", "+", "&", "=", "\\", ";",
    "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "' onmouseover='alert(1)", "</dd><b>x</b>",
    "<!--", "]]>", "{{ 7 * 7 }}", "{% raw %}", "&amp;lt;", "&#60;", "\u202eevil", "\ufeffbom", "\u2028", "\x1b[31m",
    "🍕" * 9, "Zoë Ngũ", "e\u0301", "\uffff", "\U0010ffff",
]

KINDS_OF_TEXT = {
    # Text that could be a real profile's, so that some POSTs are accepted
    "plausible": st.text(st.characters(categories=["L", "N", "Zs", "P", "S", "M"]), min_size=1, max_size=30),
    "any": st.text(max_size=40),  # any unicode (but no surrogates, which UTF-8 cannot carry)
    "controls": st.text(st.characters(categories=["Cc", "Cf", "Z", "Po", "Sm"]), max_size=12),  # NUL, ESC, ...
    "surprise": st.sampled_from(SURPRISES),
    "surprises": st.lists(st.sampled_from(SURPRISES), min_size=2, max_size=5).map("".join),
    "long": st.builds(lambda char, count: char * count, st.characters(codec="utf-8"), st.integers(20, 6000)),
}
values = st.sampled_from(["plausible"] * 5 + sorted(KINDS_OF_TEXT)).flatmap(KINDS_OF_TEXT.__getitem__)
passwords = st.sampled_from([PASSWORD] * 6 + ["", "S3CRET", " s3cret", "s3cre"]) | values


def field_values(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[list[str]]:
    """The values one field is sent with: usually one; sometimes none (missing) or several (repeated)."""
    return st.sampled_from(["one"] * 8 + ["missing", "repeated"]).flatmap(
        lambda how: strategy.map(lambda value: [value])
        if how == "one"
        else st.just([])
        if how == "missing"
        else st.lists(strategy, min_size=2, max_size=3)
    )


def in_order(*fields: list[str], extra: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The (name, value) pairs a client sends: username, food, message, password, then unknown fields."""
    return [(name, value) for name, sent in zip(FIELDS, fields, strict=True) for value in sent] + extra


# A submission: (name, value) pairs in the order they are sent, an unknown field now and then.
submissions = st.builds(
    in_order,
    field_values(values),
    field_values(values),
    field_values(values),
    field_values(passwords),
    extra=st.lists(st.tuples(st.sampled_from(["email", "Username", "password2", ""]), values), max_size=1),
)

# JSON values are mostly text, and sometimes null, true, 5 or a list: the club reads form data only, so
# every JSON body is refused (it carries no form field `password`).
json_values = st.sampled_from(["text"] * 8 + ["other"]).flatmap(
    lambda kind: values if kind == "text" else st.none() | st.booleans() | st.integers() | st.lists(st.integers())
)
json_submissions = st.builds(
    in_order,
    field_values(json_values),
    field_values(json_values),
    field_values(json_values),
    field_values(passwords),
    extra=st.lists(st.tuples(st.sampled_from(["email", "Username", ""]), json_values), max_size=1),
)

CONTENT_TYPES = [
    "application/json", "application/json; charset=utf-16", "application/problem+json",
    "application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=latin-1",
    "multipart/form-data", "multipart/form-data; boundary=xyz", "text/plain", "text/html", "application/xml",
    "application/octet-stream", "", "json", "*/*",
]


def first_values(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """A form's fields as the server reads them: a repeated field counts with its first value."""
    fields: dict[str, str] = {}
    for name, value in pairs:
        fields.setdefault(name, value)
    return fields


def json_body(pairs: list[tuple[str, object]]) -> str:
    """A JSON object written pair by pair, so a key may repeat (a JSON parser keeps its last value)."""
    return "{" + ", ".join(f"{json.dumps(name)}: {json.dumps(value)}" for name, value in pairs) + "}"


# The rules solution/README.md states for POST /user/, written out independently of app.py.


def acceptable(fields: dict[str, object]) -> bool:
    """True if the README's rules accept these fields (their effective values, as the server reads them)."""
    username = fields.get("username")
    return fields.get("password") == PASSWORD and isinstance(username, str) and username != "" and "/" not in username


def as_sent(fields: dict[str, object]) -> tuple[str, str, str]:
    """The username, food and message an accepted POST stores: as sent, a missing food or message empty."""
    return (str(fields["username"]), str(fields.get("food", "")), str(fields.get("message", "")))


# The club under test, and what a visitor sees.


class Club:
    """A fresh club in Flask's test client, and the means to look at it as a visitor and as its profiles file."""

    def __init__(self, client: FlaskClient, profiles: Path) -> None:
        self.client = client
        self.profiles = profiles
        self.shapes = self.page_shapes()

    def rows(self) -> dict[str, tuple[str, str]]:
        """Everything stored in the profiles file: username → (food, message)."""
        if not self.profiles.exists():
            return {}
        stored = json.loads(self.profiles.read_text(encoding="utf-8"))
        return {username: (profile["food"], profile["message"]) for username, profile in stored.items()}

    def page_shapes(self) -> set[tuple[tuple[str, ...], frozenset[str]]]:
        """The shapes of every kind of page the club shows, filled with harmless values."""
        shapes: set[tuple[tuple[str, ...], frozenset[str]]] = set()
        for method, path, data in [
            ("GET", "/", None),
            ("POST", "/user/", {"username": "ari", "food": "dal", "message": "hi", "password": PASSWORD}),
            ("GET", "/", None),
            ("GET", "/user/ari", None),
            ("GET", "/user/nobody", None),
            ("POST", "/user/", {"username": "", "food": "", "message": "", "password": ""}),
            ("POST", "/user/", {"username": "bo", "food": "dal", "message": "hi", "password": "wrong"}),
            ("POST", "/user/", {"message": "x" * (MAX_BODY + 1)}),
            ("POST", "/user/", {"username": "x/y", "food": "dal", "message": "hi", "password": PASSWORD}),
            ("GET", "/user/", None),
            ("GET", "/nowhere", None),
        ]:
            shapes |= shape(self.client.open(path, method=method, data=data).text)
        return shapes

    def look(self, response_text: str) -> BeautifulSoup:
        """Parse a page, and insist that no value turned into an element or an attribute."""
        page = BeautifulSoup(response_text, "html.parser")
        injected = shape(response_text) - self.shapes
        assert not injected, f"elements or attributes no page of the club has: {sorted(injected)}"
        return page

    def check_members(self) -> None:
        """The home page lists exactly the stored usernames, each linking to its own profile."""
        page = self.look(self.client.get("/").text)
        links = page.select("#members a")
        assert sorted(link.get_text() for link in links) == sorted(self.rows())
        assert all(unquote(link["href"]) == f"/user/{link.get_text()}" for link in links)


def as_parsed(text: str) -> str:
    """`text` as BeautifulSoup gives it back from an element: it sums up a run of nothing but spaces in one."""
    if text and not text.strip(" \t\n\r\f"):
        return "\n" if "\n" in text else " "
    return text


def shape(html: str) -> set[tuple[tuple[str, ...], frozenset[str]]]:
    """Each element of a page as (its tag and its ancestors' tags, its attributes' names)."""
    shapes = set()
    for element in BeautifulSoup(html, "html.parser").find_all(True):
        path = tuple(reversed([element.name, *(parent.name for parent in element.parents if isinstance(parent, Tag))]))
        shapes.add((path, frozenset(element.attrs)))
    return shapes


@pytest.fixture(scope="module")
def club(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Club]:
    """A fresh copy of solution/ for this test module, with the password "s3cret", as in production (TESTING off)."""
    folder = copy_solution(tmp_path_factory.mktemp("hostile") / "club")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CLUB_PASSWORD", PASSWORD)
        patch.syspath_prepend(str(folder))
        app = import_app()
        yield Club(app.test_client(), folder / "instance" / "profiles.json")
    forget_solution()


def check_answer(
    club: Club, response: TestResponse, before: dict[str, tuple[str, str]], fields: dict | None, body_size: int
) -> None:
    """The properties every POST /user/ must have, whatever it sent; `fields` as the server reads them, if known."""
    response_status, location = response.status_code, response.headers.get("Location")
    event(f"answered {response_status}")  # --hypothesis-show-statistics counts them
    assert response_status < 500, f"answered {response_status}"
    after = club.rows()
    if response_status >= 400:
        assert response.mimetype == "text/html"
        page = club.look(response.text)
        assert page.h1 is not None and page.h1.get_text().strip(), "a 4xx page says what went wrong in its heading"
        assert after == before, "a refused POST changed the profiles file"
    else:
        assert response_status == 303 and location is not None
        username = unquote(urlsplit(location).path.removeprefix("/user/"))
        changed = {name for name in after if after[name] != before.get(name)}
        assert changed <= {username}, "an accepted POST changed someone else's profile"
        assert set(before) <= set(after), "an accepted POST removed a profile"
        profile = club.look(club.client.get(location).text)
        shown = {name: profile.find(id=name).get_text() for name in PROFILE}
        stored = {"username": username, "food": after[username][0], "message": after[username][1]}
        assert shown == {name: as_parsed(value) for name, value in stored.items()}
        assert profile.title.get_text() == f"{username} · Flask Club"
    if fields is not None:  # we know which fields the server read: it must accept exactly the acceptable ones
        expected = 413 if body_size > MAX_BODY else 303 if acceptable(fields) else "4xx"
        got = response_status if response_status in (303, 413) else "4xx"
        assert got == expected, f"fields {fields!r}"
        if response_status == 303:
            username, food, message = as_sent(fields)
            assert after[username] == (food, message), "stored the values as sent"
    club.check_members()


# What hypothesis found in the solution, kept as plain examples.


@pytest.mark.parametrize("body", [b"[" * 10_000, b'{"a": ' * 2_500], ids=["deep-array", "deep-object"])
def test_deeply_nested_json_is_refused(club: Club, body: bytes) -> None:
    """JSON nested deeper than Python's parser goes is refused with a 4xx HTML page, not a 500"""
    response = club.client.post("/user/", data=body, content_type="application/json")
    assert (response.status_code, response.mimetype) == (403, "text/html")


@pytest.mark.parametrize(
    ("field", "value"),
    [("food", "dal\x00"), ("food", "dal\tmakhani"), ("message", "hi\x00"), ("message", "\x1b[31mred")],
    ids=["nul-food", "tab-food", "nul-message", "escape-message"],
)
def test_control_characters_are_stored_as_sent(club: Club, field: str, value: str) -> None:
    """a control character in the food or the message is stored as sent, and the page still parses"""
    fields = {"username": "Mira K", "food": "dal", "message": "hi", "password": PASSWORD, field: value}
    assert club.client.post("/user/", data=fields).status_code == 303
    assert club.rows()["Mira K"] == (fields["food"], fields["message"])
    club.look(club.client.get("/user/Mira%20K").text)


def test_line_breaks_and_tabs_in_a_message_read_back(club: Club) -> None:
    """a message's line breaks (as a browser sends them, \\r\\n) and tabs are kept as sent"""
    fields = {"username": "Mira K", "food": "dal", "message": "hi,\r\n\tclub", "password": PASSWORD}
    location = club.client.post("/user/", data=fields).headers["Location"]
    assert club.look(club.client.get(location).text).find(id="message").get_text() == "hi,\r\n\tclub"


@hostile
@given(pairs=submissions)
def test_form_posts(club: Club, pairs: list[tuple[str, str]]) -> None:
    """any form-encoded POST /user/ is answered well, stores exactly what it should, and injects nothing"""
    body = urlencode(pairs).encode()
    before = club.rows()
    response = club.client.post("/user/", data=body, content_type="application/x-www-form-urlencoded")
    check_answer(club, response, before, first_values(pairs), len(body))


@hostile
@given(pairs=submissions)
def test_multipart_posts(club: Club, pairs: list[tuple[str, str]]) -> None:
    """any multipart/form-data POST /user/ is answered well, stores exactly what it should, and injects nothing"""
    boundary, body = encode_multipart(MultiDict(pairs))
    before = club.rows()
    response = club.client.post("/user/", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    check_answer(club, response, before, first_values(pairs), len(body))


@hostile
@given(pairs=json_submissions)
def test_json_posts(club: Club, pairs: list[tuple[str, object]]) -> None:
    """any JSON object sent to POST /user/ is refused (the club reads forms), and changes nothing"""
    body = json_body(pairs).encode()
    before = club.rows()
    response = club.client.post("/user/", data=body, content_type="application/json")
    check_answer(club, response, before, {}, len(body))


def damaged(body: bytes, cut: int, junk: bytes) -> bytes:
    """`body` cut short at `cut`, with `junk` put in there."""
    return body[:cut] + junk + body[cut + len(junk) :]


broken_bodies = st.one_of(
    st.binary(max_size=200),
    st.builds(lambda pairs, cut, junk: damaged(json_body(pairs).encode(), cut, junk),
              json_submissions, st.integers(0, 200), st.binary(max_size=3)),
    st.builds(lambda pairs, cut, junk: damaged(urlencode(pairs).encode(), cut, junk),
              submissions, st.integers(0, 200), st.binary(max_size=3)),
    st.integers(1, 12_000).map(lambda depth: b"[" * depth),  # deeper than any JSON parser goes
    st.integers(1, 5_000).map(lambda depth: b'{"a": ' * depth),
    st.just(b"\xff\xfe{\x00}\x00"),
)


@hostile
@given(body=broken_bodies, content_type=st.sampled_from(CONTENT_TYPES))
def test_broken_bodies_and_wrong_content_types(club: Club, body: bytes, content_type: str) -> None:
    """a broken or mislabelled body is answered well (never 5xx), and stores only what reads back"""
    before = club.rows()
    response = club.client.post("/user/", data=body, content_type=content_type)
    check_answer(club, response, before, None, len(body))


PATH_PIECES = ["%2F", "%2f", "/", "..", ".", "%2e", "%2E%2E", "%00", "%ff", "%", "%zz", "%25", "%252F", "?", "#",
               ";", "a", "é", "%C3%A9", "%20", "+", "<b>", "%3Cscript%3E", "\\", "~"]


@hostile
@given(username=values, raw=st.lists(st.sampled_from(PATH_PIECES), min_size=1, max_size=6).map("".join))
def test_profile_urls(club: Club, username: str, raw: str) -> None:
    """GET /user/<anything> is a profile, an HTML 404 naming the user, or a redirect on this site; never a 5xx"""
    for path in (f"/user/{quote(username, safe='')}", f"/user/{raw}", f"/user/{quote(quote(username, safe=''))}"):
        response = club.client.get(path)
        assert response.status_code in (200, 308, 404, 405), f"GET {path} → {response.status_code}"
        if response.status_code == 308:  # routing tidies "//" away, and stays on this site
            assert urlsplit(response.headers["Location"]).netloc in ("", "localhost")
            continue
        assert response.mimetype == "text/html"
        page = club.look(response.text)
        if page.find(id="username") is not None:  # a profile: the one asked for
            asked = page.find(id="username").get_text()
            assert (response.status_code, asked in club.rows()) == (200, True)
        elif page.h1.get_text() == "No such member":  # the 404 page names exactly the username in the URL
            asked = unquote(urlsplit(path).path.removeprefix("/user/"), errors="replace")
            assert page.strong.get_text() == as_parsed(asked)
    # A username quoted as url_for quotes it always reaches that username's profile, or its 404 page.
    if "/" not in username and username not in {"", ".", ".."}:
        page = club.look(club.client.get(f"/user/{quote(username, safe='')}").text)
        assert (page.find(id="username") or page.strong).get_text() == as_parsed(username)


PRINTABLE_ASCII = "".join(map(chr, range(33, 127)))


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The solution under waitress on a free loopback port."""
    with Server(copy_solution(tmp_path_factory.mktemp("live") / "club"), PASSWORD) as server:
        yield server


@settings(hostile, max_examples=max(EXAMPLES // 5, 10))
@given(pairs=submissions, raw=st.lists(st.sampled_from(PATH_PIECES), min_size=1, max_size=6).map("".join))
def test_over_http_under_waitress(club: Club, live: Server, pairs: list[tuple[str, str]], raw: str) -> None:
    """over real HTTP too, a POST is answered as its fields deserve and reads back; no page is ever a 5xx"""
    fields = first_values(pairs)
    body = urlencode(pairs)
    with Visitor(live.url, PASSWORD) as visitor:
        status, page = visitor.request("POST", "/user/", body, {"Content-Type": "application/x-www-form-urlencoded"})
        event(f"answered {status}")
        expected = 413 if len(body.encode()) > MAX_BODY else 303 if acceptable(fields) else "4xx"
        assert (status if status in (303, 413) else "4xx") == expected, f"fields {fields!r}"
        club.look(page)
        if status == 303:
            shown = club.look(visitor.profile(as_sent(fields)[0])[1])
            expected = [as_parsed(value) for value in as_sent(fields)]
            assert [shown.find(id=name).get_text() for name in PROFILE] == expected
        path = f"/user/{quote(raw, safe=PRINTABLE_ASCII)}"  # an HTTP request line is ASCII
        status, page = visitor.request("GET", path)
        assert status in (200, 308, 404, 405), f"GET {path} → {status}"
        if status != 308:
            club.look(page)



# Photos (level 2's step 11): whatever file comes in, under whatever name, only a real PNG, JPEG or GIF is
# kept, byte for byte, under a name the club picks, inside its photos folder.


def picture(kind: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (5, 3), "teal").save(buffer, kind)
    return buffer.getvalue()


PICTURES = [picture(kind) for kind in ("PNG", "JPEG", "GIF", "BMP", "TIFF", "WEBP")]
uploads = st.one_of(
    st.binary(max_size=200),
    st.sampled_from(PICTURES),
    st.builds(lambda data, cut, junk: damaged(data, cut, junk), st.sampled_from(PICTURES), st.integers(0, 200),
              st.binary(min_size=1, max_size=3)),
    st.sampled_from(PICTURES).map(lambda data: data[: len(data) // 2]),
)
file_names = st.sampled_from(
    ["me.png", "me.jpg", "photo.gif", "../app.py", "../../app.py", "../../../app.py", "..\\app.py", "/etc/passwd",
     "a/../../b.png", ".png", "é.png", "x" * 200 + ".png", "notes.txt", "app.py"]
) | st.text(st.characters(codec="ascii", exclude_characters='"\\\r\n'), min_size=1, max_size=30)


@pytest.fixture(scope="module")
def member(club: Club) -> FlaskClient:
    """A second browser on the same club, logged in as "Photo Member 1", who has a profile."""
    client = club.client.application.test_client()
    fields = {"username": "Photo Member 1", "food": "dal", "message": "hi", "password": PASSWORD}
    assert client.post("/user/", data=fields).status_code == 303
    assert client.post("/login", data={"username": "Photo Member 1", "password": PASSWORD}).status_code == 303
    return client


@hostile
@given(content=uploads, name=file_names)
def test_photo_uploads(club: Club, member: FlaskClient, content: bytes, name: str) -> None:
    """any file, under any name: a PNG, JPEG or GIF is kept byte for byte under the club's own name, else 400"""
    photos = club.profiles.parent / "photos"
    before = set(photos.iterdir()) if photos.exists() else set()
    boundary, body = encode_multipart(MultiDict({"avatar": FileStorage(io.BytesIO(content), name)}))
    response = member.post("/account-details", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    event(f"answered {response.status_code}")
    after = set(photos.iterdir()) if photos.exists() else set()
    assert response.status_code in (303, 400), f"answered {response.status_code}"
    assert all(path.parent == photos for path in after)
    assert not (photos.parent / "app.py").exists()
    assert (photos.parent.parent / "app.py").read_bytes() == (SOLUTION / "app.py").read_bytes()
    if response.status_code == 400:
        assert after == before, "a refused upload stored a file"
        return
    (new,) = after - before
    assert new.read_bytes() == content, "the stored photo is not the uploaded file"
    with Image.open(new) as image:
        assert (image.format, new.suffix) in {("PNG", ".png"), ("JPEG", ".jpg"), ("GIF", ".gif")}
    assert len(new.stem) == 32 and all(char in "0123456789abcdef" for char in new.stem), new.name
    page = BeautifulSoup(club.client.get("/user/Photo%20Member%201").text, "html.parser")
    with club.client.get(page.find(id="avatar")["src"]) as served:
        assert served.data == content

