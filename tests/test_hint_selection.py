"""The checks against small apps in this process: which hint each symptom gets, word for word.

tests/test_hint_coverage.py grades whole apps and finds a phrase of each hint somewhere in the
failures; here each check of steps 1 to 7 is run alone against a few lines of Flask (behind the
stand-in for the sandbox of tests/test_club.py), and the test pins the exact hint the check
chooses, and the problem it names, for each branch of its choice. A check that shows the wrong
hint, or none, fails one of these in a second: `make mutation` runs them first against the
level-1 step modules (tools/mutation.py). At the end, the hints of level 2 that
tests/test_level2_checks.py leaves open (step 9's, where a url_prefix may have moved /login; steps 10 and 11's).
"""

from __future__ import annotations

import inspect
import types
import warnings

import flask
import pytest
from markupsafe import escape
from test_club import FakeRemote
from test_level2_checks import club_of as level2_club
from test_level2_checks import member_club

from checks import members, rubric
from checks import test_extra6_unknown_user as extra6
from checks import test_step1_server as step1
from checks import test_step2_post_user as step2
from checks import test_step5_show_user as step5
from checks import test_step9_login as step9
from checks import test_step10_account as step10
from checks import test_step11_photo as step11
from checks.club import Club, browser
from checks.data import Data
from checks.notes import CheckFailed, Notes
from checks.results import Failure
from checks.sandbox.protocol import AppFailure, AppNotLoaded
from checks.symptoms import PASSWORD_HINT, ROUTE_HINTS

with warnings.catch_warnings():  # its marker app_without is the grader's own (checks/pytest.ini), not this suite's
    warnings.simplefilter("ignore", pytest.PytestUnknownMarkWarning)
    from checks import test_extra7_password as extra7

PASSWORD = "s3cret-pw"
STEPS = rubric.load()


class Remote(FakeRemote):
    """The stand-in for the sandbox, whose app has loaded (or, given `not_loaded`, did not)."""

    def __init__(self, app: flask.Flask, not_loaded: str | None = None):
        super().__init__(app)

        def ready() -> None:
            if not_loaded is not None:
                raise AppNotLoaded(not_loaded)

        self.sandbox.ready = ready


def club_of(app: flask.Flask, step_id: str, not_loaded: str | None = None) -> Club:
    """A check of step `step_id` talking to `app`, with the club password PASSWORD."""
    remote = Remote(app, not_loaded)
    return Club(browser(remote), remote, Notes(STEPS[step_id]), PASSWORD, request_timeout=lambda: 3.0)


def run(check, club: Club | None = None, **given) -> Failure | None:
    """Run one check with the fixtures it asks for; its failure, or None when it passed."""
    available = {"club": club, "notes": club.notes if club else None, "data": Data(4242, check.__name__), **given}
    wanted = inspect.signature(check).parameters
    try:
        check(**{name: available[name] for name in wanted})
    except CheckFailed as failed:
        return failed.failure
    return None


def failure_of(check, club: Club | None = None, **given) -> Failure:
    """The failure the check stops with (it must stop)."""
    failed = run(check, club, **given)
    assert failed is not None, f"{check.__name__} passed"
    return failed


# -- a small club, each of whose parts can be broken -------------------------------------------
def club_app(
    *,
    home=None,
    post=None,
    show=None,
    password: str | None = PASSWORD,
) -> flask.Flask:
    """A correct level-1 app, but for the parts given: `post(form, profiles)` and `show(username, profiles)`
    answer in place of its POST /user/ and GET /user/<username>, `home()` in place of GET /."""
    app = flask.Flask("hint_selection")
    profiles: dict[str, dict[str, str]] = {}

    @app.get("/")
    def index():
        return home() if home else "Hello World!"

    @app.post("/user/")
    def store():
        form = flask.request.form
        if post:
            return post(form, profiles)
        if not password or form.get("password") != password:
            flask.abort(401)
        if not form.get("username"):
            flask.abort(400)
        profiles[form["username"]] = {"food": form.get("food", ""), "message": form.get("message", "")}
        return flask.redirect(f"/user/{form['username']}", 303)

    @app.get("/user/<username>")
    def profile(username):
        if show:
            return show(username, profiles)
        found = profiles.get(username)
        if found is None:
            return f"<p>No member called {escape(username)}.</p>", 404
        return (
            f'<p id="username">{escape(username)}</p><p id="food">{escape(found["food"])}</p>'
            f'<p id="message">{escape(found["message"])}</p>'
        )

    return app


def stored(form, profiles) -> flask.Response:
    """Store the form's profile, whatever its password, and redirect to it."""
    username = form.get("username", "")
    profiles[username] = {"food": form.get("food", ""), "message": form.get("message", "")}
    return flask.redirect(f"/user/{username}", 303)


