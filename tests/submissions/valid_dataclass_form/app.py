import hmac
import os
from dataclasses import dataclass

from flask import Flask, redirect, render_template, request, url_for

app = Flask(__name__, template_folder="templates")


@dataclass
class Profile:
    username: str
    food: str
    message: str


PROFILES: dict[str, Profile] = {}


def password_ok(given):
    expected = os.environ.get("CLUB_PASSWORD", "")
    if not given or not expected:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


@app.route("/")
def home():
    return render_template("home.html")


@app.route("/user/", methods=["GET", "POST"])
def user_form():
    if request.method == "GET":
        return render_template("form.html")

    username = request.form.get("username", "")
    if not username:
        return render_template("form.html", error="Username is required"), 400
    if not password_ok(request.form.get("password")):
        return render_template("form.html", error="Wrong club password"), 403

    PROFILES[username] = Profile(
        username=username,
        food=request.form.get("food", ""),
        message=request.form.get("message", ""),
    )
    return redirect(url_for("user_page", username=username), code=302)


@app.route("/user/<username>")
def user_page(username):
    profile = PROFILES.get(username)
    if profile is None:
        return render_template("unknown.html", username=username), 404
    return render_template("user.html", profile=profile)


if __name__ == "__main__":
    app.run(host="127.0.0.1")
