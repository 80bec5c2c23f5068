"""checks/club.py as a student meets it: the request log, the messages and hints, the replay, the caps.

A check talks to the student's app through a `Club`. Here the app is a small Flask app in
this process behind a stand-in for the sandbox's RemoteApp (it records each answer as
`last`, as the sandbox does), so every message can be compared word for word, fast.
`make mutation` runs these first against checks/club.py (tools/mutation.py).
"""

from __future__ import annotations

import io
import os
import threading
import types

import flask
import pytest

from checks.club import OMIT, Club, browser, read_regular
from checks.data import Profile
from checks.notes import CheckFailed, Notes
from checks.replay import Upload, curl, profile_path
from checks.reply import Reply, normalize, show
from checks.results import Failure
from checks.rubric import Step
from checks.sandbox.protocol import Answer, AppFailure, AppNotLoaded
from checks.symptoms import PASSWORD_HINT, template_variables, variables_hint

PASSWORD = "s3cret-pw"
STEP = Step(id="5", title="Show a user", doc="docs/student/step-5.md", points={})
ADA = Profile("Ada", "pie", "hello there")

ROUTE_404 = (
    'there is no route for POST /user/: add @app.post("/user/") (with `user` singular and the trailing '
    "slash) above the function that stores the profile"
)
ROUTE_405 = 'the /user/ route does not take POST: give it methods=["POST"], or use @app.post("/user/")'


class FakeRemote:
    """Stands in for the sandbox's RemoteApp: answers with a Flask app in this process, kept as `last`.

    An exception the app raises becomes a 500 whose `last.exception` names it, as the sandbox's
    child reports it; `fails` is raised instead of answering (the app did not load, or hung).
    """

    def __init__(self, app: flask.Flask, truncated: bool = False):
        app.config["PROPAGATE_EXCEPTIONS"] = True
        self.app = app
        self.truncated = truncated
        self.fails: Exception | None = None
        self.timeout: float | None = None
        self.last: Answer | None = None
        self.sandbox = sandbox_stub()

    def __call__(self, environ, start_response):
        self.last = None
        if self.fails is not None:
            raise self.fails
        got = []
        try:
            answer = self.app.wsgi_app(environ, lambda status, headers, info=None: got.append((status, headers)))
            body = b"".join(answer)
            status, headers = got[-1]
            exception = None
        except Exception as error:  # noqa: BLE001 - the app's own error, reported as the sandbox does
            status, headers, body = "500 INTERNAL SERVER ERROR", [("Content-Type", "text/html")], b"<h1>500</h1>"
            exception = f"{type(error).__name__}: {error}"
        self.last = Answer(status=status, headers=headers, body=body, exception=exception, truncated=self.truncated)
        start_response(status, headers)
        return [body]


def sandbox_stub() -> types.SimpleNamespace:
    """A stand-in for a sandbox: its request limit, and a run of an app that answers every request with one page."""
    page = Answer(status="200 OK", headers=[("Content-Type", "text/html")], body=b"<p>another run</p>")
    return types.SimpleNamespace(limits=types.SimpleNamespace(request_timeout=7.0), request=lambda *_: page)


def club_of(app: flask.Flask, template: str | None = None, timeout: float | None = 3.0, **remote) -> Club:
    """A check's Club talking to `app`, with the club password PASSWORD."""
    fake = FakeRemote(app, **remote)
    limit = None if timeout is None else (lambda: timeout)
    return Club(browser(fake), fake, Notes(STEP), PASSWORD, request_timeout=limit, template=template)


def reply(status: int = 200, body: str = "", content_type: str = "text/html; charset=utf-8", **extra) -> Reply:
    headers = {"content-type": content_type} if content_type else {}
    headers.update(extra.pop("headers", {}))
    return Reply("GET", "/user/Ada", status, headers, body.encode(), **extra)


def failure(call, *args, **kwargs) -> Failure:
    """The failure a call stops the check with (it must stop it)."""
    with pytest.raises(CheckFailed) as failed:
        call(*args, **kwargs)
    return failed.value.failure


def page(*elements: str) -> str:
    return "<html><body>" + "".join(elements) + "</body></html>"


@pytest.fixture
def club_app() -> flask.Flask:
    """A small club: POST /user/ (with the password) stores and redirects, GET /user/<name> shows."""
    app = flask.Flask("small_club")
    profiles: dict[str, dict[str, str]] = {}

    @app.post("/user/")
    def store():
        if flask.request.form.get("password") != PASSWORD:
            return "wrong password", 403
        form = flask.request.form
        profiles[form["username"]] = {"food": form["food"], "message": form["message"]}
        answer = flask.redirect(f"/user/{form['username']}", 303)
        answer.set_cookie("visited", "yes")
        return answer

    @app.get("/user/<username>")
    def show_user(username):
        found = profiles.get(username)
        if found is None:
            return "no such user", 404
        cookies = ";".join(f"{key}={value}" for key, value in sorted(flask.request.cookies.items()))
        answer = flask.make_response(
            f'<p id="username">{username}</p><p id="food">{found["food"]}</p>'
            f'<p id="message">{found["message"]}</p><p id="cookies">{cookies}</p>'
        )
        answer.set_cookie("seen", "1")
        return answer

    @app.get("/cookies")
    def cookies():
        return "<p id='cookies'>" + ";".join(f"{k}={v}" for k, v in sorted(flask.request.cookies.items())) + "</p>"

    @app.get("/broken")
    def broken():
        raise RuntimeError("the database is locked")

    @app.get("/missing-template")
    def missing_template():
        return flask.render_template("user.html")

    @app.get("/undefined")
    def undefined():
        raise __import__("jinja2").UndefinedError("'user' is undefined")

    return app


