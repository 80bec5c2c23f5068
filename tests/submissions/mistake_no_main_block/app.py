# Start with:  flask --app app run
import os

from flask import Flask, redirect, render_template, request, url_for
from markupsafe import escape

app = Flask(__name__)
PROFILES = {}


@app.route("/")
def index():
    return "<p>Hello, World!</p>"


@app.route("/user/", methods=["POST"])
def save_profile():
    username = request.form.get("username", "")
    if not username:
        return "Missing username", 400
    if request.form.get("password") != os.environ.get("CLUB_PASSWORD"):
        return "Bad password", 401
    PROFILES[username] = {
        "username": username,
        "food": request.form.get("food", ""),
        "message": request.form.get("message", ""),
    }
    return redirect(url_for("profile", username=username), code=303)


@app.route("/user/<username>")
def profile(username):
    if username not in PROFILES:
        return f"<h1>Not found</h1><p>{escape(username)} has no profile.</p>", 404
    return render_template("user.html", **PROFILES[username])
