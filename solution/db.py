"""Storage: the club's profiles, one row per member, in a SQLite database."""

from __future__ import annotations

import sqlite3

from flask import Flask, current_app, g

SCHEMA = """
CREATE TABLE IF NOT EXISTS profile (
    username TEXT PRIMARY KEY,
    food TEXT NOT NULL,
    message TEXT NOT NULL
)
"""


def get_db() -> sqlite3.Connection:
    """The current request's connection to the database, opened on first use."""
    if "db" not in g:
        g.db = sqlite3.connect(current_app.config["DATABASE"])
        # Rows behave like dicts: row["food"], and profile.food in templates.
        g.db.row_factory = sqlite3.Row
    return g.db


def close_db(exception: BaseException | None = None) -> None:
    """Close the request's connection, if it opened one."""
    db = g.pop("db", None)
    if db is not None:
        db.close()


def init_app(app: Flask) -> None:
    """Close connections after each request, and create the table if it is missing."""
    app.teardown_appcontext(close_db)
    with app.app_context():
        db = get_db()
        # Write-ahead logging: readers never wait for a writer, nor a writer for readers,
        # which matters once many visitors come at once (the setting stays in the file).
        db.execute("PRAGMA journal_mode = WAL")
        db.execute(SCHEMA)


def save_profile(username: str, food: str, message: str) -> None:
    """Store a member's profile, replacing any earlier one with that username."""
    db = get_db()
    db.execute(
        "INSERT INTO profile (username, food, message) VALUES (?, ?, ?)"
        " ON CONFLICT (username) DO UPDATE"
        " SET food = excluded.food, message = excluded.message",
        (username, food, message),
    )
    db.commit()


def find_profile(username: str) -> sqlite3.Row | None:
    """The profile stored for `username`, or None if nobody of that name joined."""
    return get_db().execute("SELECT username, food, message FROM profile WHERE username = ?", (username,)).fetchone()


def list_usernames() -> list[str]:
    """Every member's username, in alphabetical order."""
    rows = get_db().execute("SELECT username FROM profile ORDER BY username COLLATE NOCASE")
    return [row["username"] for row in rows]