# -- quoting a value, a path, a form ---------------------------------------------------------
def test_show_quotes_escapes_and_cuts_at_80():
    assert show('say "hi" \\ bye\nnext') == '"say \\"hi\\" \\\\ bye\\nnext"'
    assert show("x" * 80) == '"' + "x" * 80 + '"'
    assert show("x" * 81) == '"' + "x" * 80 + '…"'
    assert show("abcdef", 3) == '"abc…"'


def test_normalize_reads_as_a_reader_sees():
    assert normalize("  Zoe\u0308\n\t Ng   ") == "Zo\u00eb Ng"


def test_a_profile_path_is_url_encoded_as_a_browser_sends_it():
    assert profile_path("Zoë O'Neil/2 ?") == "/user/Zo%C3%AB%20O%27Neil%2F2%20%3F"


def test_template_variables_none_and_empty():
    assert template_variables(None) == []
    assert template_variables("") == []
    assert template_variables("{{ food }} {{ g.x }} {{ request.path }} {{ username }}") == ["food", "username"]


def test_variables_hint_names_the_templates_variables():
    assert variables_hint("<p>no variables</p>") == (
        "the element is there but empty: the template's {{ … }} names a variable that render_template "
        "does not pass; use the same names on both sides"
    )
    assert variables_hint("{{ user.food }}") == (
        'templates/user.html reads the variable user: render_template("user.html", user=…) must pass '
        "the same name (a name it does not pass shows as nothing)"
    )
    assert variables_hint("{{ food }} {{ message }}") == (
        'templates/user.html reads the variables food, message: render_template("user.html", food=…, '
        "message=…) must pass the same names (a name it does not pass shows as nothing)"
    )


# -- the replay --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("request_", "command"),
    [
        (("GET", "/", None), "curl -i http://localhost:5000/"),
        (("DELETE", "/user/Ada", None), "curl -i -X DELETE http://localhost:5000/user/Ada"),
        (("POST", "/logout", {}), "curl -i -X POST --data '' http://localhost:5000/logout"),
        (
            ("POST", "/user/", {"username": "Ada", "password": PASSWORD}),
            "curl -i --data-urlencode username=Ada --data-urlencode \"password=$CLUB_PASSWORD\" "
            "http://localhost:5000/user/",
        ),
        (
            ("POST", "/user/", {"username": "Ada", "password": "wrong guess"}),
            "curl -i --data-urlencode username=Ada --data-urlencode 'password=wrong guess' http://localhost:5000/user/",
        ),
        (
            ("POST", "/account/photo", {"photo": (io.BytesIO(b"png"), "cat.png", "image/png"),
                                        "password": PASSWORD, "caption": "my cat"}),
            "curl -i -F 'photo=@cat.png;type=image/png' -F \"password=$CLUB_PASSWORD\" -F 'caption=my cat' "
            "http://localhost:5000/account/photo",
        ),
    ],
    ids=["get", "delete", "empty-form", "password", "wrong-password", "file"],
)
def test_the_replay_is_the_request_as_curl(request_, command):
    """The password by its variable, any other value as sent; a file with -F, an empty form with --data ''."""
    method, path, form = request_
    assert curl(method, path, form, PASSWORD) == command


def test_the_replay_sends_a_new_visitors_cookie():
    assert curl("GET", "/account", None, PASSWORD, "session=abc; theme=dark") == (
        "curl -i -H 'Cookie: session=abc; theme=dark' http://localhost:5000/account"
    )


def test_a_level2_browser_replays_with_a_cookie_jar(club_app):
    """Level 2 goes on in one browser: its replay starts cookies.txt, then sends and keeps it (a new visitor, none)."""
    fake = FakeRemote(club_app)
    level2 = Step(id="9", title="Log in", doc="docs/student/step-9.md", points={})
    club = Club(browser(fake), fake, Notes(level2), PASSWORD, request_timeout=lambda: 3.0)
    club.post_profile(ADA)
    club.get("/cookies")
    club.profile_page("Ada")
    club.on(fake.sandbox).get("/cookies")  # another run of the app: a new browser, a new jar
    assert club.notes.replay == [
        "curl -i -c cookies.txt --data-urlencode username=Ada --data-urlencode food=pie "
        "--data-urlencode 'message=hello there' --data-urlencode \"password=$CLUB_PASSWORD\" http://localhost:5000/user/",
        "curl -i -b cookies.txt -c cookies.txt http://localhost:5000/cookies",
        "curl -i http://localhost:5000/user/Ada",
        "curl -i -c cookies.txt http://localhost:5000/cookies",
    ]



def test_an_upload_replays_the_file_the_handout_ships_under_the_checks_name():
    """A check's random file goes as the shipped one, named as the check named it (none where the names agree)."""
    shipped = Upload(b"\x89PNG", "otter-48213.png", "image/png", "docs/student/photos/photo.png")
    assert curl("POST", "/account-details", {"avatar": shipped}, PASSWORD) == (
        "curl -i -F 'avatar=@docs/student/photos/photo.png;filename=otter-48213.png;type=image/png' "
        "http://localhost:5000/account-details"
    )
    same = Upload(b"GIF89a", "photo.gif", "image/gif", "photo.gif")
    assert curl("POST", "/account-details", {"avatar": same}, PASSWORD) == (
        "curl -i -F 'avatar=@photo.gif;type=image/gif' http://localhost:5000/account-details"
    )


