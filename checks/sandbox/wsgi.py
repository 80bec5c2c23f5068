"""RemoteApp: a WSGI app that answers by asking a Sandbox, so Flask's test client can drive the student's app."""

from __future__ import annotations

from checks.sandbox.protocol import Answer
from checks.sandbox.sandbox import Sandbox


class RemoteApp:
    """A WSGI app that answers by asking the sandbox: Flask's test client (and pytest-flask's) work unchanged."""

    def __init__(self, sandbox: Sandbox, timeout: float | None = None, target: str | None = None):
        self.sandbox = sandbox
        self.timeout = timeout
        self.target = target  # level 3: an app the sandbox's make_apps() made ("testing"), not the one loaded
        self.last: Answer | None = None

    def __call__(self, environ: dict, start_response):
        self.last = None
        stream = environ.get("wsgi.input")
        length = environ.get("CONTENT_LENGTH") or ""
        body = b""
        if stream is not None:
            body = stream.read(int(length)) if length.isdigit() else stream.read()
            stream.close()  # read whole: a large form's body sits in a temporary file, closed here
        plain = {key: value for key, value in environ.items() if isinstance(value, str)}
        what = f"{environ.get('REQUEST_METHOD', 'GET')} {environ.get('PATH_INFO', '/')}"
        answer = self.sandbox.request(plain, body, what, self.timeout, self.target)
        self.last = answer
        start_response(answer.status, answer.headers)
        return [answer.body]
