"""The club package: create_app() makes the app, from a configuration and four blueprints.

Each blueprint is a module named for what it holds:

- main.py     the pages of level 1: GET /, POST /user/, GET /user/<username>, the error pages
- auth.py     who is who: /login, /logout, /register and the confirmation link /confirm/<token>
- account.py  a member's own details (/account-details) and the photos (/photos/<name>)
- admin.py    the administrator's profile editor, /edit-profile/<username>
"""

import os

from config import config
from flask import Flask

from . import db

# The instance folder: beside app.py, not inside the package (Flask's default for a package).
INSTANCE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "instance")


def create_app(config_name: str = "default") -> Flask:
    """A new app, configured by config[config_name] ("default" or "testing"), its storage ready."""
    if config_name not in config:
        raise ValueError(f"no configuration named {config_name!r}: create_app() knows {', '.join(config)}")
    app = Flask(__name__, template_folder="../templates", instance_path=INSTANCE)
    app.config.from_object(config[config_name])
    app.config["PHOTOS"] = os.path.join(app.instance_path, "photos")
    app.config["OUTBOX"] = os.path.join(app.instance_path, "outbox")
    db.init_app(app)

    from .account import account
    from .admin import admin
    from .auth import auth
    from .main import main

    for blueprint in (main, auth, account, admin):
        app.register_blueprint(blueprint)
    return app