def test_an_upload_is_sent_as_the_check_made_it_and_its_file_is_made_first_once():
    """The app gets the check's bytes under the check's name; the command making the replay's file comes once, first."""
    app = flask.Flask("uploads")

    @app.post("/account-details")
    def upload():
        avatar = flask.request.files["avatar"]
        return f"{avatar.filename} {avatar.mimetype} {len(avatar.read())}"

    club = club_of(app)
    make = "head -c 2097152 /dev/zero > two-mib.png"
    shipped = Upload(b"\x89PNG" + bytes(12), "otter-48213.png", "image/png", "docs/student/photos/photo.png")
    assert club.post("/account-details", {"food": "pie", "avatar": shipped}).text == "otter-48213.png image/png 16"
    for number in (1, 2):
        big = Upload(bytes(64), f"big-{number}.png", "image/png", "two-mib.png", make)
        assert club.post("/account-details", {"avatar": big}).text == f"big-{number}.png image/png 64"
    assert club.notes.lines[0] == (
        'POST /account-details with food="pie", avatar=a file "otter-48213.png" (image/png) → 200 text/html'
    )
    assert club.notes.replay == [
        "curl -i -F food=pie -F 'avatar=@docs/student/photos/photo.png;filename=otter-48213.png;type=image/png' "
        "http://localhost:5000/account-details",
        make,
        "curl -i -F 'avatar=@two-mib.png;filename=big-1.png;type=image/png' http://localhost:5000/account-details",
        "curl -i -F 'avatar=@two-mib.png;filename=big-2.png;type=image/png' http://localhost:5000/account-details",
    ]


# -- a reply -------------------------------------------------------------------------------------
def test_a_reply_without_details_has_no_exception_and_is_whole():
    plain = Reply("GET", "/", 200, {}, b"")
    assert plain.exception is None and plain.truncated is False
    assert plain.summary() == "200 no content type"


def test_the_media_type_is_read_without_parameters_or_case():
    assert reply(content_type="Text/HTML; charset=utf-8").mimetype == "text/html"
    assert reply(content_type="Text/HTML; charset=utf-8").is_html
    assert not reply(content_type="application/json").is_html
    assert reply(content_type="").mimetype == ""


@pytest.mark.parametrize(("status", "accepted"), [(199, False), (200, True), (303, True), (399, True), (400, False)])
def test_accepted_is_2xx_or_3xx(status, accepted):
    assert reply(status).accepted is accepted


@pytest.mark.parametrize(
    ("answer", "summary"),
    [
        (reply(303, headers={"location": "/user/Mira%20K"}), "303 to /user/Mira%20K"),
        (reply(300, headers={"location": "/elsewhere"}), "300 to /elsewhere"),
        (reply(302), "302 text/html"),
        (reply(400, headers={"location": "/elsewhere"}), "400 text/html"),
        (reply(200, content_type=""), "200 no content type"),
        (reply(500, exception="KeyError: 'food'"), "500: your app raised KeyError: 'food'"),
        (Reply("GET", "/", 200, {"content-type": "text/plain"}, b"x" * (2 << 20), truncated=True),
         "200 text/plain (cut at 2 MiB)"),
    ],
    ids=["redirect", "300", "no-location", "400-location", "no-type", "exception", "cut"],
)
def test_a_reply_is_summed_up_in_the_log(answer, summary):
    assert answer.summary() == summary


def test_shows_finds_the_value_in_its_element_whatever_the_spacing():
    found = reply(body=page('<p id="message">  hello\n   there </p>'))
    assert found.shows("message", "hello there") == (True, "")
    assert found.shows("message", "Zoe\u0308") == (False, '#message says "hello there"')


def test_shows_says_what_the_element_holds_instead():
    empty = reply(body=page('<p id="food"> </p>'))
    assert empty.shows("food", "pie") == (False, "#food is empty")
    other = reply(body=page('<p id="food">cake</p>'))
    assert other.shows("food", "pie") == (False, '#food says "cake"')
    second = reply(body=page('<p id="food">cake</p><p id="food">apple pie</p>'))
    assert second.shows("food", "pie") == (True, "")
    first_empty = reply(body=page('<p id="food"></p><p id="food">cake</p>'))
    assert first_empty.shows("food", "pie") == (False, "#food is empty")
    first_said = reply(body=page('<p id="food">cake</p><p id="food"></p>'))
    assert first_said.shows("food", "pie") == (False, '#food says "cake"')


def test_without_the_element_the_whole_page_counts():
    anywhere = reply(body=page("<div>Ada likes <b>pie</b></div>"))
    assert anywhere.shows("food", "pie") == (True, "")
    assert anywhere.shows("food", "kale") == (False, 'the page has no #food and its text does not contain "kale"')


# -- the caps on hostile pages -------------------------------------------------------------------
PARSE_LIMIT = 256 * 1024  # characters of a page the grader parses


def test_a_page_is_parsed_up_to_256_kib():
    element = '<p id="food">pie</p>'
    fits = reply(body="x" * (PARSE_LIMIT - len(element)) + element)
    assert fits.field_texts("food") == ["pie"]
    after = reply(body="x" * PARSE_LIMIT + element)
    assert after.field_texts("food") == [] and not after.shows("food", "pie")[0]


def test_the_text_of_a_long_page_stops_at_256_kib():
    assert reply(body="a" * (PARSE_LIMIT - 1) + "bc").page_text == "a" * (PARSE_LIMIT - 1) + "b"


def test_a_lookup_by_id_reads_the_first_20_elements():
    many = reply(body=page(*(f'<p id="food">dish {number}</p>' for number in range(1, 31))))
    assert many.field_texts("food") == [f"dish {number}" for number in range(1, 21)]
    assert many.shows("food", "dish 20") == (True, "")
    assert many.shows("food", "dish 21") == (False, '#food says "dish 1"')


