"""The application factory."""

import os
import tempfile

from flask import Flask

from config import config


def create_app(config_name: str = "default") -> Flask:
    app = Flask(__name__, template_folder="../templates")
    app.config.from_object(config[config_name])
    app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY") or app.config["SECRET_KEY"]
    app.config["CONFIRM_SECONDS"] = int(os.environ.get("CLUB_CONFIRM_SECONDS") or 3600)
    os.makedirs(app.instance_path, exist_ok=True)
    if app.config["DATABASE"] is None:
        handle, path = tempfile.mkstemp(suffix=".sqlite")
        os.close(handle)
        app.config["DATABASE"] = path
    else:
        app.config["DATABASE"] = os.path.join(app.instance_path, app.config["DATABASE"])

    from . import db
    from .auth import auth
    from .main import main

    db.init_app(app)
    app.register_blueprint(main)
    app.register_blueprint(auth)
    return app
