"""What goes between the grader and child.py, and what the grader makes of what comes back.

Frames are a 4-byte big-endian length, then that many bytes: a JSON message, and after a
request's message its body (never pickle, so nothing the app sends can run code in the
grader). child.py speaks the same framing on its side (it is a script of its own there).
Every answer of the untrusted side is checked here before the grader uses it: a status
line, headers and texts made valid, printable text (checks/sandbox/text.py), once.
"""

from __future__ import annotations

import base64
import binascii
import http.client
import io
import json
import re
import struct
from dataclasses import dataclass

from checks.sandbox.text import clean

HEADER = struct.Struct(">I")
MAX_ANSWER_FRAME = (4 << 20) + 1024  # the largest frame the grader reads from the app (a body, cut at max_body)
STATUS = re.compile(r"^[1-5]\d\d(?: [^\r\n]*)?$")


class AppFailure(Exception):
    """The student's app could not answer; the message says why, for the student."""


class AppNotLoaded(AppFailure):
    """app.py could not be imported, or defines no Flask app."""


@dataclass
class Answer:
    """What the student's app answered to one request."""

    status: str
    headers: list[tuple[str, str]]
    body: bytes
    exception: str | None = None
    truncated: bool = False


def frames(message: dict, body: bytes | None = None) -> bytes:
    """A message for child.py, framed; a request's body follows it in a frame of its own."""
    data = json.dumps(message).encode()
    framed = HEADER.pack(len(data)) + data
    if body is not None:
        framed += HEADER.pack(len(body)) + body
    return framed


def message_kind(kind: str, data: object) -> str | None:
    """The sandbox's own word for a failed load ('import', 'exit', ...), where it said one."""
    if kind != "frame":
        return None
    try:
        return json.loads(data).get("kind")
    except (ValueError, AttributeError):
        return None


def parse_answer(message: dict, body: bytes) -> Answer:
    """Check an answer from the untrusted side before anything in the grader uses it.

    This is where the app's text enters the grader: the status line, headers and the
    exception text are made valid, printable text here, once (checks/sandbox/text.py).
    """
    status = message.get("status")
    if not isinstance(status, str) or not STATUS.match(status):
        raise AppFailure(f"your app answered with an invalid HTTP status {clean(str(status)[:60])!r}")
    headers = []
    for pair in message.get("headers") or []:
        if (
            isinstance(pair, list)
            and len(pair) == 2
            and all(isinstance(part, str) and "\n" not in part and "\r" not in part for part in pair)
        ):
            headers.append((clean(pair[0]), clean(pair[1])))
    exception = message.get("exception")
    return Answer(
        status=clean(status),
        headers=headers,
        body=body,
        exception=clean(exception) if isinstance(exception, str) else None,
        truncated=bool(message.get("truncated")),
    )


class Received:
    """What http.client needs of a socket, over bytes already received."""

    def __init__(self, data: bytes):
        self.data = data

    def makefile(self, mode: str, *args, **kwargs) -> io.BytesIO:
        return io.BytesIO(self.data)


def parse_http(answer: dict, raw: bytes, what: str, port: int, timeout: float) -> http.client.HTTPResponse:
    """The answer child.py relayed from the app's real HTTP server, parsed; AppFailure saying what went wrong."""
    if answer.get("error") == "no server":
        raise AppFailure(f"nothing listened on port {port} within {timeout:g} s")
    if answer.get("error") == "too slow":
        raise AppFailure(f"{what} did not finish answering within {timeout:g} s")
    if answer.get("error"):
        raise AppFailure(f"{what} got no HTTP answer: {str(answer['error'])[:200]}")
    response = http.client.HTTPResponse(Received(raw))
    try:
        response.begin()
    except (http.client.HTTPException, ValueError, OSError) as error:
        raise AppFailure(f"{what} got no valid HTTP answer: {type(error).__name__}") from None
    return response


def parse_apps(answer: object, what: str) -> dict[str, dict]:
    """child.py's report of the factory's apps (step 12), each part checked, cut and made printable."""
    if not isinstance(answer, dict):
        raise AppFailure(f"your app's process gave no report of {what}")
    if "error" in answer:
        return {"error": {"error": clean(str(answer["error"]))[:300]}}
    report = {}
    for call, said in answer.items():
        if not isinstance(said, dict):
            continue
        rules = [pair for pair in said.get("rules") or [] if isinstance(pair, list) and len(pair) == 2]
        report[clean(str(call))[:40]] = {
            "error": clean(str(said["error"]))[:400] if "error" in said else None,
            "new": said.get("new") is True,
            "testing": said.get("testing") is True,
            "shown": clean(str(said.get("shown", "")))[:60],
            "blueprints": [clean(str(name))[:80] for name in said.get("blueprints") or []][:200],
            "rules": [(clean(str(rule))[:200], clean(str(endpoint))[:200]) for rule, endpoint in rules][:500],
        }
    return report


def parse_temp_files(answer: object) -> list[tuple[str, bytes]]:
    """child.py's list of the app's temporary files (step 13): (name, content) pairs, the malformed left out."""
    found = []
    for pair in (answer.get("files") or []) if isinstance(answer, dict) else []:
        if isinstance(pair, list) and len(pair) == 2 and all(isinstance(part, str) for part in pair):
            try:
                found.append((pair[0][:200], base64.b64decode(pair[1])))
            except (binascii.Error, ValueError):
                continue
    return found
