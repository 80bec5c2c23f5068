"""What a check uses to talk to a student's app and to word what it finds.

A `Club` sends requests through Flask's test client, logs each one in the
form a student can replay, and turns every problem (a wrong status, a value
missing from the page, an exception, a hang) into a `CheckFailed` whose
message says what was sent, what came back, what was expected, and where to
read.
"""

from __future__ import annotations

import io
import os
import shlex
import stat
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from http.client import HTTPResponse
from pathlib import Path
from typing import NoReturn
from urllib.parse import quote, unquote, urlsplit

import flask
import jinja2
from bs4 import BeautifulSoup
from jinja2 import meta

from checks.data import Profile
from checks.results import Failure
from checks.rubric import Step
from checks.sandbox.protocol import AppFailure, AppNotLoaded
from checks.sandbox.text import clean, decode
from checks.sandbox.wsgi import RemoteApp

OMIT = object()  # post_profile(password=OMIT) sends no password field
# The grader parses the app's pages itself: bounded, whatever the app sends. A page is parsed up to
# PARSE_LIMIT characters, and a lookup by id reads the first FIELD_LIMIT elements holding it (the text
# of each nested one is read again: 30,000 nested elements with one id would be quadratic).
PARSE_LIMIT = 256 << 10
FIELD_LIMIT = 20
# files_holding() reads at most FILES_READ files of the app's folder, FILE_READ bytes of each: bounded,
# whatever the app left there.
FILES_READ, FILE_READ = 200, 1 << 20


class CheckFailed(Exception):
    """A check did not pass: `failure` holds its parts, `message` the whole text for the student."""

    def __init__(self, failure: Failure):
        super().__init__(failure.text())
        self.failure = failure
        self.message = failure.text()


# What the grader has: an app that imports anything else fails here (docs/student/README.md).
GRADER_HAS = (
    "the grader has only Flask and its dependencies, Pillow, level 3's extensions (Flask-Login, Flask-WTF, "
    "Flask-SQLAlchemy, email-validator) and Python's standard library: an import of any other package fails "
    "there, even where it works on your computer"
)


def normalize(text: str) -> str:
    """Text as a reader sees it: Unicode NFC, runs of white space as one space."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def show(value: str, limit: int = 80) -> str:
    """A value quoted for a message, cut when long."""
    value = value if len(value) <= limit else value[:limit] + "…"
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


# The file a replay keeps a browser's cookies in, in the folder the student pastes it in (as the
# student pages' own curl tries do): level 2's checks log in and go on in the same browser.
COOKIE_JAR = "cookies.txt"


def profile_path(username: str) -> str:
    """/user/<username>, with the username URL-encoded as a browser would send it."""
    return "/user/" + quote(username, safe="")


def curl(
    method: str, path: str, form: dict[str, object] | None, password: str, cookies: str = "", jar: str = ""
) -> str:
    """The request as a curl command to paste against the student's own server (`make run`).

    The club password goes as "$CLUB_PASSWORD", so the command works with whatever password
    the student's server was started with; every other value is sent as the check sent it
    (a file as `-F name=@its-name`: put a file of that name beside you first).

    `jar` is how a browser that keeps cookies replays: "new" for its first request (`-c JAR`:
    it starts with no cookies, and keeps what the answer sets), "keep" for each one after
    (`-b JAR -c JAR`: it sends them, and keeps what changes). JAR is COOKIE_JAR.
    """
    parts = ["curl", "-i"]
    if cookies:
        parts += ["-H", shlex.quote(f"Cookie: {cookies}")]
    if jar == "keep":
        parts += ["-b", COOKIE_JAR]
    if jar:
        parts += ["-c", COOKIE_JAR]
    files = form is not None and any(isinstance(value, tuple) for value in form.values())
    if form is None:
        if method != "GET":
            parts += ["-X", method]
    else:
        for name, value in form.items():
            if isinstance(value, tuple):  # a file: (stream, file name, content type)
                local = getattr(value, "replay_file", "") or value[1]
                sent_as = f";filename={value[1]}" if local != value[1] else ""
                parts += ["-F", shlex.quote(f"{name}=@{local}{sent_as};type={value[2]}")]
            elif name == "password" and value == password:
                parts += ["-F" if files else "--data-urlencode", '"password=$CLUB_PASSWORD"']
            else:
                parts += ["-F" if files else "--data-urlencode", shlex.quote(f"{name}={value}")]
        if not form:
            parts += ["-X", method, "--data", "''"]
    parts.append(shlex.quote(f"http://localhost:5000{path}"))
    return " ".join(parts)


def read_regular(name: str, dir_fd: int | None = None, limit: int = 4 << 20) -> bytes | None:
    """A regular file's first `limit` bytes, opened without following a link or waiting on a fifo; None otherwise."""
    try:
        descriptor = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=dir_fd)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return None
        return os.read(descriptor, limit)
    except OSError:
        return None
    finally:
        os.close(descriptor)


