"""Flask Club: profiles are kept in profiles.json so they survive a restart."""

import json
import os

from flask import Flask, render_template, request, url_for

app = Flask(__name__)

DATA_FILE = "profiles.json"


def load_profiles():
    try:
        with open(DATA_FILE, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        return {}


def save_profiles(profiles):
    with open(DATA_FILE, "w", encoding="utf-8") as f:
        json.dump(profiles, f, ensure_ascii=False, indent=2)


@app.route("/")
def index():
    return render_template("index.html")


@app.route("/user/", methods=["POST"])
def create_profile():
    username = request.form.get("username", "")
    password = request.form.get("password", "")
    if password != os.environ.get("CLUB_PASSWORD"):
        return render_template("message.html", text="Wrong club password."), 401
    if username == "":
        return render_template("message.html", text="You need a username."), 400

    profiles = load_profiles()
    profiles[username] = {
        "food": request.form.get("food", ""),
        "message": request.form.get("message", ""),
    }
    save_profiles(profiles)
    link = url_for("profile", username=username)
    return render_template("message.html", text="Profile saved!", link=link), 201


@app.route("/user/<username>")
def profile(username):
    profiles = load_profiles()
    if username not in profiles:
        return render_template("unknown.html", username=username), 404
    data = profiles[username]
    return render_template("user.html", username=username, food=data["food"], message=data["message"])


if __name__ == "__main__":
    app.run(debug=True, port=5000)