# -- a failure's parts ---------------------------------------------------------------------------
def test_a_failure_keeps_its_parts():
    notes = Notes(STEP)
    notes.add("GET / → 200 text/html\x1b[2J")
    notes.replay.append("curl -i http://localhost:5000/")
    found = failure(notes.fail, "no \x07bell", "a hint", expected="200", actual="404\x1b")
    assert found == Failure(
        problem="no \\x07bell",
        log=["GET / → 200 text/html\\x1b[2J"],
        expected="200",
        actual="404\\x1b",
        hint="a hint",
        doc="docs/student/step-5.md#how-it-is-checked",
        label="step 5",
        cause=None,
        replay=["curl -i http://localhost:5000/"],
    )
    bare = failure(Notes(STEP).fail, "no answer", "", cause="app")
    assert (bare.hint, bare.expected, bare.actual, bare.cause) == (None, None, None, "app")
    assert bare.log == [] and bare.replay == []



def test_a_failed_check_earns_nothing_and_is_worth_the_rubrics_points_unless_told():
    """What the grade reads of a check's notes: the points a failed check still earns (none unless the check
    says so: step 16's, for the mutants killed) and its worth (None: the rubric's points)."""
    notes = Notes(STEP)
    assert (notes.earned, notes.worth, notes.lines, notes.replay) == (0.0, None, [], [])
    notes.add("GET / → 200 text/html")
    assert Notes(STEP).lines == []  # each check's notes start empty


def test_a_check_failed_carries_the_whole_text():
    with pytest.raises(CheckFailed) as failed:
        Notes(STEP).fail("expected GET / to answer 200, got 404 text/html", "add a route for /")
    text = (
        "expected GET / to answer 200, got 404 text/html\nhint: add a route for /\n"
        "read: docs/student/step-5.md#how-it-is-checked (step 5)"
    )
    assert failed.value.message == text and str(failed.value) == text


# -- requests and their log ----------------------------------------------------------------------
def test_each_request_is_logged_and_replayed(club_app):
    club = club_of(club_app)
    posted = club.post_profile(ADA)
    assert posted.status_code == 303 and club.posted["Ada"] is posted
    shown = club.profile_page("Ada")
    assert shown.shows("food", "pie") == (True, "")
    club.request("POST", "/user/", {})
    assert club.notes.lines == [
        'POST /user/ with username="Ada", food="pie", message="hello there", password=CLUB_PASSWORD\'s value'
        " → 303 to /user/Ada",
        "GET /user/Ada as a new visitor → 200 text/html",
        "POST /user/ with no fields → 403 text/html",
    ]
    assert club.notes.replay == [
        "curl -i --data-urlencode username=Ada --data-urlencode food=pie --data-urlencode 'message=hello there' "
        '--data-urlencode "password=$CLUB_PASSWORD" http://localhost:5000/user/',
        "curl -i http://localhost:5000/user/Ada",
        "curl -i -X POST --data '' http://localhost:5000/user/",
    ]
    assert [(answer.method, answer.path, form) for answer, form in club.replies] == [
        ("POST", "/user/", {**ADA.fields(), "password": PASSWORD}),
        ("GET", "/user/Ada", None),
        ("POST", "/user/", {}),
    ]


def test_a_request_goes_with_the_time_the_check_has_left(club_app):
    club = club_of(club_app, timeout=0.5)
    club.get("/cookies")
    assert club.remote.timeout == 0.5
    default = club_of(club_app, timeout=None)  # the sandbox's own request limit
    default.get("/cookies")
    assert default.remote.timeout == 7.0


def test_no_request_is_sent_once_the_time_is_used_up(club_app):
    club = club_of(club_app, timeout=0)
    found = failure(club.post, "/user/", {"username": "Ada"})
    assert found.problem == 'not sent: POST /user/ with username="Ada": this check used up its time limit'
    assert found.hint == "earlier requests of this check were slow to answer: look at those first"
    assert found.log == [] and found.replay == [] and club.remote.last is None


def test_what_the_log_shows_of_each_value(club_app):
    club = club_of(club_app)
    photo = (io.BytesIO(b"png"), "a-very-long-file-name-for-a-photo-of-a-cat.png", "image/png")
    club.post("/upload", {"password": PASSWORD, "note": "y" * 41, "photo": photo, "age": 7})
    assert club.notes.lines == [
        'POST /upload with password=CLUB_PASSWORD\'s value, note="' + "y" * 40 + '…", '
        'photo=a file "a-very-long-file-name-for-a-photo-of-a-c…" (image/png), age="7" → 404 text/html'
    ]


def test_post_profile_sends_the_password_asked_for(club_app):
    club = club_of(club_app)
    club.post_profile(ADA, password=OMIT)
    club.post_profile(ADA, password="wrong")
    club.post_profile(ADA, password=1234)
    club.post_profile(ADA)
    sent = [form.get("password", "(none)") for _, form in club.replies]
    assert sent == ["(none)", "wrong", "1234", PASSWORD]
    assert [answer.status_code for answer, _ in club.replies] == [403, 403, 403, 303]