class Upload(tuple):
    """A file a check uploads, as the test client takes one: (stream, file name, content type).

    `replay_file` is the file its replay uploads in its place, under the same name and type: one
    the handout ships (docs/student/photos/), never a file of the student's project; `prepare`
    is a command that makes that file first, where the handout does not ship it.
    """

    replay_file: str
    prepare: str

    def __new__(cls, content: bytes, filename: str, mimetype: str, replay_file: str = "", prepare: str = ""):
        upload = super().__new__(cls, (io.BytesIO(content), filename, mimetype))
        upload.replay_file, upload.prepare = replay_file, prepare
        return upload


@dataclass
class Notes:
    """What a check says: the requests it sent and what came back, and how it failed.

    Every text a check reports goes through here, so this is where text from the app
    (answers, errors, what it printed) is made safe for every output.
    """

    step: Step
    lines: list[str] = field(default_factory=list)
    replay: list[str] = field(default_factory=list)
    earned: float = 0.0  # the points a failed check still earns (step 16's mutants killed), at most its own
    worth: float | None = None  # the check's points in this grade, where they are not the rubric's (0: not run here)

    def add(self, line: str) -> None:
        self.lines.append(clean(line))

    def fail(
        self,
        problem: str,
        hint: str | None = None,
        *,
        expected: str | None = None,
        actual: str | None = None,
        cause: str | None = None,
        not_run: bool = False,
    ) -> NoReturn:
        """Stop the check: the log, the problem, a hint, where to read, the commands that replay it.

        `not_run`: the check cannot run in this copy of the kit; it is reported as not run, not failed.
        """
        raise CheckFailed(
            Failure(
                problem=clean(problem),
                log=list(self.lines),
                expected=None if expected is None else clean(expected),
                actual=None if actual is None else clean(actual),
                hint=clean(hint) if hint else None,
                doc=f"{self.step.doc}#how-it-is-checked",
                label=self.step.label,
                cause=cause,
                replay=list(self.replay),
                not_run=not_run,
            )
        )