# -- step 1 ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("home", "problem", "hint"),
    [
        (lambda: flask.abort(404), "expected GET / to answer 200, got 404 text/html",
         'is there a route for "/"? (@app.route("/") above a function)'),
        (lambda: 1 / 0, "expected GET / to answer 200, got 500: your app raised ZeroDivisionError: division by zero",
         "read the error: the line it names is where your code broke"),
        (lambda: {"hello": "world"}, "expected GET / to be an HTML page (text/html), got application/json",
         "return a string or render_template(...): Flask sends both as text/html"),
    ],
)
def test_the_home_page_gets_the_hint_of_its_symptom(home, problem, hint):
    failed = failure_of(step1.test_home_page_is_html, club_of(club_app(home=home), "1"))
    assert (failed.problem, failed.hint) == (problem, hint)


def test_a_home_page_that_redirects_is_told_to_be_a_page(tmp_path):
    failed = failure_of(step1.test_home_page_is_html, club_of(club_app(home=lambda: flask.redirect("/login")), "1"))
    assert failed.hint.startswith("GET / sends visitors on to /login: the home page must answer with a page")
    assert failed.cause == "home"


class Served:
    """The stand-in for a sandbox that serves over HTTP: it records the timeout each GET is given."""

    def __init__(self, serve: Exception | None = None, get: Exception | None = None):
        self.serve, self.get, self.timeouts, self.stopped = serve, get, [], 0

    def serve_http(self) -> int:
        if self.serve:
            raise self.serve
        return 40123

    def http_get(self, port: int, path: str, timeout: float):
        self.timeouts.append(timeout)
        if self.get:
            raise self.get
        return types.SimpleNamespace(status=200)

    def stop_http(self) -> None:
        self.stopped += 1

    def ready(self) -> None:
        pass


def serving(served: Served, request_timeout: float = 5.0) -> dict:
    """The fixtures of step 1's HTTP check, its app being `served`."""
    remote = Remote(club_app())
    remote.sandbox = served
    club = Club(browser(remote), remote, Notes(STEPS["1"]), PASSWORD, request_timeout=lambda: request_timeout)
    grading = types.SimpleNamespace(sandbox=lambda: served, request_timeout=lambda: request_timeout)
    return {"club": club, "grading": grading}


@pytest.mark.parametrize(("left", "timeout"), [(5.0, 5.0), (1.5, 1.5), (0.25, 1.0)])
def test_the_http_check_waits_what_is_left_of_the_request_limit_but_at_least_a_second(left, timeout):
    served = Served()
    assert run(step1.test_app_serves_over_http, **serving(served, left)) is None
    assert served.timeouts == [timeout] and served.stopped == 1


def test_an_app_that_cannot_be_started_as_a_server_says_why():
    served = Served(serve=AppFailure("it stopped at once"))
    failed = failure_of(step1.test_app_serves_over_http, **serving(served))
    assert failed.problem == "your app could not be started as a server: it stopped at once"
    assert failed.hint is None


def test_a_server_that_does_not_answer_is_asked_about_its_port():
    served = Served(get=AppFailure("no answer within 5 s"))
    failed = failure_of(step1.test_app_serves_over_http, **serving(served))
    assert failed.problem == (
        "started your app with app.run(port=40123), then GET http://127.0.0.1:40123/: no answer within 5 s"
    )
    assert failed.hint == "does app.run() get called with a fixed port of its own, or does something stop it starting?"
    assert served.stopped == 1


def main_block_grading(source: str | None, not_loaded: str | None = None) -> dict:
    """The fixtures of step 1's main-block check: app.py's source, and whether it loaded."""
    remote = Remote(club_app(), not_loaded)
    club = Club(browser(remote), remote, Notes(STEPS["1"]), PASSWORD, request_timeout=lambda: 3.0)
    grading = types.SimpleNamespace(
        workspace=types.SimpleNamespace(app_source=source), sandbox=lambda: remote.sandbox,
        request_timeout=lambda: 3.0,
    )
    return {"club": club, "grading": grading}


GOOD_MAIN = 'from flask import Flask\napp = Flask(__name__)\nif __name__ == "__main__":\n    app.run()\n'


def test_no_app_py_is_told_where_it_goes():
    failed = failure_of(step1.test_main_block_runs_server, **main_block_grading(None))
    assert (failed.problem, failed.hint) == (
        "there is no app.py in your submission", "app.py goes at the top of your server's folder"
    )


@pytest.mark.parametrize(
    ("source", "hint", "cause"),
    [
        ("from flask import Flask\napp = Flask(__name__)\n", 'end app.py with:  if __name__ == "__main__":  app.run()',
         None),
        ("app = (\n", "fix the syntax error first: the line it names, or the line just before it", "app"),
        ("from flask import Flask\napp = Flask(__name__)\napp.run()\n",
         'move `app.run()` under `if __name__ == "__main__":`, at the end of app.py', "app"),
    ],
)
def test_a_main_block_problem_gets_its_own_hint_and_stops_the_app_only_when_importing_does(source, hint, cause):
    failed = failure_of(step1.test_main_block_runs_server, **main_block_grading(source))
    assert (failed.hint, failed.cause) == (hint, cause)


@pytest.mark.parametrize(
    "why", ["app.py imports, but defines neither `app` nor `create_app`", "app.py's `app` is not a Flask app"]
)
def test_a_main_block_in_an_app_py_that_imports_passes_even_where_its_app_is_not_found(why):
    assert run(step1.test_main_block_runs_server, **main_block_grading(GOOD_MAIN, why)) is None


