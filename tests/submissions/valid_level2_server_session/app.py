"""Level 2 with sessions kept on the server (a JSON file of session ids), profiles and photos in SQLite."""

import hashlib
import hmac
import io
import json
import os
import secrets
import sqlite3

from flask import Flask, Response, abort, g, redirect, render_template, request, url_for
from PIL import Image

COOKIE = "club_sid"


def create_app():
    app = Flask(__name__, instance_relative_config=True)
    app.config["MAX_CONTENT_LENGTH"] = 1_500_000
    os.makedirs(app.instance_path, exist_ok=True)
    database = os.path.join(app.instance_path, "club.sqlite")
    sessions_file = os.path.join(app.instance_path, "sessions.json")

    with sqlite3.connect(database) as db:
        db.execute(
            "CREATE TABLE IF NOT EXISTS member (username TEXT PRIMARY KEY, food TEXT, message TEXT, photo BLOB)"
        )

    def connect():
        if "db" not in g:
            g.db = sqlite3.connect(database)
        return g.db

    @app.teardown_appcontext
    def close(_error):
        db = g.pop("db", None)
        if db is not None:
            db.close()

    def read_sessions():
        try:
            with open(sessions_file, encoding="utf-8") as file:
                return json.load(file)
        except FileNotFoundError:
            return {}

    def write_sessions(sessions):
        with open(sessions_file, "w", encoding="utf-8") as file:
            json.dump(sessions, file)

    def member():
        sid = request.cookies.get(COOKIE, "")
        return read_sessions().get(hashlib.sha256(sid.encode()).hexdigest()) if sid else None

    @app.context_processor
    def who():
        return {"member": member()}

    def password_ok(given):
        expected = os.environ.get("CLUB_PASSWORD")
        return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())

    @app.get("/")
    def home():
        return render_template("home.html")

    @app.post("/user/")
    def join():
        if not password_ok(request.form.get("password", "")):
            abort(401)
        username = request.form.get("username", "")
        if not username:
            abort(400)
        db = connect()
        db.execute(
            "INSERT INTO member (username, food, message) VALUES (?, ?, ?) "
            "ON CONFLICT (username) DO UPDATE SET food = excluded.food, message = excluded.message",
            (username, request.form.get("food", ""), request.form.get("message", "")),
        )
        db.commit()
        return redirect(url_for("profile", username=username))

    @app.get("/user/<username>")
    def profile(username):
        row = connect().execute(
            "SELECT food, message, photo IS NOT NULL, photo FROM member WHERE username = ?", (username,)
        ).fetchone()
        if row is None:
            return render_template("missing.html", username=username), 404
        version = hashlib.sha256(row[3]).hexdigest()[:12] if row[3] else ""
        return render_template(
            "user.html", username=username, food=row[0], message=row[1], photo=row[2], version=version
        )

    @app.get("/user/<username>/photo")
    def photo(username):
        row = connect().execute("SELECT photo FROM member WHERE username = ?", (username,)).fetchone()
        if row is None or row[0] is None:
            abort(404)
        kind = Image.open(io.BytesIO(row[0])).format.lower()
        return Response(row[0], mimetype=f"image/{kind}")

    @app.route("/login", methods=["GET", "POST"])
    def login():
        if request.method == "POST":
            username = request.form.get("username", "")
            if username and password_ok(request.form.get("password", "")):
                sid = secrets.token_urlsafe(32)
                sessions = read_sessions()
                sessions[hashlib.sha256(sid.encode()).hexdigest()] = username
                write_sessions(sessions)
                response = redirect(url_for("home"))
                response.set_cookie(COOKIE, sid, httponly=True, samesite="Lax")
                return response
            return render_template("login.html", failed=True), 403
        return render_template("login.html")

    @app.post("/logout")
    def logout():
        sid = request.cookies.get(COOKIE, "")
        sessions = read_sessions()
        sessions.pop(hashlib.sha256(sid.encode()).hexdigest(), None)
        write_sessions(sessions)
        response = redirect(url_for("home"))
        response.delete_cookie(COOKIE)
        return response

    @app.route("/account-details", methods=["GET", "POST"])
    def account():
        username = member()
        if username is None:
            abort(401)
        db = connect()
        if request.method == "GET":
            row = db.execute("SELECT food, message FROM member WHERE username = ?", (username,)).fetchone()
            return render_template("account.html", food=row[0] if row else "", message=row[1] if row else "")
        picture = None
        upload = request.files.get("avatar")
        if upload is not None and upload.filename:
            picture = upload.read()
            try:
                with Image.open(io.BytesIO(picture)) as image:
                    image.verify()
                    if image.format not in ("PNG", "JPEG", "GIF"):
                        abort(400)
            except Exception:  # noqa: BLE001 - anything Pillow can't read is not a photo
                abort(400)
        db.execute(
            "INSERT INTO member (username, food, message) VALUES (?, ?, ?) "
            "ON CONFLICT (username) DO UPDATE SET food = excluded.food, message = excluded.message",
            (username, request.form.get("food", ""), request.form.get("message", "")),
        )
        if picture is not None:
            db.execute("UPDATE member SET photo = ? WHERE username = ?", (picture, username))
        db.commit()
        return redirect(url_for("profile", username=username))

    return app


if __name__ == "__main__":
    create_app().run()
