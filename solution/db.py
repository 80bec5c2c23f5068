"""The club's store: every profile in SQLite, in a file in the instance folder.

Level 1 needs no more than a dictionary; this is what makes the club real
software, and what step 10 asks: the file survives a restart of the server,
and SQLite lets many visitors read and write at once. The app calls the
functions below; it never writes SQL itself.
"""

from __future__ import annotations

import os
import sqlite3
import threading

from flask import Flask, current_app, g

SCHEMA = """
CREATE TABLE IF NOT EXISTS profile (
    username TEXT PRIMARY KEY,
    food TEXT NOT NULL,
    message TEXT NOT NULL,
    photo TEXT
)
"""

# The database files whose table this process has made sure of, and the lock for doing so.
ready: set[str] = set()
making = threading.Lock()


def get_db() -> sqlite3.Connection:
    """The current request's connection to the database, opened on first use."""
    if "db" not in g:
        path = current_app.config["DATABASE"]
        g.db = sqlite3.connect(path) if path in ready else create(path)
        # Rows behave like dicts: row["food"], and profile.food in templates.
        g.db.row_factory = sqlite3.Row
    return g.db


def create(path: str) -> sqlite3.Connection:
    """Open the database at `path` for the first time: make its folder and its table where they are missing."""
    with making:
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        db = sqlite3.connect(path)
        # Write-ahead logging: readers never wait for a writer, nor a writer for readers,
        # which matters once many visitors come at once (the setting stays in the file).
        db.execute("PRAGMA journal_mode = WAL")
        db.execute(SCHEMA)
        # A database made before photos existed gets their column.
        if "photo" not in {column[1] for column in db.execute("PRAGMA table_info(profile)")}:
            db.execute("ALTER TABLE profile ADD COLUMN photo TEXT")
        ready.add(path)
    return db


def close_db(exception: BaseException | None = None) -> None:
    """Close the request's connection, if it opened one."""
    db = g.pop("db", None)
    if db is not None:
        db.close()


def init_app(app: Flask) -> None:
    """Close each request's connection when the request ends."""
    app.teardown_appcontext(close_db)


def save_profile(username: str, food: str, message: str) -> None:
    """Store a member's profile, replacing any earlier one with that username."""
    db = get_db()
    db.execute(
        "INSERT INTO profile (username, food, message) VALUES (?, ?, ?)"
        " ON CONFLICT (username) DO UPDATE"
        " SET food = excluded.food, message = excluded.message",
        (username, food, message),
    )
    # Committed before the answer goes out: an answered POST survives even a crash right after.
    db.commit()


def save_details(username: str, food: str | None = None, message: str | None = None, photo: str | None = None) -> None:
    """Change a member's food, message or photo (None leaves it as it is); a member with no profile gets one."""
    db = get_db()
    db.execute(
        "INSERT INTO profile (username, food, message, photo)"
        " VALUES (:username, coalesce(:food, ''), coalesce(:message, ''), :photo)"
        " ON CONFLICT (username) DO UPDATE SET food = coalesce(:food, food),"
        " message = coalesce(:message, message), photo = coalesce(:photo, photo)",
        {"username": username, "food": food, "message": message, "photo": photo},
    )
    db.commit()


def find_profile(username: str) -> sqlite3.Row | None:
    """The profile stored for `username`, or None if nobody of that name joined."""
    return get_db().execute("SELECT * FROM profile WHERE username = ?", (username,)).fetchone()


def list_usernames() -> list[str]:
    """Every member's username, in alphabetical order."""
    rows = get_db().execute("SELECT username FROM profile ORDER BY username COLLATE NOCASE")
    return [row["username"] for row in rows]