def test_a_main_block_in_an_app_py_that_does_not_import_names_step_1s_first_check():
    grading = main_block_grading(GOOD_MAIN, "ModuleNotFoundError: No module named 'flask_bootstrap'")
    failed = failure_of(step1.test_main_block_runs_server, **grading)
    assert failed.problem == (
        'app.py calls app.run() under `if __name__ == "__main__":`, but importing app.py fails, so `python app.py` '
        "stops before it gets there: ModuleNotFoundError: No module named 'flask_bootstrap'"
    )
    assert (failed.hint, failed.cause) == ("fix the error above first: step 1's first check names it", "app")


def test_a_main_block_that_runs_the_server_passes():
    assert run(step1.test_main_block_runs_server, **main_block_grading(GOOD_MAIN)) is None


# -- step 2 ------------------------------------------------------------------------------------
FIELD_NAME = "a 400 often means request.form[...] asked for a field under another name"


@pytest.mark.parametrize(
    ("post", "hint"),
    [
        (lambda form, profiles: flask.abort(404), ROUTE_HINTS[404]),
        (lambda form, profiles: flask.abort(405), ROUTE_HINTS[405]),
        (lambda form, profiles: flask.abort(401), PASSWORD_HINT),
        (lambda form, profiles: flask.abort(403), PASSWORD_HINT),
        (lambda form, profiles: flask.abort(400), FIELD_NAME),
        (lambda form, profiles: form["name"], FIELD_NAME),
        (lambda form, profiles: form.get("nope").strip(),
         "read the error: the line it names is where your POST handler broke"),
        (lambda form, profiles: ("teapot", 418), None),
    ],
)
def test_a_refused_post_gets_the_hint_of_its_status(post, hint):
    failed = failure_of(step2.test_post_user_is_accepted, club_of(club_app(post=post), "2"))
    assert failed.hint == hint
    assert failed.problem.startswith("expected POST /user/ to be accepted (2xx, or a 3xx redirect), got ")


def check_username(form, profiles, missing: bool = True, empty: bool = True, raises: bool = False):
    """POST /user/ that answers 400 for a missing username (unless `missing` is False) or an empty one (unless
    `empty` is False); `raises`: a missing one raises, as `.get("username").strip()` does."""
    if "username" not in form:
        if raises:
            form.get("username").strip()
        if missing:
            flask.abort(400)
    elif form["username"] == "" and empty:
        flask.abort(400)
    return stored(form, profiles)


@pytest.mark.parametrize(
    ("post", "problem", "hint"),
    [
        (lambda form, profiles: check_username(form, profiles, missing=False, empty=False),
         "expected 400 for a POST with no username, got 303 to /user/",
         "check for a missing username and answer 400 (abort(400), or return ..., 400)"),
        (lambda form, profiles: check_username(form, profiles, raises=True),
         "expected 400 for a POST with no username, got 500: your app raised AttributeError: 'NoneType' object has no "
         "attribute 'strip'",
         "request.form['username'] answers 400 by itself; with .get(), check for None and abort(400)"),
        (lambda form, profiles: check_username(form, profiles, empty=False),
         "expected 400 for a POST with an empty username, got 303 to /user/",
         'an empty field still arrives, as "": check `if not username:` (not `is None`) and answer 400, before '
         "storing anything"),
    ],
)
def test_a_post_without_a_username_gets_the_hint_of_what_came_back(post, problem, hint):
    failed = failure_of(step2.test_post_user_without_username_is_400, club_of(club_app(post=post), "2"))
    assert (failed.problem, failed.hint) == (problem, hint)
    assert (failed.expected, failed.actual) == ("400", problem.split(", got ")[1])


@pytest.mark.parametrize("status", [401, 403])
def test_a_post_without_a_username_refused_as_if_the_password_were_wrong_gets_the_password_hint(status):
    # The POST carries the club password: a 401 or 403 says the app does not read it as the checks send it.
    failed = failure_of(
        step2.test_post_user_without_username_is_400,
        club_of(club_app(post=lambda form, profiles: flask.abort(status)), "2"),
    )
    assert failed.problem.startswith(f"expected 400 for a POST with no username, got {status} ")
    assert (failed.hint, failed.cause) == (PASSWORD_HINT, "post-refused")


def test_a_post_without_a_username_to_no_route_gets_the_route_hint():
    app = club_app(post=lambda form, profiles: flask.abort(405))
    failed = failure_of(step2.test_post_user_without_username_is_400, club_of(app, "2"))
    assert (failed.hint, failed.cause) == (ROUTE_HINTS[405], "post-route")


def test_step_2_passes_a_correct_app():
    for check in (step2.test_post_user_is_accepted, step2.test_post_user_without_username_is_400):
        assert run(check, club_of(club_app(), "2")) is None


# -- step 5 ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("post", "hint"),
    [
        (lambda form, profiles: ("teapot", 418),
         "this check reads back a profile it posts: make POST /user/ work first (step 2)"),
        (lambda form, profiles: form.get("nope").strip(),
         "read the error: the line it names is where your POST handler broke (step 2)"),
        (lambda form, profiles: flask.abort(400),
         "a 400 often means request.form[...] asked for a field under another name (step 2)"),
    ],
)
def test_a_profile_that_cannot_be_stored_sends_the_student_to_step_2(post, hint):
    failed = failure_of(step5.test_profile_shows_each_field, club_of(club_app(post=post), "5"))
    assert failed.problem.startswith("the profile could not be stored: POST /user/ answered ")
    assert failed.hint == hint


