import os

from flask import Flask, render_template, request
from markupsafe import escape

app = Flask(__name__)
profiles = {}


@app.route("/")
def index():
    return "Hello World!"


@app.route("/user/", methods=["POST"])
def add_user():
    if request.form.get("password") != os.environ.get("CLUB_PASSWORD"):
        return "Wrong password", 401
    username = request.form.get("username", "")
    profiles[username] = {
        "username": username,
        "food": request.form.get("food", ""),
        "message": request.form.get("message", ""),
    }
    return f"<p>Saved the profile of {escape(username)}.</p>"


@app.route("/user/<username>")
def show_user(username):
    if username not in profiles:
        return f"<p>{escape(username)} not found</p>", 404
    return render_template("user.html", profile=profiles[username])


if __name__ == "__main__":
    app.run(debug=True)