def test_a_new_visitor_sends_no_cookie_and_keeps_none(club_app):
    club = club_of(club_app)
    club.post_profile(ADA)  # the browser keeps the cookie "visited"
    assert club.get("/cookies").text == "<p id='cookies'>visited=yes</p>"
    assert club.profile_page("Ada").field_texts("cookies") == [""]
    assert club.profile_page("Ada").field_texts("cookies") == [""]  # the "seen" cookie was not kept
    only = club.request("GET", "/cookies", visitor=club.stranger, cookies="session=" + "z" * 70)
    assert only.text == "<p id='cookies'>session=" + "z" * 70 + "</p>"
    assert club.notes.lines[-1] == (
        'GET /cookies as a new visitor with only the cookie "session=' + "z" * 52 + '…" → 200 text/html'
    )
    assert club.notes.replay[-1] == "curl -i -H 'Cookie: session=" + "z" * 70 + "' http://localhost:5000/cookies"


def test_an_exception_in_the_app_is_kept_on_the_reply(club_app):
    club = club_of(club_app)
    raised = club.get("/broken")
    assert raised.exception == "RuntimeError: the database is locked"
    assert club.notes.lines == ["GET /broken → 500: your app raised RuntimeError: the database is locked"]
    assert club.get("/cookies").exception is None


def test_a_cut_answer_says_so(club_app):
    club = club_of(club_app, truncated=True)
    assert club.get("/cookies").truncated is True
    assert club.notes.lines == ["GET /cookies → 200 text/html (cut at 0 MiB)"]


def test_no_answer_is_the_apps_failure(club_app):
    club = club_of(club_app)
    club.remote.fails = AppFailure("your app did not answer GET / within 3 s")
    found = failure(club.get, "/")
    assert found.problem == "your app did not answer GET / within 3 s"
    assert found.hint == "run the app yourself and send the same request to see what it does"
    assert found.log == ["GET / → no answer"]
    assert found.replay == ["curl -i http://localhost:5000/"]


def test_a_malformed_answer_is_the_apps_failure_cut_at_200_characters():
    app = flask.Flask("malformed")

    @app.post("/user/")
    def store():
        return "ok", 200, {"Set-Cookie": "visited=yes; Max-Age=" + "x" * 300}

    club = club_of(app)
    found = failure(club.post, "/user/", {"username": "Ada"})
    assert found.problem == (
        "your app's answer to POST /user/ is malformed: reading it raised ValueError: "
        "invalid literal for int() with base 10: '" + "x" * 159
    )
    assert found.hint == "look at the headers your code sets (a Set-Cookie's max_age must be a number of seconds)"
    assert found.log == ['POST /user/ with username="Ada" → 200 OK, an answer that could not be read']


def test_an_error_of_the_grader_itself_is_not_blamed_on_the_app(club_app):
    club = club_of(club_app)
    club.remote.fails = RuntimeError("a bug in the grader")
    with pytest.raises(RuntimeError, match="a bug in the grader"):
        club.get("/")


# -- the app did not load ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("error", "hint"),
    [
        ("ModuleNotFoundError: No module named 'requests'",
         "the grader has only Flask and its dependencies, Pillow, level 3's extensions (Flask-Login, Flask-WTF, "
         "Flask-SQLAlchemy, email-validator) and Python's standard library: an import of any other package fails "
         "there, even where it works on your computer: use only those "
         "(docs/student/README.md#what-the-grader-has)"),
        ("SyntaxError: invalid syntax (app.py, line 3)",
         "fix the line the error names (or the line just before it: a missing `:` or bracket)"),
        ("IndentationError: unexpected indent (app.py, line 4)",
         "fix the line the error names (or the line just before it: a missing `:` or bracket)"),
        ("app.py defines neither `app = Flask(__name__)` nor a `create_app()` factory",
         "create the app at the top level of app.py: app = Flask(__name__) (or a create_app() factory)"),
        ("app.py started a server while being imported",
         'put app.run() under `if __name__ == "__main__":`, at the end of app.py'),
        ("app.py did not finish importing within 10 s",
         'put app.run() under `if __name__ == "__main__":`, at the end of app.py'),
        ("NameError: name 'Flsk' is not defined",
         "every check that needs your app fails until app.py imports and defines it; "
         "start it yourself (`make run`) to see the whole error"),
    ],
    ids=["module", "syntax", "indentation", "no-app", "server-at-import", "slow-import", "other"],
)
def test_an_app_that_did_not_load_gets_the_hint_for_its_error(club_app, error, hint):
    club = club_of(club_app)
    club.get("/cookies")  # what the check sent before: not repeated under every check
    club.remote.fails = AppNotLoaded(error)
    found = failure(club.get, "/")
    assert found.problem == f"your app could not be loaded (step 1): {error}"
    assert (found.hint, found.cause, found.log, found.replay) == (hint, "app", [], [])


def test_ensure_loaded_waits_for_the_app():
    club = club_of(flask.Flask("waiting"))
    club.remote.sandbox.ready = lambda: None
    club.ensure_loaded()
    club.remote.sandbox.ready = lambda: (_ for _ in ()).throw(AppNotLoaded("SyntaxError: bad"))
    found = failure(club.ensure_loaded)
    assert found.problem == "your app could not be loaded (step 1): SyntaxError: bad" and found.cause == "app"


def test_on_another_run_the_check_goes_on_in_a_new_browser(club_app):
    club = club_of(club_app, template="{{ food }}")
    sandbox = sandbox_stub()
    other = club.on(sandbox)
    assert other.get("/").text == "<p>another run</p>"
    assert other.remote.sandbox is sandbox and other.remote is not club.remote
    assert other.notes is club.notes and other.password == PASSWORD and other.template == "{{ food }}"
    assert other.request_timeout() == 3.0 and other.client is not club.client