def test_a_profile_page_that_is_not_found_asks_whose_profile_is_shown():
    app = club_app(show=lambda username, profiles: ("<p>gone</p>", 404))
    failed = failure_of(step5.test_profile_shows_each_field, club_of(app, "5"))
    assert failed.hint == step5.WRONG_USER


def all_but(which: str):
    """GET /user/<username> that answers 404 for the first or the last username posted, and shows the others."""
    def show(username, profiles):
        names = list(profiles)
        if username == (names[0] if which == "first" else names[-1]):
            return "<p>gone</p>", 404
        found = profiles[username]
        return f'<p id="username">{username}</p><p id="food">{found["food"]}</p><p id="message">{found["message"]}</p>'

    return show


@pytest.mark.parametrize(
    ("lost", "hint"),
    [("last", step5.WRONG_USER), ("first", "do all users share one stored profile, or is only the last one kept?")],
)
def test_a_lost_profile_among_several_gets_the_hint_of_which_one_it_was(lost, hint):
    failed = failure_of(step5.test_profiles_are_kept_apart, club_of(club_app(show=all_but(lost)), "5"))
    assert failed.hint == hint


def test_a_profile_that_keeps_its_first_post_is_asked_to_replace_it():
    def keep_first(form, profiles):
        profiles.setdefault(form["username"], {"food": form["food"], "message": form["message"]})
        return flask.redirect(f"/user/{form['username']}", 303)

    failed = failure_of(step5.test_second_post_updates_profile, club_of(club_app(post=keep_first), "5"))
    assert failed.hint == "does a POST for a username that exists replace its profile?"


def test_a_username_that_is_not_found_with_a_space_in_it_is_told_flask_decodes_it():
    app = club_app(show=lambda username, profiles: ("<p>gone</p>", 404))
    failed = failure_of(step5.test_username_with_space_and_accents, club_of(app, "5"))
    assert failed.hint == (
        "the URL holds the username URL-encoded (a space is %20); Flask decodes it for you in <username>"
    )


def shown(message) -> object:
    """GET /user/<username> that shows the message as `message(text)` makes it."""
    def show(username, profiles):
        found = profiles[username]
        return (
            f'<p id="username">{escape(username)}</p><p id="food">{escape(found["food"])}</p>'
            f'<p id="message">{message(found["message"])}</p>'
        )

    return show


def test_a_message_shown_as_html_is_told_to_let_jinja_escape_it():
    failed = failure_of(step5.test_message_html_is_escaped, club_of(club_app(show=shown(str)), "5"))
    assert failed.problem.startswith("the message's HTML became real elements in the page (<")
    assert failed.hint == "let Jinja escape values: {{ message }}, never {{ message|safe }} or Markup(...)"


def test_a_message_escaped_twice_is_told_so():
    app = club_app(show=shown(lambda message: escape(str(escape(message)))))
    failed = failure_of(step5.test_message_html_is_escaped, club_of(app, "5"))
    assert failed.problem.startswith("expected the page to show the message ")
    assert failed.hint == "if it shows &lt; or &amp;, the message is escaped twice: pass it to the template as it is"


def test_step_5_passes_a_correct_app():
    for check in (step5.test_profile_shows_each_field, step5.test_profiles_are_kept_apart,
                  step5.test_second_post_updates_profile, step5.test_username_with_space_and_accents,
                  step5.test_message_html_is_escaped):
        assert run(check, club_of(club_app(), "5")) is None, check.__name__


# -- extra 6 -----------------------------------------------------------------------------------
LOOK_IT_UP = (
    "look the username up, and when there is no such profile call abort(404) or return render_template(...), 404"
)
RAISED = "the lookup of a missing username raised an error: check for it first and answer 404"


@pytest.mark.parametrize(
    ("show", "seen", "hint"),
    [
        (lambda username, profiles: "<p>Welcome!</p>", "200 text/html", LOOK_IT_UP),
        (lambda username, profiles: ("<p>Welcome!</p>", 201), "201 text/html", LOOK_IT_UP),
        (lambda username, profiles: profiles[username], "500: your app raised KeyError", RAISED),
        (lambda username, profiles: ("<p>down</p>", 500), "500 text/html", RAISED),
        (lambda username, profiles: ("<p>down</p>", 503), "503 text/html", RAISED),
        (lambda username, profiles: ("<p>not here</p>", 599), "599 text/html", RAISED),
        (lambda username, profiles: flask.redirect("/"), "302 to /", None),
        (lambda username, profiles: ("<p>no</p>", 410), "410 text/html", None),
    ],
)
def test_an_unknown_user_gets_the_hint_of_the_status_that_came_back(show, seen, hint):
    failed = failure_of(extra6.test_unknown_user_gets_named_404, club_of(club_app(show=show), "6"))
    assert failed.problem.startswith(f"expected 404 for a username that was never created, got {seen}")
    assert failed.hint == hint


