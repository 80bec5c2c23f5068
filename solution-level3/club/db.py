"""The club's store: profiles and members' accounts in SQLite.

The default configuration keeps them in a file in the instance folder, so they
survive a restart; the testing one in memory, a new database for every app,
so a test starts from an empty club and never touches the real one. The views
call the functions below; they never write SQL themselves.
"""

from __future__ import annotations

import os
import secrets
import sqlite3

from flask import Flask, current_app, g

SCHEMA = """
CREATE TABLE IF NOT EXISTS profile (
    username TEXT PRIMARY KEY,
    food TEXT NOT NULL,
    message TEXT NOT NULL,
    photo TEXT
);
CREATE TABLE IF NOT EXISTS member (
    username TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    confirmed INTEGER NOT NULL DEFAULT 0
);
"""


def init_app(app: Flask) -> None:
    """Make the app's database, with its tables, and close each request's connection when it ends."""
    if app.config["DATABASE"] == ":memory:":
        # A named database in memory, shared by the app's connections; it lives while one is open,
        # so the app keeps one open for as long as it exists.
        target = f"file:club-{secrets.token_hex(8)}?mode=memory&cache=shared"
        keeper = sqlite3.connect(target, uri=True, check_same_thread=False)
        keeper.executescript(SCHEMA)
        app.extensions["club.db"] = {"target": target, "keeper": keeper}
    else:
        os.makedirs(app.instance_path, exist_ok=True)
        path = os.path.join(app.instance_path, app.config["DATABASE"])
        with sqlite3.connect(path) as first:
            # Write-ahead logging: readers never wait for a writer (the setting stays in the file).
            first.execute("PRAGMA journal_mode = WAL")
            first.executescript(SCHEMA)
        first.close()
        app.extensions["club.db"] = {"target": path}
    app.teardown_appcontext(close_db)


def get_db() -> sqlite3.Connection:
    """The current request's connection to the app's database, opened on first use."""
    if "db" not in g:
        g.db = sqlite3.connect(current_app.extensions["club.db"]["target"], uri=True)
        # Rows behave like dicts: row["food"], and profile.food in templates.
        g.db.row_factory = sqlite3.Row
    return g.db


def close_db(exception: BaseException | None = None) -> None:
    """Close the request's connection, if it opened one."""
    db = g.pop("db", None)
    if db is not None:
        db.close()


# Profiles: level 1's and 2's.


def save_profile(username: str, food: str, message: str) -> None:
    """Store a member's profile, replacing any earlier one with that username."""
    db = get_db()
    db.execute(
        "INSERT INTO profile (username, food, message) VALUES (?, ?, ?)"
        " ON CONFLICT (username) DO UPDATE SET food = excluded.food, message = excluded.message",
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
    """Every profile's username, in alphabetical order."""
    rows = get_db().execute("SELECT username FROM profile ORDER BY username COLLATE NOCASE")
    return [row["username"] for row in rows]


# Accounts: level 3's registered members.


def add_member(username: str, password_hash: str) -> bool:
    """Register a member with their password's hash; False, changing nothing, if the username is taken."""
    db = get_db()
    try:
        db.execute("INSERT INTO member (username, password_hash) VALUES (?, ?)", (username, password_hash))
    except sqlite3.IntegrityError:
        return False
    db.commit()
    return True


def find_member(username: str) -> sqlite3.Row | None:
    """The account registered under `username`, or None if nobody registered it."""
    return get_db().execute("SELECT * FROM member WHERE username = ?", (username,)).fetchone()


def confirm_member(username: str) -> None:
    """Mark a member's account as confirmed: they followed the link the club sent them."""
    db = get_db()
    db.execute("UPDATE member SET confirmed = 1 WHERE username = ?", (username,))
    db.commit()
