"""The club's mail: no mail server, so each message is a file in instance/outbox/."""

import os
import secrets

from flask import current_app, render_template


def send_email(to, subject, template, **kwargs):
    outbox = os.path.join(current_app.instance_path, "outbox")
    os.makedirs(outbox, exist_ok=True)
    body = render_template(template + ".txt", **kwargs)
    with open(os.path.join(outbox, f"{secrets.token_hex(8)}.txt"), "w", encoding="utf-8") as file:
        file.write(f"To: {to}\nSubject: {subject}\n\n{body}")