def test_a_404_that_is_not_html_is_told_to_render_a_page():
    app = club_app(show=lambda username, profiles: (f"no {username}", 404, {"Content-Type": "text/plain"}))
    failed = failure_of(extra6.test_unknown_user_gets_named_404, club_of(app, "6"))
    assert failed.problem == "expected the 404 page to be HTML (text/html), got text/plain"
    assert failed.hint == "return render_template(...), 404 from your handler"


def test_a_404_that_does_not_name_the_user_is_told_flasks_own_page_does_not():
    app = club_app(show=lambda username, profiles: flask.abort(404))
    failed = failure_of(extra6.test_unknown_user_gets_named_404, club_of(app, "6"))
    assert failed.problem.endswith("but its text does not")
    assert failed.hint == "Flask's own 404 page doesn't name it: render your own page with the username in it"


def test_extra_6_passes_a_named_404():
    assert run(extra6.test_unknown_user_gets_named_404, club_of(club_app(), "6")) is None


# -- extra 7 -----------------------------------------------------------------------------------
COMPARE = "compare the form's password with the club's and answer 403 when they differ (abort(403))"
READ_WITH_GET = (
    'request.form["password"] answers 400 by itself when the field is missing (with debug=True, a KeyError page): '
    'read it with request.form.get("password", ""), so a missing password is a wrong one, and answer 403'
)
STORED_ANYWAY = "check the password before you store anything"
REFUSALS = [extra7.test_post_without_password_is_refused, extra7.test_post_with_wrong_password_is_refused]


def password_as_form_key(form, profiles):
    """Reads the password with request.form["password"]: a missing one is Flask's 400."""
    if form["password"] != PASSWORD:
        flask.abort(401)
    return stored(form, profiles)


@pytest.mark.parametrize(
    ("check", "post", "hint"),
    [
        (REFUSALS[0], stored, COMPARE),
        (REFUSALS[1], stored, COMPARE),
        (REFUSALS[0], password_as_form_key, READ_WITH_GET),
        (REFUSALS[1], lambda form, profiles: flask.abort(400), COMPARE),
        (REFUSALS[0], lambda form, profiles: flask.abort(404), ROUTE_HINTS[404]),
    ],
)
def test_a_post_that_is_not_refused_gets_the_hint_of_what_came_back(check, post, hint):
    failed = failure_of(check, club_of(club_app(post=post), "7"))
    assert failed.problem.startswith("expected a POST with")
    assert failed.problem.split(" to be refused with 401 or 403, got ")[0] in (
        "expected a POST without a password", "expected a POST with a wrong password"
    )
    assert failed.hint == hint


def refused_but_kept(*fields: str):
    """POST /user/ that keeps these fields of every profile, then refuses a wrong password."""
    def post(form, profiles):
        profiles[form["username"]] = {name: form[name] if name in fields else "" for name in ("food", "message")}
        if form.get("password") != PASSWORD:
            flask.abort(401)
        return flask.redirect(f"/user/{form['username']}", 303)

    return post


@pytest.mark.parametrize("check", REFUSALS)
@pytest.mark.parametrize("kept", [("food", "message"), ("food",), ("message",)])
def test_a_refused_profile_with_any_of_its_values_shown_was_stored_anyway(check, kept):
    failed = failure_of(check, club_of(club_app(post=refused_but_kept(*kept)), "7"))
    assert failed.problem.startswith("the refused profile was stored anyway: GET /user/")
    assert failed.hint == STORED_ANYWAY


@pytest.mark.parametrize("check", REFUSALS)
def test_a_refused_profile_whose_page_shows_none_of_its_values_was_not_stored(check):
    # A page for every username, 200 even where there is no profile: the refused values are not on it.
    app = club_app(show=lambda username, profiles: f'<p id="username">{escape(username)}</p><p id="food"></p>')
    assert run(check, club_of(app, "7")) is None


def test_an_app_that_takes_any_password_is_told_to_refuse_every_other():
    failed = failure_of(extra7.test_post_with_club_password_is_accepted, club_of(club_app(post=stored), "7"))
    assert failed.problem.startswith("your app accepts any password: a wrong one got 303 to /user/")
    assert failed.hint == extra7.READ_IT + ", and refuse every other"


def test_extra_7_passes_a_correct_app():
    for check in (*REFUSALS, extra7.test_post_with_club_password_is_accepted):
        assert run(check, club_of(club_app(), "7")) is None, check.__name__


class Unset:
    """The fixtures of the fail-closed check: `unset` is the app started again without CLUB_PASSWORD."""

    def __init__(self, unset: flask.Flask, not_loaded: str | None = None):
        self.club = club_of(club_app(), "7")
        self.unset = club_of(unset, "7", not_loaded)
        self.envs: list[dict[str, str]] = []
        self.club.on = lambda sandbox: self.unset  # the other run of the app, in a new browser
        self.grading = types.SimpleNamespace(
            env_without=lambda *names: {
                name: value for name, value in {"CLUB_PASSWORD": PASSWORD, "SECRET_KEY": "k"}.items()
                if name not in names
            },
            fresh_sandbox=lambda env=None: self.envs.append(env) or self.unset.remote.sandbox,
        )

    def failure(self) -> Failure | None:
        return run(extra7.test_unset_password_fails_closed, self.club, grading=self.grading)


