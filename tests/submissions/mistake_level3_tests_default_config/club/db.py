"""The club's SQLite database: profiles and accounts."""

import sqlite3

from flask import current_app, g

SCHEMA = """
CREATE TABLE IF NOT EXISTS profile (username TEXT PRIMARY KEY, food TEXT, message TEXT);
CREATE TABLE IF NOT EXISTS account (
    username TEXT PRIMARY KEY, password_hash TEXT NOT NULL, role TEXT NOT NULL, confirmed INTEGER NOT NULL
);
"""


def get_db() -> sqlite3.Connection:
    """The request's connection, opened on first use."""
    if "db" not in g:
        g.db = sqlite3.connect(current_app.config["DATABASE"])
        g.db.row_factory = sqlite3.Row
    return g.db


def close_db(error=None) -> None:
    db = g.pop("db", None)
    if db is not None:
        db.close()


def init_app(app) -> None:
    """Make the tables now, and close each request's connection."""
    with sqlite3.connect(app.config["DATABASE"]) as db:
        db.executescript(SCHEMA)
    db.close()
    app.teardown_appcontext(close_db)


def account(username: str):
    return get_db().execute("SELECT * FROM account WHERE username = ?", (username,)).fetchone()


def profile(username: str):
    return get_db().execute("SELECT * FROM profile WHERE username = ?", (username,)).fetchone()


def save_profile(username: str, food: str, message: str) -> None:
    db = get_db()
    db.execute("INSERT OR REPLACE INTO profile VALUES (?, ?, ?)", (username, food, message))
    db.commit()
