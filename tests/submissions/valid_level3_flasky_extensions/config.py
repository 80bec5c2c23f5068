"""The club's settings: one class per configuration, as Flasky's config.py."""

import os
import secrets


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY") or secrets.token_hex(32)
    SESSION_COOKIE_SAMESITE = "Lax"
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    MAX_CONTENT_LENGTH = 1024 * 1024 + 64 * 1024
    WTF_CSRF_ENABLED = False  # the club's forms are posted without a CSRF token


class DevelopmentConfig(Config):
    DEBUG = True
    SQLALCHEMY_DATABASE_URI = "sqlite:///data-dev.sqlite"  # in the instance folder


class TestingConfig(Config):
    TESTING = True
    SQLALCHEMY_DATABASE_URI = "sqlite://"  # in memory, new for each app


config = {"development": DevelopmentConfig, "testing": TestingConfig, "default": DevelopmentConfig}