def test_the_fail_closed_check_uses_the_app_started_early_without_club_password():
    # The marker starts that app at collection (checks/run/pytest_plugin.py); the check must ask for the same one.
    marks = [mark.args for mark in getattr(extra7.test_unset_password_fails_closed, "pytestmark", [])
             if mark.name == "app_without"]
    assert marks == [("CLUB_PASSWORD",)]
    fixtures = Unset(club_app(password=None))
    assert fixtures.failure() is None
    assert fixtures.envs == [{"SECRET_KEY": "k"}]


def test_an_app_that_refuses_to_start_naming_club_password_passes():
    assert Unset(club_app(), "RuntimeError: set CLUB_PASSWORD").failure() is None


def test_an_app_that_refuses_to_start_without_naming_club_password_is_told_to_say_what_is_missing():
    failed = Unset(club_app(), "RuntimeError: no password").failure()
    assert failed.problem == "it did not start, but its message does not name CLUB_PASSWORD: RuntimeError: no password"
    assert failed.hint == (
        'say what is missing: raise RuntimeError("set CLUB_PASSWORD"), or refuse every POST instead'
    )


def test_an_app_that_opens_the_club_without_club_password_is_told_to_refuse():
    failed = Unset(club_app(post=stored)).failure()
    assert failed.problem.startswith("with CLUB_PASSWORD unset, a POST with no password was accepted (303 to /user/")
    assert failed.hint == (
        'when os.environ.get("CLUB_PASSWORD") is None or empty, no password is right: refuse (abort(403)), or '
        "refuse to start with a message that names CLUB_PASSWORD"
    )


def test_an_app_that_stores_before_it_refuses_without_club_password_is_told_to_check_first():
    failed = Unset(club_app(post=refused_but_kept("food", "message"), password=None)).failure()
    assert failed.problem.startswith("with CLUB_PASSWORD unset, a POST with no password was refused but stored anyway")
    assert failed.hint == STORED_ANYWAY


def test_an_app_that_refuses_every_post_and_has_a_page_for_everyone_fails_closed():
    # 200 for a username never stored, with none of the refused values: nothing was stored.
    app = club_app(password=None, show=lambda username, profiles: f'<p id="username">{escape(username)}</p>')
    assert Unset(app).failure() is None


# -- step 9: the hints tests/test_level2_checks.py leaves open, and steps 10 and 11's ---------------
def login_app(home: str = "<p>Flask Club</p>", login_status: int = 404, refuse_newcomers: bool = True) -> flask.Flask:
    """A level-2 club whose GET /login answers `login_status`, and whose POST /login refuses a wrong
    password for a member with a profile (and for a newcomer unless `refuse_newcomers` is False)."""
    app = flask.Flask("hint_selection_login")
    app.secret_key = "k"
    profiles: set[str] = set()

    @app.get("/")
    def index():
        return f'{home}<p id="status">{escape(flask.session.get("username", ""))}</p>'

    @app.post("/user/")
    def store():
        profiles.add(flask.request.form["username"])
        return flask.redirect("/", 303)

    @app.get("/login")
    def login_page():
        return "<p>no</p>", login_status

    @app.post("/login")
    def log_in():
        username = flask.request.form.get("username", "")
        if flask.request.form.get("password") != PASSWORD and (username in profiles or refuse_newcomers):
            return "<p>wrong password</p>", 401
        flask.session["username"] = username
        return flask.redirect("/", 303)

    return app


def test_a_login_page_not_found_is_told_to_add_the_route():
    failed = failure_of(step9.test_login_page_has_form, level2_club(login_app(), "9"))
    assert failed.problem == "expected GET /login to answer 200, got 404 text/html"
    assert failed.hint == 'add a route @app.get("/login") that renders templates/login.html'


def test_a_login_page_not_found_where_the_home_page_links_under_a_prefix_is_told_of_the_prefix():
    app = login_app(home='<a href="/auth/login">Log in</a>')
    failed = failure_of(step9.test_login_page_has_form, level2_club(app, "9"))
    assert failed.hint == members.prefix_hint("/auth", "/login")


@pytest.mark.parametrize("status", [200, 405])
def test_a_login_page_not_found_that_the_books_prefix_has_is_told_of_the_prefix_without_a_link(status):
    """No link on the home page, but GET /auth/login answers (200, or 405 for a route of other methods): it is named."""
    app = login_app()
    method = "GET" if status == 200 else "PUT"
    app.add_url_rule("/auth/login", "moved", lambda: ("<form></form>", 200), methods=[method])
    failed = failure_of(step9.test_login_page_has_form, level2_club(app, "9"))
    assert failed.hint == (
        f"GET /auth/login answers {status}: your app has it at /auth/login, not /login: a blueprint registered with "
        'url_prefix="/auth" moves every route on it; register it without one (app.register_blueprint(auth)): the '
        "contract's URLs stay where they are (docs/student/step-12.md)"
    )


