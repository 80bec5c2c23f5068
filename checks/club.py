"""What a check uses to talk to a student's app and to word what it finds.

A `Club` sends requests through Flask's test client, logs each one in the
form a student can replay, and turns every problem (a wrong status, a value
missing from the page, an exception, a hang) into a `CheckFailed` whose
message says what was sent, what came back, what was expected, and where to
read.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from typing import NoReturn
from urllib.parse import quote

import flask
from bs4 import BeautifulSoup

from checks.data import Profile
from checks.rubric import Step
from checks.sandbox.parent import AppFailure, AppNotLoaded, RemoteApp

OMIT = object()  # post_profile(password=OMIT) sends no password field


class CheckFailed(Exception):
    """A check did not pass; the message is written for the student."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def normalize(text: str) -> str:
    """Text as a reader sees it: Unicode NFC, runs of white space as one space."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def show(value: str, limit: int = 80) -> str:
    """A value quoted for a message, cut when long."""
    value = value if len(value) <= limit else value[:limit] + "…"
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def profile_path(username: str) -> str:
    """/user/<username>, with the username URL-encoded as a browser would send it."""
    return "/user/" + quote(username, safe="")


@dataclass
class Notes:
    """The lines a check's message is made of: what was sent and what came back."""

    step: Step
    lines: list[str] = field(default_factory=list)

    def add(self, line: str) -> None:
        self.lines.append(line)

    def fail(self, problem: str, hint: str | None = None) -> NoReturn:
        """Stop the check with a message: the log, the problem, a hint, where to read."""
        parts = [*self.lines, problem]
        if hint:
            parts.append(f"hint: {hint}")
        parts.append(f"read: {self.step.doc}#how-it-is-checked ({self.step.label})")
        raise CheckFailed("\n".join(parts))


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
        return self.body.decode("utf-8", errors="replace")

    @cached_property
    def soup(self) -> BeautifulSoup:
        return BeautifulSoup(self.text, "html.parser")

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

    def shows(self, field_id: str, value: str) -> tuple[bool, str]:
        """Whether the page shows value inside #field_id (where it exists), else anywhere.

        Returns (shown, what a message should say was seen instead).
        """
        wanted = normalize(value)
        elements = self.soup.find_all(id=field_id)
        if elements:
            texts = [normalize(element.get_text()) for element in elements]
            if any(wanted in text for text in texts):
                return True, ""
            return False, f"#{field_id} says {show(texts[0])}"
        if wanted in self.page_text:
            return True, ""
        return False, f"the page has no #{field_id} and its text does not contain {show(value)}"


def browser(remote: RemoteApp):
    """A new test client (a browser with an empty cookie jar) whose requests go to the app behind `remote`."""
    proxy = flask.Flask("flask_club_proxy")
    proxy.wsgi_app = remote
    return proxy.test_client()


class Club:
    """One check's conversation with the student's app."""

    def __init__(self, client, remote: RemoteApp, notes: Notes, password: str, time_left=None):
        self.client = client
        self.remote = remote
        self.notes = notes
        self.password = password
        self.time_left = time_left or (lambda: remote.sandbox.limits.request_timeout)
        # A new visitor: sends no cookies and keeps none. Profiles are read back through it, so a
        # profile kept only in the browser's cookies is not stored (see the contract).
        self.stranger = client.application.test_client(use_cookies=False)

    def fail(self, problem: str, hint: str | None = None) -> NoReturn:
        self.notes.fail(problem, hint)

    def not_loaded(self, error: AppNotLoaded) -> NoReturn:
        """Every check that needs the app says so, and names step 1, when app.py did not load."""
        self.fail(
            f"your app could not be loaded (step 1): {error}",
            "every check that needs your app fails until app.py imports and defines it: fix step 1 first "
            "(docs/student/step-1.md), then run `python app.py` yourself to see the error",
        )

    def on(self, sandbox) -> Club:
        """The same check talking to another run of the app (a fresh copy, other variables), in a new browser."""
        remote = RemoteApp(sandbox)
        return Club(browser(remote), remote, self.notes, self.password, self.time_left)

    def ensure_loaded(self) -> None:
        """Wait for app.py to load; fail the check if it did not."""
        try:
            self.remote.sandbox.ready()
        except AppNotLoaded as error:
            self.not_loaded(error)

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
        timeout = self.time_left()
        if timeout <= 0:
            self.fail(
                f"not sent: {sent}: this check used up its time limit",
                "earlier requests of this check were slow to answer: look at those first",
            )
        self.remote.timeout = timeout
        try:
            headers = {"Cookie": cookies} if cookies else None
            response = (visitor or self.client).open(path, method=method, data=form, headers=headers)
        except AppNotLoaded as error:
            self.notes.lines.clear()
            self.not_loaded(error)
        except AppFailure as error:
            self.notes.add(f"{sent} → no answer")
            self.fail(str(error), "run the app yourself and send the same request to see what it does")
        last = self.remote.last
        reply = Reply(
            method=method,
            path=path,
            status_code=response.status_code,
            headers={key.lower(): value for key, value in response.headers.items()},
            body=response.get_data(),
            exception=last.exception if last else None,
            truncated=last.truncated if last else False,
        )
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
        return self.post("/user/", form)

    def profile_page(self, username: str) -> Reply:
        """GET /user/<username> as a new visitor: a profile belongs to the server, not to a browser."""
        return self.request("GET", profile_path(username), visitor=self.stranger)

    # -- expectations -----------------------------------------------------
    @staticmethod
    def refusal_hint(reply: Reply) -> str | None:
        """What most likely made the app refuse a POST the checks expected it to take."""
        if reply.exception:
            return "read the error: the line it names is where your POST handler broke"
        password = (
            "the checks send CLUB_PASSWORD's value (random each run) as the `password` field: "
            "read it with os.environ['CLUB_PASSWORD'], don't type it into app.py"
        )
        return {
            400: "a 400 often means request.form[...] asked for a field under another name",
            401: password,
            403: password,
            404: "is there a route for /user/ with the trailing slash?",
            405: "does the /user/ route allow POST (methods=['POST'] or @app.post)?",
        }.get(reply.status_code)

    def expect_accepted(self, reply: Reply, what: str) -> None:
        """The POST must be accepted: 2xx, or a 3xx redirect."""
        if not reply.accepted:
            self.fail(
                f"expected {what} to be accepted (2xx, or a 3xx redirect), got {reply.summary()}",
                self.refusal_hint(reply),
            )

    def expect_page(self, reply: Reply, status: int, what: str, hint: str | None = None) -> None:
        """The answer must have this status and be an HTML page."""
        if reply.status_code != status:
            if reply.exception:
                hint = "read the error: the line it names is where your code broke"
            self.fail(f"expected {what} to answer {status}, got {reply.summary()}", hint)
        if not reply.is_html:
            self.fail(
                f"expected {what} to be an HTML page (text/html), got {reply.mimetype or 'no content type'}",
                "return a string or render_template(...): Flask sends both as text/html",
            )

    def expect_profile(self, reply: Reply, profile: Profile, hint: str | None = None) -> None:
        """The page must be 200 HTML and show the profile's three values."""
        self.expect_page(reply, 200, f"GET {reply.path}", hint)
        for field_id in ("username", "food", "message"):
            value = getattr(profile, field_id)
            shown, seen = reply.shows(field_id, value)
            if not shown:
                self.fail(f"expected the page to show {field_id} {show(value)}, but {seen}", hint)
