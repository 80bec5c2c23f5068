"""Keeps one profile: the last one posted. Any other username is unknown."""

import os

from flask import Flask, abort, redirect, render_template, request, url_for
from markupsafe import escape

app = Flask(__name__)

last = {}


@app.route("/")
def index():
    return "<h1>Flask Club</h1>"


@app.post("/user/")
def join():
    if request.form.get("password") != os.environ.get("CLUB_PASSWORD"):
        abort(401)
    username = request.form.get("username")
    if not username:
        abort(400)
    last.clear()
    last.update(username=username, food=request.form.get("food"), message=request.form.get("message"))
    return redirect(url_for("show", username=username), 303)


@app.get("/user/<username>")
def show(username):
    if last.get("username") != username:
        return f"<p>No member called {escape(username)}</p>", 404
    return render_template("user.html", **last)


if __name__ == "__main__":
    app.run()
