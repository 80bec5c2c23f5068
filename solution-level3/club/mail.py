"""The club's mail, without a mail server: each message is a text file in the outbox.

The outbox is the folder instance/outbox/ (app.config["OUTBOX"]). A real club
would hand the same text to a mail server; here the member, or a test, reads
the file.
"""

from __future__ import annotations

import os
import secrets
import time

from flask import current_app, url_for

from .tokens import confirm_seconds


def send_confirmation(username: str, token: str) -> str:
    """Write the message asking `username` to follow their confirmation link; the file's path."""
    link = url_for("auth.confirm", token=token, _external=True)
    minutes = max(1, confirm_seconds() // 60)
    text = (
        f"To: {username}\n"
        "Subject: Confirm your Flask Club account\n"
        "\n"
        f"Hello {username},\n"
        "\n"
        f"Welcome to the club! Log in, then follow this link within {minutes} minutes to confirm your account:\n"
        "\n"
        f"{link}\n"
    )
    return write(text)


def write(text: str) -> str:
    """Put one message in the outbox, whole: written beside it, then moved in; its path."""
    outbox = current_app.config["OUTBOX"]
    os.makedirs(outbox, exist_ok=True)
    name = f"{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(4)}.txt"
    draft = os.path.join(os.path.dirname(outbox), f".{name}.part")
    with open(draft, "w", encoding="utf-8") as file:
        file.write(text)
    path = os.path.join(outbox, name)
    os.replace(draft, path)
    return path
