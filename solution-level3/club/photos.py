"""Profile photos (step 11): judged by what the file holds, never by its name, and stored under a name of ours."""

from __future__ import annotations

import io
import os
import secrets

from flask import current_app
from PIL import Image

# The kinds of image a photo may be, and the extension each is stored with.
KINDS = {"PNG": ".png", "JPEG": ".jpg", "GIF": ".gif"}


def read(upload) -> tuple[bytes, str] | None:
    """The photo's bytes and the extension its content calls for; None if it is no PNG, JPEG or GIF."""
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            image.verify()  # checks what the format lets it check: a PNG's checksums, for one
    except Exception:  # Pillow raises many kinds of error for a file that is no image it can read
        return None
    if kind not in KINDS:
        return None
    return data, KINDS[kind]


def save(data: bytes, extension: str) -> str:
    """Store a photo under a new name the app picks (never the uploaded file's name); that name."""
    name = secrets.token_hex(16) + extension
    folder = current_app.config["PHOTOS"]
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as file:
        file.write(data)
    return name
