"""A check's conversation with a student's app: `Club`.

A `Club` sends requests through Flask's test client, logs each one in the form a student can
replay (replay.py), and turns every problem (a wrong status, a value missing from the page, an
exception, a hang) into a failed check (notes.py) whose message says what was sent, what came
back (reply.py), what was expected, and a hint (symptoms.py: by what came back). Its methods are
all a step module needs of the app: requests, expectations, a restart, the app's folder, a real
HTTP server.

Longer than 300 lines: Club is one class, whose requests and expectations share one check's log
of answers, from which each failure picks its hint (the rest of what it used is in the modules
above).
"""

from __future__ import annotations

import os
import stat
from http.client import HTTPResponse
from pathlib import Path
from typing import NoReturn
from urllib.parse import unquote, urlsplit

import flask

from checks.data import Profile
from checks.notes import Notes
from checks.replay import curl, profile_path
from checks.reply import Reply, normalize, show
from checks.run.folders import entries
from checks.sandbox.protocol import AppFailure, AppNotLoaded
from checks.sandbox.text import clean
from checks.sandbox.wsgi import RemoteApp
from checks.symptoms import GRADER_HAS, PASSWORD_HINT, ROUTE_HINTS, home_hint, variables_hint

OMIT = object()  # post_profile(password=OMIT) sends no password field
# files_holding() reads at most FILES_READ files of the app's folder, FILE_READ bytes of each: bounded,
# whatever the app left there.
FILES_READ, FILE_READ = 200, 1 << 20


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
        self.keeps_cookies = notes.step.level >= 2
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
        elif text.startswith("create_app() raised") and "circular import" in text:
            hint = ("two of your modules import each other: import a blueprint's module inside create_app(), or move "
                    "what both need into a module of its own (docs/student/troubleshooting.md#a-circular-import)")
        elif text.startswith("create_app() raised"):
            hint = ("app.py loads, but create_app() raised: the line named is in your factory or a module it "
                    "imports; start it yourself (`make run`) to see the whole error")
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
        last = self.remote.last  # never None here: a Club's clients send through its remote, which keeps each answer
        reply = Reply(
            method=method,
            path=path,
            status_code=response.status_code,
            headers={key.lower(): clean(value) for key, value in response.headers.items()},
            body=response.get_data(),
            exception=clean(last.exception) if last.exception else None,
            truncated=last.truncated,
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
