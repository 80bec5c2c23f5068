"""The club's configurations: settings shared by all in Config, and one class per way of running it.

create_app(name) loads one with app.config.from_object(config[name]). The
settings that differ between runs come from the environment, as Flasky's do:
SECRET_KEY here; CLUB_PASSWORD, CLUB_ADMIN and CLUB_CONFIRM_SECONDS are read
where they are used, each time, so a test may set them before any request.
"""

import os
import secrets


class Config:
    """What every configuration shares."""

    # Signs the session cookie and the confirmation links: set it, so that a restart
    # keeps members logged in and their links working (a random key otherwise).
    SECRET_KEY = os.environ.get("SECRET_KEY") or secrets.token_hex(32)
    # Browsers send the cookie along only from the club's own pages.
    SESSION_COOKIE_SAMESITE = "Lax"
    # A photo of 1 MiB and the form's other fields: bigger bodies are refused (413) unread.
    MAX_CONTENT_LENGTH = 1024 * 1024 + 64 * 1024
    # The SQLite database: a file name in the instance folder.
    DATABASE = "club.sqlite"
    # How passwords are hashed: Werkzeug's default, scrypt, salted and slow on purpose (0.2 s a hash).
    PASSWORD_HASH_METHOD = "scrypt"


class DefaultConfig(Config):
    """The club as it runs for real (python app.py, flask --app app run): its data in instance/club.sqlite."""


class TestingConfig(Config):
    """The club under test: an empty club of its own at every create_app("testing"), in memory."""

    TESTING = True
    # Not a file: a database in memory, new for each app, gone with it.
    DATABASE = ":memory:"
    # Still salted scrypt, with less work per hash: tests register many members.
    PASSWORD_HASH_METHOD = "scrypt:1024:8:1"


config = {
    "default": DefaultConfig,
    "testing": TestingConfig,
}