# -- hints chosen by what came back ----------------------------------------------------------------
def refused(status: int) -> flask.Flask:
    app = flask.Flask(f"refuses_{status}")
    app.add_url_rule("/user/", "store", lambda: ("no", status), methods=["POST"])
    app.add_url_rule("/login", "login", lambda: ("no", status), methods=["POST"])
    return app


@pytest.mark.parametrize(
    ("status", "hint", "cause"),
    [(404, ROUTE_404, "post-route"), (405, ROUTE_405, "post-route"), (401, PASSWORD_HINT, "post-refused"),
     (403, PASSWORD_HINT, "post-refused"), (400, "the check's own hint", None), (402, "the check's own hint", None)],
)
def test_a_refused_post_of_a_profile_picks_the_hint(status, hint, cause):
    club = club_of(refused(status))
    club.post_profile(ADA)
    found = failure(club.fail, "the profile was not stored", "the check's own hint")
    assert (found.hint, found.cause) == (hint, cause)


def test_the_password_hint_needs_the_club_password_sent():
    club = club_of(refused(403))
    club.post_profile(ADA, password="wrong")
    club.post_profile(ADA, password=OMIT)
    club.post("/login", {"password": PASSWORD})
    found = failure(club.fail, "refused", "the check's own hint")
    assert (found.hint, found.cause) == ("the check's own hint", None)


def test_the_route_hint_is_for_post_user_only():
    club = club_of(refused(404))
    club.get("/user/")
    club.post("/login", {"username": "Ada"})
    found = failure(club.fail, "not found", None)
    assert (found.hint, found.cause) == (None, None)


def test_the_password_hint_reads_from_the_environment():
    assert PASSWORD_HINT == (
        "the checks send CLUB_PASSWORD's value (random each run) as the `password` field: "
        "read it with os.environ['CLUB_PASSWORD'], don't type it into app.py"
    )


def test_the_last_answers_error_picks_the_hint(club_app):
    club = club_of(club_app, template="{{ food }} {{ message }}")
    club.get("/missing-template")
    found = failure(club.fail, "expected a page", "own")
    assert (found.hint, found.cause) == (
        'render_template("user.html") looks in templates/ next to app.py: create it there', "template"
    )
    club.get("/undefined")
    found = failure(club.fail, "expected a page", "own")
    assert (found.hint, found.cause) == (variables_hint("{{ food }} {{ message }}"), None)
    assert found.hint.startswith("templates/user.html reads the variables food, message")
    club.get("/broken")
    assert failure(club.fail, "expected a page", "own").hint == "own"
    club.get("/undefined")
    club.get("/cookies")  # only the last answer counts
    assert failure(club.fail, "expected a page", "own").hint == "own"


def test_another_missing_template_is_not_user_html():
    app = flask.Flask("other_template")
    app.add_url_rule("/", "home", lambda: flask.render_template("home.html"))
    club = club_of(app)
    club.get("/")
    assert club.replies[-1][0].exception.startswith("TemplateNotFound")
    assert failure(club.fail, "expected a page", "own").hint == "own"


def test_no_answers_no_hint_of_its_own():
    assert failure(club_of(flask.Flask("quiet")).fail, "problem", "own").hint == "own"


@pytest.mark.parametrize(
    ("status", "exception", "hint"),
    [
        (400, None, "a 400 often means request.form[...] asked for a field under another name"),
        (401, None, PASSWORD_HINT),
        (403, None, PASSWORD_HINT),
        (404, None, ROUTE_404),
        (405, None, ROUTE_405),
        (402, None, None),
        (500, None, None),
        (400, "KeyError: 'food'", "read the error: the line it names is where your POST handler broke"),
    ],
)
def test_the_refusal_hint_is_chosen_by_status(status, exception, hint):
    assert Club.refusal_hint(reply(status, exception=exception)) == hint


# -- expectations ----------------------------------------------------------------------------------
def test_expect_accepted(club_app):
    club = club_of(club_app)
    club.expect_accepted(reply(200), "POST /user/")
    club.expect_accepted(reply(399), "POST /user/")
    found = failure(club.expect_accepted, reply(400), "POST /user/ with a profile")
    assert found.problem == (
        "expected POST /user/ with a profile to be accepted (2xx, or a 3xx redirect), got 400 text/html"
    )
    assert (found.expected, found.actual) == ("2xx, or a 3xx redirect", "400 text/html")
    assert found.hint == "a 400 often means request.form[...] asked for a field under another name"


def test_expect_page(club_app):
    club = club_of(club_app)
    club.expect_page(reply(200), 200, "GET /")
    club.expect_page(reply(404), 404, "GET /nowhere")
    found = failure(club.expect_page, reply(404), 200, "GET /", "add a route for /")
    assert found.problem == "expected GET / to answer 200, got 404 text/html"
    assert (found.expected, found.actual, found.hint) == ("200", "404 text/html", "add a route for /")
    raised = failure(club.expect_page, reply(500, exception="KeyError: 'x'"), 200, "GET /", "add a route")
    assert raised.hint == "read the error: the line it names is where your code broke"
    json = failure(club.expect_page, reply(200, content_type="application/json"), 200, "GET /")
    assert json.problem == "expected GET / to be an HTML page (text/html), got application/json"
    assert json.hint == "return a string or render_template(...): Flask sends both as text/html"
    untyped = failure(club.expect_page, reply(200, content_type=""), 200, "GET /")
    assert untyped.problem == "expected GET / to be an HTML page (text/html), got no content type"


PROFILE_PAGE = page('<p id="username">Ada</p><p id="food">pie</p><p id="message">hello there</p>')


def test_expect_profile_passes_a_page_that_shows_the_three_values(club_app):
    club_of(club_app).expect_profile(reply(200, PROFILE_PAGE), ADA)


