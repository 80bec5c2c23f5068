"""The app's configurations, by name: create_app(name) picks one."""

import os


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY") or os.urandom(32).hex()
    CONFIRM_SECONDS = int(os.environ.get("CLUB_CONFIRM_SECONDS") or 3600)
    DATABASE = "club.sqlite"  # in the instance folder
    TESTING = False


class DevelopmentConfig(Config):
    DEBUG = True


class TestingConfig(Config):
    TESTING = True
    DATABASE = None  # a new temporary file for each app


config = {"development": DevelopmentConfig, "testing": TestingConfig, "default": DevelopmentConfig}
