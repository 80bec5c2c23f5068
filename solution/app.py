"""Flask Club: members share their favourite food and a message.

Run it from this folder with ``flask --app app run`` or ``python app.py``
(README.md says more). The code is split flaskr-style:

- app.py    builds the app (this file)
- db.py     stores the profiles in SQLite
- club.py   the pages: home, joining, profiles
- forms.py  what POST /user/ accepts, and the club password check
- serve.py  serves the app with waitress, for real use (python serve.py)
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, render_template
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

import club
import db

# The club password when the CLUB_PASSWORD environment variable is not set.
DEFAULT_PASSWORD = "flask-club"


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the club's app; `test_config` overrides settings (tests set DATABASE)."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        # The instance folder holds data, not code, so profiles survive restarts.
        DATABASE=os.path.join(app.instance_path, "club.sqlite"),
        # A profile is a few hundred bytes; refuse bodies over 16 KiB with 413.
        MAX_CONTENT_LENGTH=16 * 1024,
        # Extra 7: the password comes from the environment, never from the code.
        CLUB_PASSWORD=os.environ.get("CLUB_PASSWORD"),
    )
    if test_config is not None:
        app.config.update(test_config)
    if not app.config["CLUB_PASSWORD"]:
        app.config["CLUB_PASSWORD"] = DEFAULT_PASSWORD
        app.logger.warning("CLUB_PASSWORD is not set, so the club password is %r.", DEFAULT_PASSWORD)

    os.makedirs(app.instance_path, exist_ok=True)
    db.init_app(app)
    app.register_blueprint(club.bp)
    app.register_error_handler(HTTPException, show_error)
    return app


def show_error(error: HTTPException) -> ResponseReturnValue:
    """Render an HTTP error (a 404 for an unknown URL, 405, 413, ...) as HTML."""
    return render_template("error.html", error=error), error.code


if __name__ == "__main__":
    create_app().run()