def test_expect_profile_wants_200(club_app):
    found = failure(club_of(club_app).expect_profile, reply(201, PROFILE_PAGE), ADA, "the check's hint")
    assert found.problem == "expected GET /user/Ada to answer 200, got 201 text/html"
    assert found.hint == "the check's hint"


@pytest.mark.parametrize(
    ("body", "problem", "expected", "actual", "hint"),
    [
        (page('<p id="username">Ada</p><p id="food">cake</p>'),
         'expected the page to show food "pie", but #food says "cake"', "pie", "cake", "the check's hint"),
        (page("<p>Ada</p>"),
         'expected the page to show food "pie", but the page has no #food and its text does not contain "pie"',
         "pie", None, "the check's hint"),
        (page('<p id="username">Ada</p><p id="food">Ada</p>'),
         'expected the page to show food "pie", but #food says "Ada"', "pie", "Ada",
         '#food shows the username: each id goes on the element that shows its own field '
         '(<p id="food">{{ … food … }}</p>)'),
        (page('<p id="username"></p>'),
         'expected the page to show username "Ada", but #username is empty', "Ada", "",
         'templates/user.html reads the variable user: render_template("user.html", user=…) must pass '
         "the same name (a name it does not pass shows as nothing)"),
        (page('<p id="username">Ada</p><p id="food">pie</p><p id="message">Ada says pie</p>'),
         'expected the page to show message "hello there", but #message says "Ada says pie"', "hello there",
         "Ada says pie",
         "#message shows the username: each id goes on the element that shows its own field "
         '(<p id="message">{{ … message … }}</p>)'),
    ],
    ids=["other-value", "no-element", "other-field", "empty", "first-other-field"],
)
def test_expect_profile_says_what_the_page_shows(club_app, body, problem, expected, actual, hint):
    club = club_of(club_app, template="{{ user.food }}")
    found = failure(club.expect_profile, reply(200, body), ADA, "the check's hint")
    assert (found.problem, found.expected, found.actual, found.hint) == (problem, expected, actual, hint)


def posted_with(status: int, location: str | None) -> Club:
    """A club whose POST of Ada's profile got this status (and Location)."""
    app = flask.Flask(f"posted_{status}")
    headers = {"Location": location} if location else {}
    app.add_url_rule("/user/", "store", lambda: ("", status, headers), methods=["POST"])
    club = club_of(app)
    club.post_profile(ADA)
    return club


REDIRECT_HINT = (
    "your POST redirects to /user/Bob, not to the profile just posted (/user/Ada): "
    "redirect to url_for(…, username=username) of that user, and look profiles up by username"
)


@pytest.mark.parametrize(
    ("status", "location", "hint"),
    [
        (303, "/user/Bob", REDIRECT_HINT),
        (300, "/user/Bob", REDIRECT_HINT),
        (399, "/user/Bob", REDIRECT_HINT),
        (302, "http://localhost/user/Ada", None),
        (303, "/", None),
        (303, None, None),
        (200, "/user/Bob", None),
        (400, "/user/Bob", None),
    ],
)
def test_a_redirect_to_another_profile_is_the_hint(status, location, hint):
    club = posted_with(status, location)
    assert club.redirect_hint(ADA) == hint
    assert club.redirect_hint(Profile("Cy", "kale", "hi")) is None  # never posted


def test_an_encoded_redirect_to_the_same_profile_is_no_hint():
    zoe = Profile("Zoë K", "pie", "hi")
    app = flask.Flask("encoded")
    app.add_url_rule("/user/", "store", lambda: ("", 303, {"Location": "/user/Zo%C3%AB%20K"}), methods=["POST"])
    club = club_of(app)
    club.post_profile(zoe)
    assert club.redirect_hint(zoe) is None


def test_the_redirect_hint_comes_before_the_checks_own(club_app):
    club = posted_with(303, "/user/Bob")
    found = failure(club.expect_profile, reply(404), ADA, "the check's hint")
    assert found.hint == REDIRECT_HINT
    wrong = failure(club.expect_profile, reply(200, page('<p id="username">Bob</p>')), ADA, "the check's hint")
    assert wrong.hint == REDIRECT_HINT


# -- the app's folder, read within bounds (files_holding, read_regular) ---------------------------------
def club_in(folder) -> Club:
    """A check's Club whose app runs in `folder`."""
    club = club_of(flask.Flask("folder"))
    club.remote.sandbox.root = folder
    return club


def test_read_regular_reads_a_file_by_its_name_in_a_folder(tmp_path):
    (tmp_path / "profiles.json").write_bytes(b'{"Ada": "dal"}')
    folder = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        assert read_regular("profiles.json", folder) == b'{"Ada": "dal"}'
    finally:
        os.close(folder)


def test_read_regular_stops_at_4_mib_unless_told(tmp_path):
    (tmp_path / "big.bin").write_bytes(b"x" * (5 << 20))
    assert len(read_regular(str(tmp_path / "big.bin"))) == 4 << 20
    assert read_regular(str(tmp_path / "big.bin"), limit=10) == b"x" * 10


def test_read_regular_never_follows_a_link_or_reads_a_folder(tmp_path):
    (tmp_path / "real.txt").write_bytes(b"secret")
    (tmp_path / "link.txt").symlink_to(tmp_path / "real.txt")
    (tmp_path / "inner").mkdir()
    assert read_regular(str(tmp_path / "link.txt")) is None
    assert read_regular(str(tmp_path / "inner")) is None
    assert read_regular(str(tmp_path / "missing.txt")) is None



