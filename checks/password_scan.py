"""Step 13's scan for passwords: every trivial form of a password, and the places an app could leave one (the
files it wrote, its temporary folder, what it printed, its cookies and Flask's session decoded)."""

from __future__ import annotations

import base64
import codecs
import hashlib
import os
import stat
import zlib
from pathlib import Path

from checks.club import Club, browser
from checks.outbox import read_regular
from checks.sandbox.protocol import AppFailure
from checks.sandbox.sandbox import Sandbox
from checks.sandbox.wsgi import RemoteApp


def stopped_app_places(club: Club, given: Path) -> list[tuple[str, bytes]]:
    """Stop the app, and return what it left where a password could hide (step 13's scan), each with its name.

    Its temporary folder (read while it still runs), then every file of the copy not byte-identical
    to the one handed in (`given`), and everything it printed.
    """
    sandbox = club.remote.sandbox
    try:
        temporary = [(f"the temporary file {name}", content) for name, content in sandbox.temp_files()]
    except AppFailure as error:
        club.fail(f"the app's temporary folder could not be read: {error}",
                  "run the app yourself: something in it stopped answering")
    sandbox.kill()
    files = [(f"the file {name}", content) for name, content in changed_files(sandbox.root, given)]
    return files + temporary + [("what your app printed", sandbox.output.text().encode())]


def encodings(password: str) -> dict[str, bytes]:
    """Every form of a password the contract calls trivial, each as the bytes to look for."""
    raw = password.encode()
    found = {
        "in plain": raw,
        "reversed": raw[::-1],
        "in UTF-16 LE": password.encode("utf-16-le"),
        "in UTF-16 BE": password.encode("utf-16-be"),
        "in base64": base64.b64encode(raw).rstrip(b"="),
        "in URL-safe base64": base64.urlsafe_b64encode(raw).rstrip(b"="),
        "in ROT13": codecs.encode(password, "rot13").encode(),
        "in hexadecimal": raw.hex().encode(),
        "in upper-case hexadecimal": raw.hex().upper().encode(),
    }
    for name in ("md5", "sha1", "sha256", "sha512"):
        digest = hashlib.new(name, raw).hexdigest()
        shown = {"md5": "MD5", "sha1": "SHA-1", "sha256": "SHA-256", "sha512": "SHA-512"}[name]
        found[f"as its unsalted {shown} digest"] = digest.encode()
        found[f"as its unsalted {shown} digest in upper case"] = digest.upper().encode()
    return found


def find_password(passwords: list[str], places: list[tuple[str, bytes]]) -> tuple[str, str, str] | None:
    """The first (place, password, how) where a password shows in a trivial form, or None."""
    forms = [(password, how, needle) for password in passwords for how, needle in encodings(password).items()]
    for place, data in places:
        for password, how, needle in forms:
            if needle in data:
                return place, password, how
    return None


def readable(path: Path, wanted: int) -> None:
    """Give the grader back the access to a file or folder of the copy that the app took away (chmod 000).

    The grader owns the copy (the app runs as the same user): a stopped app cannot hide what it
    wrote behind a mode. Links are left alone.
    """
    try:
        info = os.lstat(path)
        if info.st_uid == os.geteuid() and not stat.S_ISLNK(info.st_mode) and info.st_mode & wanted != wanted:
            os.chmod(path, stat.S_IMODE(info.st_mode) | wanted)
    except OSError:
        pass


def changed_files(root: Path, given: Path, each: int = 16 << 20) -> list[tuple[str, bytes]]:
    """Every regular file of the copy that is not byte-identical to the one handed in (links not followed).

    Read once the app is stopped: folders and files it made unreadable are made readable first.
    """
    found = []
    readable(root, stat.S_IRWXU)
    for top, folders, names in os.walk(root):
        folders[:] = [name for name in folders if not (Path(top) / name).is_symlink()]
        for name in folders:
            readable(Path(top) / name, stat.S_IRWXU)
        for name in names:
            path = Path(top) / name
            readable(path, stat.S_IRUSR)
            data = read_regular(path, each)
            if data is None:
                continue
            relative = path.relative_to(root)
            original = read_regular(given / relative, each + 1)
            if original != data:
                found.append((relative.as_posix(), data))
    return found


def session_payload(value: str) -> bytes | None:
    """What a Flask session cookie holds, decoded (its payload, decompressed where it starts with '.')."""
    value = value.strip('"')
    compressed = value.startswith(".")
    part = value[1:].split(".")[0] if compressed else value.split(".")[0]
    try:
        data = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        return zlib.decompress(data) if compressed else data
    except (ValueError, zlib.error):
        return None


class Recorded(RemoteApp):
    """A RemoteApp that keeps every Set-Cookie header its app sends (step 13's scan of cookies)."""

    def __init__(self, sandbox: Sandbox, cookies: list[str]):
        super().__init__(sandbox)
        self.cookies = cookies

    def __call__(self, environ: dict, start_response):
        result = super().__call__(environ, start_response)
        if self.last is not None:
            self.cookies += [value for name, value in self.last.headers if name.lower() == "set-cookie"]
        return result


def recorded(club: Club, cookies: list[str]) -> Club:
    """A new browser on the check's app whose answers' cookies are kept in `cookies`."""
    remote = Recorded(club.remote.sandbox, cookies)
    return Club(browser(remote), remote, club.notes, club.password, club.request_timeout, club.template)


def cookie_places(cookies: list[str]) -> list[tuple[str, bytes]]:
    """Each Set-Cookie header, and each cookie's value decoded as Flask's session, as places to scan."""
    places = []
    for header in cookies:
        name, _, rest = header.partition("=")
        value = rest.split(";", 1)[0]
        places.append((f"the cookie {name.strip()}", header.encode()))
        decoded = session_payload(value)
        if decoded:
            places.append((f"the cookie {name.strip()}, decoded as Flask's session", decoded))
    return places
