"""Step 11's photos: random images to upload, the upload itself, and what the member's page shows of it.

Every image is made for the run from its seed (size and pixels), so no two runs send the same bytes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import stat
import zlib
from pathlib import Path
from urllib.parse import quote, unquote_to_bytes, urljoin, urlsplit

from PIL import Image

from checks.club import Club, read_regular
from checks.data import ANIMALS, Data, Profile
from checks.replay import Upload
from checks.reply import Reply
from checks.run.folders import entries

FORMATS = {"PNG": ("png", "image/png"), "JPEG": ("jpg", "image/jpeg"), "GIF": ("gif", "image/gif")}


def image(data: Data, kind: str = "PNG", size: int | None = None) -> bytes:
    """A small image of random pixels and a random size (so its bytes are this check's own), made with Pillow."""
    size = size or data.rng.randrange(8, 33)
    picture = Image.frombytes("RGB", (size, size), data.rng.randbytes(size * size * 3))
    out = io.BytesIO()
    picture.save(out, kind)
    return out.getvalue()


def png_of_size(data: Data, total: int) -> bytes:
    """A valid PNG of exactly `total` bytes: random pixels, padded by a private chunk that viewers skip."""
    picture = image(data, "PNG")
    end = picture.rindex(b"IEND") - 4  # the IEND chunk: its length (4 bytes), type, and CRC
    length = total - len(picture) - 12
    kind = b"ckPd"  # ancillary, private, safe to copy (PNG 1.2, 3.3)
    padding = bytes(data.rng.randrange(256) for _ in range(64)) * (length // 64) + bytes(length % 64)
    chunk = length.to_bytes(4, "big") + kind + padding + zlib.crc32(kind + padding).to_bytes(4, "big")
    return picture[:end] + chunk + picture[end:]


def file_name(data: Data, extension: str) -> str:
    """A file name of this run's own ("otter-48213.png"): an app cannot single out the checks' uploads by name."""
    return f"{data.rng.choice(ANIMALS).lower()}-{data.rng.randrange(1000, 100000)}.{extension}"


# The files a replay uploads in place of the checks' random ones: the handout ships them (docs/student/README.md).
PHOTOS = "docs/student/photos"
MAGIC = {b"\x89PNG": "photo.png", b"\xff\xd8\xff": "photo.jpg", b"GIF8": "photo.gif"}


def replay_file(content: bytes) -> tuple[str, str]:
    """The shipped file a replay uploads for `content` (of its kind and size), and a command that makes it, if any."""
    if len(content) >= 2 * 1024 * 1024:
        return "two-mib.png", "head -c 2097152 /dev/zero > two-mib.png"
    if len(content) == 1024 * 1024 and content.startswith(b"\x89PNG"):
        return f"{PHOTOS}/one-mib.png", ""
    for magic, name in MAGIC.items():
        if content.startswith(magic):
            return f"{PHOTOS}/{name}", ""
    return f"{PHOTOS}/not-an-image.png", ""


def upload(club: Club, profile: Profile, content: bytes, filename: str, mimetype: str) -> Reply:
    """POST /account-details as multipart/form-data: the member's food and message, and the file as `avatar`."""
    avatar = Upload(content, filename, mimetype, *replay_file(content))
    return club.post("/account-details", {"food": profile.food, "message": profile.message, "avatar": avatar})


def avatar_src(reply: Reply) -> str | None:
    """The src of the page's <img id="avatar">, or None."""
    img = reply.soup.find("img", id="avatar")
    if img is None:
        return None
    return str(img.get("src") or "")


def fetch(club: Club, page: Reply, src: str) -> bytes | None:
    """What `src`, as the page gives it, answers to a new visitor (a data: URI decoded); None if off the site."""
    if src.startswith("data:"):
        head, _, body = src.partition(",")
        if head.endswith(";base64"):
            try:
                return base64.b64decode(body)
            except (binascii.Error, ValueError):
                return b""
        return unquote_to_bytes(body)
    url = urlsplit(urljoin("http://localhost" + page.path, src))
    if url.scheme not in ("http", "https") or url.hostname != "localhost":
        return None
    path = quote(url.path, safe="/%:@!$&'()*+,;=-._~") + (f"?{url.query}" if url.query else "")
    club.notes.replay.append(
        '# the photo: the src of <img id="avatar"> in the page above (your server names it otherwise: use that)'
    )
    return club.request("GET", path, visitor=club.stranger).body


def code_files(root: Path) -> dict[str, str]:
    """Every .py and .html file of the copy (and beside it), with a hash of its content.

    Read without recursion and never through a link: a link the app made (to /proc/kmsg, a fifo)
    is never opened, and a tree it nested thousands deep is walked all the same.
    """
    found = {}
    for entry in entries(root):
        if entry.status is not None and stat.S_ISREG(entry.status.st_mode) and entry.name.endswith(CODE):
            content = read_regular(entry.name, entry.dir_fd)
            if content is not None:
                found[entry.relative] = hashlib.sha256(content).hexdigest()
    for path in sorted(root.parent.iterdir()):
        if path != root and path.name.endswith(CODE):
            content = read_regular(str(path))
            if content is not None:
                found[f"../{path.name}"] = hashlib.sha256(content).hexdigest()
    return found


CODE = (".py", ".html")