@pytest.mark.parametrize("status", [405, 500])
def test_a_login_page_that_answers_otherwise_is_told_to_add_the_route_whatever_the_home_page_links(status):
    # Only a 404 says the route may be elsewhere: a 405 or a 500 is the route at /login, answering wrongly.
    app = login_app(home='<a href="/auth/login">Log in</a>', login_status=status)
    failed = failure_of(step9.test_login_page_has_form, level2_club(app, "9"))
    assert failed.hint == 'add a route @app.get("/login") that renders templates/login.html'


def test_a_newcomer_let_in_with_a_wrong_password_is_told_to_compare_it_with_the_clubs():
    failed = failure_of(step9.test_wrong_password_logs_no_one_in, level2_club(login_app(refuse_newcomers=False), "9"))
    assert failed.problem.startswith("expected POST /login as a newcomer with a wrong password to be refused")
    assert failed.hint == (
        "compare the password with CLUB_PASSWORD's value and answer 401 when they differ "
        "(render the login page again with the status: return render_template(...), 401)"
    )


@pytest.mark.parametrize("check", [step9.test_logout_logs_out, step9.test_no_other_browser_is_logged_in])
def test_a_home_page_failing_once_logged_in_is_named_not_the_status_it_hides(check):
    """GET / answering 500 after the login is what the check names: a page that fails shows no #status."""
    app = login_app()

    @app.before_request
    def broken():
        if flask.request.path == "/" and flask.session.get("username"):
            flask.abort(500)

    failed = failure_of(check, level2_club(app, "9"))
    assert failed.problem.startswith("expected GET / to answer 200, got 500")
    assert "#status" not in failed.problem + (failed.hint or "")


# -- step 10 -------------------------------------------------------------------------------------
def test_an_account_form_not_filled_from_the_profile_is_shown_how_to_fill_it():
    form = '<form method="post"><input name="food" value="pizza"><textarea name="message">hi</textarea></form>'
    failed = failure_of(step10.test_account_form_is_prefilled, level2_club(member_club(account_form=form), "10"))
    assert failed.problem.startswith("expected the form's food to hold ")
    assert failed.hint == step10.FORM_HINT


def test_an_account_form_never_filled_fails_the_update_with_how_to_fill_it_not_with_the_session():
    """The form empty after an update is the form not filled at all (step 10's first hint), not one filled at login."""
    form = '<form method="post"><input name="food" value=""><textarea name="message"></textarea></form>'
    club = level2_club(member_club(account_form=form), "10")
    failed = failure_of(step10.test_account_update_changes_only_that_member, club)
    assert failed.problem.startswith("expected the form's food to hold ")
    assert failed.problem.endswith(' after the update, but it holds ""')
    assert failed.hint == step10.FORM_HINT


def moved_login_club() -> flask.Flask:
    """A level-2 club whose login is a blueprint's under url_prefix="/auth" (Flasky's), and whose account page
    sends a visitor there (Flask-Login's way: /auth/login?next=...)."""
    app = flask.Flask("moved_login")
    app.secret_key = "k"
    auth = flask.Blueprint("auth", "moved_login")

    @auth.route("/login", methods=["GET", "POST"])
    def login():
        if flask.request.method == "POST":
            flask.session["username"] = flask.request.form.get("username", "")
            return flask.redirect("/", 303)
        return '<form method="post"><input name="username"><input name="password"></form>'

    app.register_blueprint(auth, url_prefix="/auth")

    @app.get("/")
    def index():
        return "<p>Flask Club</p>"

    @app.post("/user/")
    def store():
        return flask.redirect("/", 303)

    @app.route("/account-details", methods=["GET", "POST"])
    def details():
        if not flask.session.get("username"):
            return flask.redirect(flask.url_for("auth.login", next=flask.request.path))
        return '<form method="post"><input name="food"><textarea name="message"></textarea></form>'

    return app


def test_a_login_a_prefix_moved_is_named_where_a_check_logs_a_member_in_first():
    failed = failure_of(step10.test_account_form_is_prefilled, level2_club(moved_login_club(), "10"))
    assert failed.problem.startswith("expected POST /login with the club password to be accepted")
    assert failed.hint == "this check logs a member in first (step 9): " + members.prefix_hint(
        "/auth", "/login", "GET /auth/login answers 200: your app has it at")


def test_account_details_sending_visitors_to_a_login_a_prefix_moved_are_told_of_the_prefix():
    failed = failure_of(step10.test_account_details_need_login, level2_club(moved_login_club(), "10"))
    assert failed.problem.startswith("expected GET /account-details without logging in to answer 401, 403")
    assert failed.hint == members.prefix_hint("/auth", "/login", "GET /account-details redirects to")


def test_account_details_open_to_a_visitor_are_told_to_send_them_to_log_in():
    app = flask.Flask("open_details")

    @app.post("/user/")
    def store():
        return flask.redirect("/", 303)

    @app.get("/account-details")
    def details():
        return '<form method="post"><input name="food"><textarea name="message"></textarea></form>'

    failed = failure_of(step10.test_account_details_need_login, level2_club(app, "10"))
    assert failed.problem.startswith("expected GET /account-details without logging in to answer 401, 403 or a")
    assert failed.hint == 'when no member is in the session, return redirect(url_for("login")) (or abort(401))'