@dataclass
class Reply:
    """One answer of the student's app."""

    method: str
    path: str
    status_code: int
    headers: dict[str, str]
    body: bytes
    exception: str | None = None
    truncated: bool = False

    @property
    def mimetype(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def is_html(self) -> bool:
        return self.mimetype == "text/html"

    @property
    def accepted(self) -> bool:
        """2xx, or a 3xx redirect."""
        return 200 <= self.status_code < 400

    @cached_property
    def text(self) -> str:
        return decode(self.body)

    @cached_property
    def soup(self) -> BeautifulSoup:
        """The page parsed (its first PARSE_LIMIT characters: a profile page is a few KiB)."""
        return BeautifulSoup(self.text[:PARSE_LIMIT], "html.parser")

    @cached_property
    def page_text(self) -> str:
        return normalize(self.soup.get_text())

    def summary(self) -> str:
        """'303 to /user/Mira%20K', '200 text/html', or '500: your app raised …'."""
        if self.exception:
            return f"{self.status_code}: your app raised {self.exception}"
        if 300 <= self.status_code < 400 and "location" in self.headers:
            return f"{self.status_code} to {self.headers['location']}"
        kind = self.mimetype or "no content type"
        cut = f" (cut at {len(self.body) >> 20} MiB)" if self.truncated else ""
        return f"{self.status_code} {kind}{cut}"

    def field_texts(self, field_id: str) -> list[str]:
        """The text of each element #field_id on the page (none where there is no such element)."""
        return [normalize(element.get_text()) for element in self.soup.find_all(id=field_id, limit=FIELD_LIMIT)]

    def shows(self, field_id: str, value: str) -> tuple[bool, str]:
        """Whether the page shows value inside #field_id (where it exists), else anywhere.

        Returns (shown, what a message should say was seen instead).
        """
        wanted = normalize(value)
        texts = self.field_texts(field_id)
        if texts:
            if any(wanted in text for text in texts):
                return True, ""
            return False, f"#{field_id} is empty" if not texts[0] else f"#{field_id} says {show(texts[0])}"
        if wanted in self.page_text:
            return True, ""
        return False, f"the page has no #{field_id} and its text does not contain {show(value)}"


def template_variables(source: str | None) -> list[str]:
    """The names a template's source reads from render_template (sorted; [] if it can't be parsed)."""
    if not source:
        return []
    try:
        names = meta.find_undeclared_variables(jinja2.Environment().parse(source))
    except jinja2.TemplateError:
        return []
    flask_globals = {"request", "session", "g", "config", "url_for", "get_flashed_messages", "self", "range"}
    return sorted(names - flask_globals)


def variables_hint(source: str | None) -> str:
    """The template's variable names, and that render_template must pass the same ones."""
    names = template_variables(source)
    if not names:
        return (
            "the element is there but empty: the template's {{ … }} names a variable that render_template "
            "does not pass; use the same names on both sides"
        )
    listed = ", ".join(names)
    passed = ", ".join(f"{name}=…" for name in names)
    return (
        f"templates/user.html reads the variable{'s' if len(names) > 1 else ''} {listed}: "
        f'render_template("user.html", {passed}) must pass the same name{"s" if len(names) > 1 else ""} '
        "(a name it does not pass shows as nothing)"
    )


# Hints chosen by what came back, for a POST /user/ the checks expected the app to take.
ROUTE_HINTS = {
    404: "there is no route for POST /user/: add @app.post(\"/user/\") (with `user` singular and the trailing "
    "slash) above the function that stores the profile",
    405: "the /user/ route does not take POST: give it methods=[\"POST\"], or use @app.post(\"/user/\")",
}
PASSWORD_HINT = (
    "the checks send CLUB_PASSWORD's value (random each run) as the `password` field: "
    "read it with os.environ['CLUB_PASSWORD'], don't type it into app.py"
)


def home_hint(reply: Reply) -> str:
    """GET / answered with a redirect: the home page must be a page of its own."""
    return (
        f"GET / sends visitors on to {reply.headers.get('location', 'another page')}: the home page must answer "
        "with a page of its own (200), for everyone, logged in or not; link to other pages from it"
    )


def load_error(sandbox) -> str | None:
    """Why app.py did not load in `sandbox`, a run of the app (None once it has loaded): for a check that
    words it itself, where the `club` fixture would fail it first."""
    try:
        sandbox.ready()
    except AppNotLoaded as error:
        return str(error)
    return None


def browser(remote: RemoteApp):
    """A new test client (a browser with an empty cookie jar) whose requests go to the app behind `remote`."""
    proxy = flask.Flask("flask_club_proxy")
    proxy.wsgi_app = remote
    return proxy.test_client()


class Club:
    """One check's conversation with the student's app."""

    def __init__(self, client, remote: RemoteApp, notes: Notes, password: str, request_timeout=None, template=None):
        self.client = client
        self.remote = remote
        self.notes = notes
        self.password = password
        # seconds the next request may take (the request limit, cut to what the check has left)
        self.request_timeout = request_timeout or (lambda: remote.sandbox.limits.request_timeout)
        # A new visitor: sends no cookies and keeps none. Profiles are read back through it, so a
        # profile kept only in the browser's cookies is not stored (see the contract).
        self.stranger = client.application.test_client(use_cookies=False)
        self.template = template  # templates/user.html's source, for hints about its variables
        self.replies: list[tuple[Reply, dict | None]] = []
        self.posted: dict[str, Reply] = {}  # the answer to each username's last POST /user/
        # Level 2's checks go on "in that browser": its requests keep cookies, and so does their replay
        # (a cookie jar). Level 1's replays carry none: what they read back, a new visitor reads.
        self.keeps_cookies = getattr(notes.step, "level", 1) >= 2
        self.jar_started = False  # whether this browser's replay has started its jar

    def fail(self, problem: str, hint: str | None = None, *, cause: str | None = None, **parts) -> NoReturn:
        """Fail the check; what came back may pick a better hint, and name a cause shared with other checks."""
        observed, seen = self.observed()
        self.notes.fail(problem, observed or hint, cause=seen or cause, **parts)

    def observed(self) -> tuple[str | None, str | None]:
        """A hint and a shared cause read from this check's answers: (None, None) when they say nothing."""
        for reply, _ in self.replies:
            if reply.method == "POST" and reply.path == "/user/" and reply.status_code in ROUTE_HINTS:
                return ROUTE_HINTS[reply.status_code], "post-route"
        for reply, form in self.replies:
            sent_password = form is not None and form.get("password") == self.password
            if reply.method == "POST" and reply.path == "/user/" and sent_password and reply.status_code in (401, 403):
                return PASSWORD_HINT, "post-refused"
        for reply, _ in self.replies:
            if reply.method == "GET" and reply.path == "/" and 300 <= reply.status_code < 400:
                return home_hint(reply), "home"
        last = self.replies[-1][0] if self.replies else None
        if last is not None and last.exception:
            if "TemplateNotFound" in last.exception and "user.html" in last.exception:
                return "render_template(\"user.html\") looks in templates/ next to app.py: create it there", "template"
            if "UndefinedError" in last.exception:
                return variables_hint(self.template), None
        return None, None

    def not_loaded(self, error: AppNotLoaded) -> NoReturn:
        """Every check that needs the app says so, and names step 1, when app.py did not load."""
        text = clean(error)
        if "ModuleNotFoundError" in text:
            hint = f"{GRADER_HAS}: use only those (docs/student/README.md#what-the-grader-has)"
        elif "SyntaxError" in text or "IndentationError" in text:
            hint = "fix the line the error names (or the line just before it: a missing `:` or bracket)"
        elif "defines neither" in text:
            hint = "create the app at the top level of app.py: app = Flask(__name__) (or a create_app() factory)"
        elif "while being imported" in text or "did not finish importing" in text:
            hint = 'put app.run() under `if __name__ == "__main__":`, at the end of app.py'
        else:
            hint = (
                "every check that needs your app fails until app.py imports and defines it; "
                "start it yourself (`make run`) to see the whole error"
            )
        self.notes.fail(f"your app could not be loaded (step 1): {text}", hint, cause="app")

    def on(self, sandbox) -> Club:
        """The same check talking to another run of the app (a fresh copy, other variables), in a new browser."""
        remote = RemoteApp(sandbox)
        return Club(browser(remote), remote, self.notes, self.password, self.request_timeout, self.template)

    def ensure_loaded(self) -> None:
        """Wait for app.py to load; fail the check if it did not."""
        try:
            self.remote.sandbox.ready()
        except AppNotLoaded as error:
            self.not_loaded(error)

    def load_error(self) -> str | None:
        """Why app.py did not load in this run of the app (None once it has loaded)."""
        return load_error(self.remote.sandbox)

    @property
    def app_folder(self) -> Path:
        """The folder this run of the app runs in: its copy of the submission."""
        return self.remote.sandbox.root

    def serve_http(self) -> int:
        """Start the app as a real HTTP server inside its sandbox and return its port; fail the check if it can't."""
        try:
            return self.remote.sandbox.serve_http()
        except AppFailure as error:
            self.notes.fail(f"your app could not be started as a server: {error}")

    def http_get(self, port: int, path: str, timeout: float, hint: str) -> HTTPResponse:
        """GET `path` from that server over real HTTP, the whole answer within `timeout` s; fail the check if not."""
        try:
            return self.remote.sandbox.http_get(port, path, timeout)
        except AppFailure as error:
            self.notes.fail(f"started your app with app.run(port={port}), then GET http://127.0.0.1:{port}{path}: "
                            f"{error}", hint)

    def stop_http(self) -> None:
        """Stop that server."""
        self.remote.sandbox.stop_http()

    def restart(self) -> None:
        """Stop the app's process and start a new one from the same folder, with its files as the app left them."""
        self.remote.sandbox.kill()
        self.notes.add("stopped your app's process, and started a new one from the same folder")
        self.notes.replay.append("# now stop your server (Ctrl-C where `make run` runs), start it again, then:")
        self.ensure_loaded()

    def files_holding(self, value: str) -> list[str]:
        """The files of the app's folder whose bytes hold `value` (UTF-8), at most three, read within bounds.

        Only regular files are read (a link, fifo or device never is), at most FILES_READ of them and
        FILE_READ bytes of each: what an app saves of a profile is small. The walk is the grader's own
        (checks.run.folders): no recursion, never through a link.
        """
        from checks.run.folders import entries

        wanted, found, read = value.encode(), [], 0
        for entry in entries(self.remote.sandbox.root):
            if entry.status is None or not stat.S_ISREG(entry.status.st_mode):
                continue
            read += 1
            content = read_regular(entry.name, entry.dir_fd, FILE_READ)
            if content is not None and wanted in content:
                found.append(entry.relative)
            if len(found) == 3 or read >= FILES_READ:
                break
        return found

    # -- requests ---------------------------------------------------------
    def shown_value(self, value: object) -> str:
        """A form value as a message shows it; the run's password by name (it is not repeatable)."""
        if value == self.password:
            return "CLUB_PASSWORD's value"
        if isinstance(value, tuple):  # a file: (stream, file name, content type)
            return f"a file {show(value[1], 40)} ({value[2]})"
        return show(str(value), 40)

    def request(
        self, method: str, path: str, form: dict[str, object] | None = None, *, visitor=None, cookies: str = ""
    ) -> Reply:
        """Send one request; `visitor` is another client (such as `stranger`), `cookies` a Cookie header."""
        sent = f"{method} {path}"
        if visitor is self.stranger:
            sent += f" as a new visitor with only the cookie {show(cookies, 60)}" if cookies else " as a new visitor"
        if form is not None:
            shown = ", ".join(f"{name}={self.shown_value(value)}" for name, value in form.items())
            sent += f" with {shown}" if shown else " with no fields"
        jar = ""
        if self.keeps_cookies and visitor is None:
            jar = "keep" if self.jar_started else "new"
            self.jar_started = True
        replay = curl(method, path, form, self.password, cookies, jar)
        for value in (form or {}).values():
            prepare = getattr(value, "prepare", "")
            if prepare and prepare not in self.notes.replay:
                self.notes.replay.append(prepare)
        timeout = self.request_timeout()
        if timeout <= 0:
            self.fail(
                f"not sent: {sent}: this check used up its time limit",
                "earlier requests of this check were slow to answer: look at those first",
            )
        self.remote.timeout = timeout
        self.notes.replay.append(replay)
        try:
            headers = {"Cookie": cookies} if cookies else None
            response = (visitor or self.client).open(path, method=method, data=form, headers=headers)
        except AppNotLoaded as error:
            self.notes.lines.clear()
            self.notes.replay.clear()
            self.not_loaded(error)
        except AppFailure as error:
            self.notes.add(f"{sent} → no answer")
            self.fail(clean(error), "run the app yourself and send the same request to see what it does")
        except Exception as error:  # noqa: BLE001 - the test client could not read the app's answer
            if self.remote.last is None:
                raise
            status = clean(self.remote.last.status)
            self.notes.add(f"{sent} → {status}, an answer that could not be read")
            self.fail(
                f"your app's answer to {method} {path} is malformed: reading it raised "
                f"{type(error).__name__}: {clean(error)[:200]}",
                "look at the headers your code sets (a Set-Cookie's max_age must be a number of seconds)",
            )
        last = self.remote.last
        reply = Reply(
            method=method,
            path=path,
            status_code=response.status_code,
            headers={key.lower(): clean(value) for key, value in response.headers.items()},
            body=response.get_data(),
            exception=clean(last.exception) if last and last.exception else None,
            truncated=last.truncated if last else False,
        )
        self.replies.append((reply, form))
        self.notes.add(f"{sent} → {reply.summary()}")
        return reply

    def get(self, path: str) -> Reply:
        return self.request("GET", path)

    def post(self, path: str, form: dict[str, str]) -> Reply:
        return self.request("POST", path, form)

    def post_profile(self, profile: Profile, password: object = None) -> Reply:
        """POST /user/ with the profile's fields and the club password (or the one given, or none)."""
        form = profile.fields()
        if password is not OMIT:
            form["password"] = self.password if password is None else str(password)
        reply = self.post("/user/", form)
        self.posted[profile.username] = reply
        return reply

    def profile_page(self, username: str) -> Reply:
        """GET /user/<username> as a new visitor: a profile belongs to the server, not to a browser."""
        return self.request("GET", profile_path(username), visitor=self.stranger)

    # -- expectations -----------------------------------------------------
    @staticmethod
    def refusal_hint(reply: Reply) -> str | None:
        """What most likely made the app refuse a POST the checks expected it to take."""
        if reply.exception:
            return "read the error: the line it names is where your POST handler broke"
        return {
            400: "a 400 often means request.form[...] asked for a field under another name",
            401: PASSWORD_HINT,
            403: PASSWORD_HINT,
            **ROUTE_HINTS,
        }.get(reply.status_code)

    def expect_accepted(self, reply: Reply, what: str) -> None:
        """The POST must be accepted: 2xx, or a 3xx redirect."""
        if not reply.accepted:
            self.fail(
                f"expected {what} to be accepted (2xx, or a 3xx redirect), got {reply.summary()}",
                self.refusal_hint(reply),
                expected="2xx, or a 3xx redirect",
                actual=reply.summary(),
            )

    def expect_page(self, reply: Reply, status: int, what: str, hint: str | None = None) -> None:
        """The answer must have this status and be an HTML page."""
        if reply.status_code != status:
            if reply.exception:
                hint = "read the error: the line it names is where your code broke"
            self.fail(
                f"expected {what} to answer {status}, got {reply.summary()}", hint, expected=str(status),
                actual=reply.summary(),
            )
        if not reply.is_html:
            self.fail(
                f"expected {what} to be an HTML page (text/html), got {reply.mimetype or 'no content type'}",
                "return a string or render_template(...): Flask sends both as text/html",
            )

    def expect_profile(self, reply: Reply, profile: Profile, hint: str | None = None) -> None:
        """The page must be 200 HTML and show the profile's three values."""
        self.expect_page(reply, 200, f"GET {reply.path}", self.redirect_hint(profile) or hint)
        for field_id in ("username", "food", "message"):
            value = getattr(profile, field_id)
            shown, seen = reply.shows(field_id, value)
            if not shown:
                texts = reply.field_texts(field_id)
                self.fail(
                    f"expected the page to show {field_id} {show(value)}, but {seen}",
                    self.profile_hint(reply, profile, field_id) or hint,
                    expected=value,
                    actual=texts[0] if texts else None,
                )

    def profile_hint(self, reply: Reply, profile: Profile, field_id: str) -> str | None:
        """The hint that what the page shows points at: variable names, ids, or the redirect."""
        texts = reply.field_texts(field_id)
        if texts and not any(texts):
            return variables_hint(self.template)
        others = {other: normalize(getattr(profile, other)) for other in ("username", "food", "message")}
        for other, value in others.items():
            if other != field_id and texts and value and value in texts[0]:
                return (
                    f"#{field_id} shows the {other}: each id goes on the element that shows its own field "
                    f'(<p id="{field_id}">{{{{ … {field_id} … }}}}</p>)'
                )
        return self.redirect_hint(profile)

    def redirect_hint(self, profile: Profile) -> str | None:
        """When the POST redirected to another page than the profile's: the redirect."""
        posted = self.posted.get(profile.username)
        location = posted.headers.get("location") if posted is not None and 300 <= posted.status_code < 400 else None
        if not location:
            return None
        target = unquote(urlsplit(location).path)
        if target.startswith("/user/") and target != unquote(profile_path(profile.username)):
            return (
                f"your POST redirects to {location}, not to the profile just posted "
                f"({profile_path(profile.username)}): redirect to url_for(…, username=username) of that user, "
                "and look profiles up by username"
            )
        return None
