"""Starts without CLUB_PASSWORD, but then no password is right: every POST is refused."""

import hmac
import os

from flask import Flask, redirect, render_template, request, url_for

app = Flask(__name__)
profiles = {}


def password_ok(given):
    expected = os.environ.get("CLUB_PASSWORD", "")
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


@app.route("/")
def home():
    return "<p>Welcome to the Flask Club</p>"


@app.route("/user/", methods=["POST"])
def join():
    if not password_ok(request.form.get("password", "")):
        return "Members only", 403
    username = request.form.get("username", "").strip()
    if not username:
        return "Who are you?", 400
    profiles[username] = dict(request.form)
    return redirect(url_for("profile", username=username))


@app.route("/user/<username>")
def profile(username):
    if username not in profiles:
        return render_template("missing.html", username=username), 404
    return render_template("user.html", user=profiles[username])


if __name__ == "__main__":
    app.run(debug=True)
