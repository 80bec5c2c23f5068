import os
import sqlite3
from contextlib import closing

from flask import Flask, abort, redirect, render_template, request, url_for

DATABASE = "club.db"

app = Flask(__name__)


def get_db():
    db = sqlite3.connect(DATABASE)
    db.row_factory = sqlite3.Row
    db.execute(
        "CREATE TABLE IF NOT EXISTS profiles ( username TEXT PRIMARY KEY, food TEXT NOT NULL, message TEXT NOT NULL)"
    )
    return db


@app.get("/")
def index():
    return "<h1>Flask Club</h1>"


@app.post("/user/")
def add_profile():
    username = request.form.get("username", "")
    food = request.form.get("food", "")
    message = request.form.get("message", "")
    password = request.form.get("password", "")

    if not username:
        abort(400)
    if password != os.environ.get("CLUB_PASSWORD"):
        abort(403)

    with closing(get_db()) as db, db:
        db.execute(
            "INSERT INTO profiles (username, food, message) VALUES (?, ?, ?) "
            "ON CONFLICT(username) DO UPDATE SET food = excluded.food, message = excluded.message",
            (username, food, message),
        )
    return redirect(url_for("show_profile", username=username))


@app.get("/user/<username>")
def show_profile(username):
    with closing(get_db()) as db:
        row = db.execute("SELECT * FROM profiles WHERE username = ?", (username,)).fetchone()
    if row is None:
        abort(404)
    return render_template("user.html", profile=row)


@app.errorhandler(404)
def not_found(error):
    username = (request.view_args or {}).get("username")
    return render_template("404.html", username=username), 404


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=5000)