def test_read_regular_never_waits_on_a_fifo(tmp_path):
    """A fifo the app left is opened without waiting for a writer (and is not read): the grade goes on."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(read_regular(str(fifo))), daemon=True)
    reader.start()
    reader.join(5)
    waited = reader.is_alive()
    if waited:  # it waits for a writer: be one, so that the test ends
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        reader.join(5)
    assert not waited and got == [None]


def test_files_holding_names_the_files_holding_the_value(tmp_path):
    (tmp_path / "instance").mkdir()
    (tmp_path / "instance" / "profiles.json").write_text('{"Mira K": "dal"}')
    (tmp_path / "app.py").write_text("app = None\n")
    (tmp_path / "link.json").symlink_to(tmp_path / "instance" / "profiles.json")
    assert club_in(tmp_path).files_holding("Mira K") == ["instance/profiles.json"]


def test_files_holding_reads_the_first_mib_of_each_file(tmp_path):
    (tmp_path / "early.txt").write_bytes(b"x" * ((1 << 20) - 10) + b"Mira")
    (tmp_path / "late.txt").write_bytes(b"x" * (1 << 20) + b"Mira")
    assert club_in(tmp_path).files_holding("Mira") == ["early.txt"]


def test_files_holding_reads_200_files_and_names_3_at_most(tmp_path):
    for number in range(200):
        (tmp_path / f"a-{number:03}.txt").write_text("nothing")
    (tmp_path / "b-last.txt").write_text("Mira")  # the 201st, in the walk's (sorted) order
    assert club_in(tmp_path).files_holding("Mira") == []
    many = tmp_path / "many"
    many.mkdir()
    for number in range(5):
        (many / f"{number}.txt").write_text("Mira")
    assert club_in(many).files_holding("Mira") == ["0.txt", "1.txt", "2.txt"]



def test_files_holding_counts_only_regular_files_and_reads_the_200th(tmp_path):
    """Links, fifos and folders are passed over, not counted: the 200th regular file is still read."""
    for number in range(3):
        (tmp_path / f"a-link-{number}").symlink_to(tmp_path / "nowhere")
    os.mkfifo(tmp_path / "b-fifo")
    (tmp_path / "c-folder").mkdir()
    for number in range(199):
        (tmp_path / f"d-{number:03}.txt").write_text("nothing")
    (tmp_path / "e-200th.txt").write_text("Mira")
    assert club_in(tmp_path).files_holding("Mira") == ["e-200th.txt"]


def home(status: int) -> flask.Flask:
    """An app whose GET / answers `status`, sending visitors on to /login."""
    app = flask.Flask("home")
    app.add_url_rule("/", "home", lambda: ("", status, {"Location": "/login"}), methods=["GET", "POST"])
    return app


@pytest.mark.parametrize(("status", "named"), [(299, False), (300, True), (302, True), (399, True), (400, False)])
def test_a_home_page_that_redirects_is_the_cause_named(status, named):
    club = club_of(home(status))
    club.get("/")
    hint, cause = club.observed()
    assert (cause == "home") is named
    assert (hint or "").startswith("GET / sends visitors on to /login: the home page must answer") is named


def test_only_a_get_of_the_home_page_that_redirects_is_that_cause():
    club = club_of(home(302))
    club.post("/", {})
    assert club.observed() == (None, None)
    other = flask.Flask("other")
    other.add_url_rule("/elsewhere", "elsewhere", lambda: ("", 302, {"Location": "/login"}))
    club = club_of(other)
    club.get("/elsewhere")
    assert club.observed() == (None, None)


# -- what a step module asks of the app's run through the club ------------------------------------------
class Served:
    """A stand-in for a run of the app that serves over HTTP, or fails to: it records what it was asked."""

    def __init__(self, serve: Exception | None = None, get: Exception | None = None, not_loaded: str | None = None):
        self.serve, self.get, self.not_loaded, self.asked = serve, get, not_loaded, []
        self.root = "/copy"

    def ready(self) -> None:
        if self.not_loaded:
            raise AppNotLoaded(self.not_loaded)

    def serve_http(self) -> int:
        if self.serve:
            raise self.serve
        return 40123

    def http_get(self, port: int, path: str, timeout: float):
        self.asked.append((port, path, timeout))
        if self.get:
            raise self.get
        return "the answer"

    def stop_http(self) -> None:
        self.asked.append("stopped")


def club_on(served: Served) -> Club:
    club = club_of(flask.Flask("served"))
    club.remote.sandbox = served
    return club


def test_the_club_names_the_apps_folder_and_why_it_did_not_load():
    assert club_on(Served()).app_folder == "/copy"
    assert club_on(Served()).load_error() is None
    assert club_on(Served(not_loaded="KeyError: 'x'")).load_error() == "KeyError: 'x'"


def test_the_club_serves_over_http_and_stops_the_server():
    served = Served()
    club = club_on(served)
    assert club.serve_http() == 40123
    assert club.http_get(40123, "/", 2.0, "a hint") == "the answer"
    club.stop_http()
    assert served.asked == [(40123, "/", 2.0), "stopped"]


def test_a_server_that_cannot_start_or_answer_fails_the_check_saying_so():
    failed = failure(club_on(Served(serve=AppFailure("it stopped at once"))).serve_http)
    assert (failed.problem, failed.hint) == ("your app could not be started as a server: it stopped at once", None)
    failed = failure(club_on(Served(get=AppFailure("no answer"))).http_get, 40123, "/x", 2.0, "a hint")
    assert failed.problem == "started your app with app.run(port=40123), then GET http://127.0.0.1:40123/x: no answer"
    assert failed.hint == "a hint"
