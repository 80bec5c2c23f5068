"""Level 2, but the profiles file is only ever written: after a restart the app starts with none."""

import hmac
import json
import os
import secrets
import threading

from flask import (
    Flask,
    abort,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)
from PIL import Image, UnidentifiedImageError

app = Flask(__name__, instance_relative_config=True)
app.secret_key = os.environ.get("SECRET_KEY") or secrets.token_hex(32)
app.config["MAX_CONTENT_LENGTH"] = (1024 + 64) * 1024
os.makedirs(app.instance_path, exist_ok=True)
PROFILES = os.path.join(app.instance_path, "profiles.json")
AVATARS = os.path.join(app.instance_path, "avatars")
lock = threading.Lock()
FORMATS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif"}


profiles_in_memory = {}


def load():
    # The file is written on every change, but the profiles are only ever read from memory.
    return profiles_in_memory


def save(profiles):
    profiles_in_memory.update(profiles)
    temporary = PROFILES + ".tmp"
    with open(temporary, "w", encoding="utf-8") as file:
        json.dump(profiles, file)
    os.replace(temporary, PROFILES)


def right_password(given):
    expected = os.environ.get("CLUB_PASSWORD", "")
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


@app.get("/")
def index():
    return render_template("index.html", count=len(load()))


@app.post("/user/")
def join():
    if not right_password(request.form.get("password", "")):
        abort(403)
    username = request.form.get("username", "")
    if not username:
        abort(400)
    with lock:
        profiles = load()
        old = profiles.get(username, {})
        profiles[username] = {**old, "food": request.form.get("food", ""), "message": request.form.get("message", "")}
        save(profiles)
    return redirect(url_for("show", username=username), 303)


@app.get("/user/<username>")
def show(username):
    profile = load().get(username)
    if profile is None:
        return render_template("unknown.html", username=username), 404
    return render_template("user.html", username=username, **profile)


@app.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return render_template("login.html")
    username = request.form.get("username", "")
    if not username or not right_password(request.form.get("password", "")):
        return render_template("login.html", wrong=True), 401
    session.clear()
    session["username"] = username
    return redirect(url_for("index"), 303)


@app.route("/logout", methods=["GET", "POST"])
def logout():
    session.clear()
    return redirect(url_for("index"), 303)


@app.route("/account-details", methods=["GET", "POST"])
def account_details():
    username = session.get("username")
    if not username:
        return redirect(url_for("login"))
    if request.method == "GET":
        return render_template("account.html", **load().get(username, {}))
    photo = request.files.get("avatar")
    name = None
    if photo and photo.filename:
        try:
            kind = Image.open(photo.stream).format
        except (UnidentifiedImageError, OSError):
            abort(400)
        if kind not in FORMATS:
            abort(400)
        os.makedirs(AVATARS, exist_ok=True)
        name = f"{secrets.token_hex(8)}.{FORMATS[kind]}"
        photo.stream.seek(0)
        photo.save(os.path.join(AVATARS, name))
    with lock:
        profiles = load()
        profile = profiles.setdefault(username, {})
        profile["food"] = request.form.get("food", profile.get("food", ""))
        profile["message"] = request.form.get("message", profile.get("message", ""))
        if name:
            profile["avatar"] = name
        save(profiles)
    return redirect(url_for("show", username=username), 303)


@app.get("/avatars/<name>")
def avatar(name):
    return send_from_directory(AVATARS, name)


if __name__ == "__main__":
    app.run(debug=True)
