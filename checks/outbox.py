"""Step 14's outbox: the mail files an app writes into instance/outbox/, and the confirmation link in them."""

from __future__ import annotations

import os
import re
import stat
import time
from pathlib import Path

from checks.club import Club
from checks.reply import show

OUTBOX = Path("instance") / "outbox"
OUTBOX_WAIT = 2.0  # seconds the checks wait for the outbox's new file, after POST /register answered
READ_LIMIT = 64 << 10  # what the checks read of one outbox file
URL = re.compile(r"https?://[^\s\"'<>]+")


def read_regular(path: Path, limit: int) -> bytes | None:
    """A regular file's first `limit` bytes, never through a link the app made; None if it is not one."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as file:
        try:
            if not stat.S_ISREG(os.fstat(descriptor).st_mode):
                return None
            return file.read(limit)
        except OSError:
            return None


def outbox(club: Club) -> dict[str, str]:
    """The files of the app's instance/outbox/, in its copy (name: text, UTF-8, 64 KiB at most each)."""
    root = club.remote.sandbox.root
    folder = root / OUTBOX
    if os.path.realpath(folder) != os.path.join(os.path.realpath(root), OUTBOX) or not folder.is_dir():
        return {}  # instance/ or outbox/ is a link the app made: never read where it leads
    found = {}
    for entry in sorted(os.listdir(folder))[:1000]:
        data = read_regular(folder / entry, READ_LIMIT)
        if data is not None:
            found[entry] = data.decode("utf-8", "replace")
    return found


SEARCHED = 2000  # entries of the copy looked at, at most, for an outbox elsewhere


def outbox_elsewhere(club: Club, username: str) -> str | None:
    """Another folder named outbox in the app's copy (club/outbox/, not instance/'s), holding a file that names
    `username`: where the app writes its mail instead. Links are never followed; SEARCHED entries at most."""
    root = club.remote.sandbox.root
    seen = 0
    for folder, folders, files in os.walk(root, followlinks=False):
        seen += len(folders) + len(files)
        if seen > SEARCHED:
            return None
        here = Path(folder)
        if here.name.lower() != "outbox" or here == root / OUTBOX:
            continue
        for name in sorted(files)[:100]:
            data = read_regular(here / name, READ_LIMIT)
            if data is not None and username in data.decode("utf-8", "replace"):
                return f"{here.relative_to(root).as_posix()}/"
    return None


def link_for(club: Club, username: str, before: dict[str, str]) -> str:
    """The path and query of the link in the outbox's new mail to `username`; fail the check if none comes.

    Waits up to OUTBOX_WAIT seconds for it (mail sent from a thread is fine).
    """
    deadline = time.monotonic() + OUTBOX_WAIT
    while True:
        new = {name: text for name, text in outbox(club).items() if name not in before}
        mails = [text for text in new.values() if username in text]
        if mails or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    if not new:
        other = outbox_elsewhere(club, username)
        club.fail(
            f"after POST /register of {show(username)}, no new file appeared in instance/outbox/ within "
            f"{OUTBOX_WAIT:g} s" + (f", but one holding the username appeared in {other}" if other else ""),
            "write the email you would send into os.path.join(current_app.instance_path, \"outbox\") "
            "(os.makedirs(..., exist_ok=True) first), one file per registration",
        )
    if not mails:
        club.fail(
            f"a new file appeared in instance/outbox/ after POST /register, but none holds the username "
            f"{show(username)}",
            "write the member's username into their email, beside the link",
        )
    found = URL.search(mails[0])
    if found is None:
        club.fail(
            f"the outbox's mail to {show(username)} holds no http:// or https:// link",
            "write the link with url_for(\"auth.confirm\", token=token, _external=True)",
        )
    club.notes.add(f"instance/outbox/ got a mail to {show(username)} with the link {show(found[0], 160)}")
    link = found[0].split("://", 1)[1]
    slash = link.find("/")
    return link[slash:] if slash >= 0 else "/"


def token_of(path: str) -> str:
    """The link's token: the last segment of its path."""
    return path.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]


def with_token(path: str, token: str) -> str:
    """The link with another token in place of its own."""
    address, mark_, query = path.partition("?")
    stripped = address.rstrip("/")
    head = stripped.rsplit("/", 1)[0]
    return f"{head}/{token}{address[len(stripped):]}{mark_}{query}"
