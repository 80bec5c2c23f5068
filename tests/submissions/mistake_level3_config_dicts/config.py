"""The app's configurations, by name: create_app(name) picks one."""

import os


BASE = {
    "SECRET_KEY": os.environ.get("SECRET_KEY") or os.urandom(32).hex(),
    "DATABASE": "club.sqlite",  # in the instance folder
    "TESTING": False,
}

config = {
    "default": {**BASE, "DEBUG": True},
    "testing": {**BASE, "TESTING": True, "DATABASE": None},  # a new temporary file for each app
}
