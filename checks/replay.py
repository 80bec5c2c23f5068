"""A check's requests as commands a student can paste against their own server (`make run`).

`curl` writes one request as a curl command; `Upload` is a file a check sends, with the file
its replay uploads in its place.
"""

from __future__ import annotations

import io
import shlex
from urllib.parse import quote

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