def restarting_club(tmp_path, after: str) -> Club:
    """Step 10's restart check against a club whose profiles, after a restart, are: "kept"; "forgotten";
    "written" to instance/profiles.json but forgotten; shown as a 200 page with none of their values
    ("blank"); or shown for the first GET alone ("first")."""
    app = flask.Flask("restarting")
    profiles: dict[str, dict[str, str]] = {}
    state = {"restarted": False, "reads": 0}

    @app.post("/user/")
    def store():
        form = flask.request.form
        profiles[form["username"]] = {"food": form["food"], "message": form["message"]}
        if after == "written":
            (tmp_path / "instance").mkdir(exist_ok=True)
            (tmp_path / "instance" / "profiles.json").write_text(repr(profiles))
        return flask.redirect("/", 303)

    @app.get("/user/<username>")
    def show(username):
        state["reads"] += state["restarted"]
        if state["restarted"] and after == "blank":
            return "<p>No such member.</p>"
        if state["restarted"] and after == "first" and state["reads"] > 1 or username not in profiles:
            return "<p>No such member.</p>", 404
        found = profiles[username]
        return f'<p id="username">{username}</p><p id="food">{found["food"]}</p><p id="message">{found["message"]}</p>'

    def restart() -> None:
        state["restarted"] = True
        if after in ("forgotten", "written"):
            profiles.clear()

    club = level2_club(app, "10", root=tmp_path)
    club.remote.sandbox.kill, club.remote.sandbox.ready = restart, lambda: None
    return club


FORGOTTEN = (
    "profiles kept in a dict vanish when the app stops: keep them in a file in the instance folder "
    "(JSON or SQLite), written on every POST and read when the app starts"
)


@pytest.mark.parametrize(("after", "hint"), [("forgotten", FORGOTTEN), ("blank", FORGOTTEN), ("first", FORGOTTEN)])
def test_profiles_lost_in_a_restart_are_told_to_be_kept_in_a_file(tmp_path, after, hint):
    # "first": every profile must read back, not only the first one asked for.
    failed = failure_of(step10.test_profiles_survive_restart, restarting_club(tmp_path, after))
    assert failed.hint == hint


def test_profiles_written_but_not_read_back_after_a_restart_are_told_to_load_the_file(tmp_path):
    failed = failure_of(step10.test_profiles_survive_restart, restarting_club(tmp_path, "written"))
    assert failed.hint.startswith("your app wrote the profile to instance/profiles.json, but after the restart it does")


def test_profiles_that_read_back_after_a_restart_pass_without_the_apps_files_being_read(tmp_path):
    # The app's files are read (up to 200 of them) only for a profile that does not read back.
    club = restarting_club(tmp_path, "kept")
    club.files_holding = lambda value: pytest.fail(f"the app's files were searched for {value!r}")
    assert run(step10.test_profiles_survive_restart, club) is None


# -- step 11 -------------------------------------------------------------------------------------
def photo_club(saved) -> flask.Flask:
    """A club whose POST /account-details keeps `saved(bytes uploaded)` as the member's photo, served at /avatar."""
    app = flask.Flask("photos")
    app.secret_key = "k"
    photos: dict[str, bytes] = {}

    @app.post("/user/")
    def store():
        return flask.redirect("/", 303)

    @app.post("/login")
    def log_in():
        flask.session["username"] = flask.request.form["username"]
        return flask.redirect("/", 303)

    @app.post("/account-details")
    def details():
        photos[flask.session["username"]] = saved(flask.request.files["avatar"].read())
        return flask.redirect("/", 303)

    @app.get("/user/<username>")
    def show(username):
        return f'<p id="username">{username}</p><img id="avatar" src="/avatar/{username}">'

    @app.get("/avatar/<username>")
    def avatar(username):
        return photos[username], {"Content-Type": "application/octet-stream"}

    return app


@pytest.mark.parametrize(
    ("saved", "hint"),
    [
        (lambda content: b"the default picture",
         "save the uploaded file as it came (file.save(path)) and serve it back with send_from_directory"),
        (lambda content: content + b"\n",
         "save the uploaded file as it came (file.save(path)) and serve it back with send_from_directory"),
        (lambda content: content[16:],
         "the saved photo lacks its first 16 bytes: reading the upload (Image.open(file)) moves the file forward, "
         "so call file.seek(0) before file.save(path)"),
        (lambda content: b"",
         "the saved photo lacks its first {size} bytes: reading the upload (Image.open(file)) moves the file "
         "forward, so call file.seek(0) before file.save(path)"),
    ],
)
def test_a_photo_served_otherwise_than_uploaded_gets_the_hint_of_what_was_lost(saved, hint):
    failed = failure_of(step11.test_photo_is_shown, level2_club(photo_club(saved), "11"))
    size = int(failed.problem.split(" to answer the ")[1].split(" bytes ")[0])
    assert failed.hint == hint.format(size=size)


def test_a_photo_served_as_uploaded_passes():
    assert run(step11.test_photo_is_shown, level2_club(photo_club(lambda content: content), "11")) is None
