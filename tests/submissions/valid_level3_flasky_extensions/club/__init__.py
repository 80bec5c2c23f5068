"""The club as a package: create_app makes a new app for the config named."""

import os

from flask import Flask
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy

from config import config

db = SQLAlchemy()
login_manager = LoginManager()
login_manager.login_view = "auth.login"


def create_app(config_name="default"):
    app = Flask(__name__, template_folder="../templates")
    app.config.from_object(config[config_name])
    # read at each start, not when config.py was first imported: a test may set them before it makes its app
    app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY") or app.config["SECRET_KEY"]
    app.config["CONFIRM_SECONDS"] = int(os.environ.get("CLUB_CONFIRM_SECONDS") or 3600)
    os.makedirs(app.instance_path, exist_ok=True)
    db.init_app(app)
    login_manager.init_app(app)

    from .auth import auth as auth_blueprint
    from .main import main as main_blueprint

    app.register_blueprint(main_blueprint)
    app.register_blueprint(auth_blueprint)

    with app.app_context():
        db.create_all()
    return app
