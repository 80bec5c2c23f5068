"""Stores nothing: each profile rides in a cookie set on the POST's answer, read back from it."""

import json
import os
from urllib.parse import quote

from flask import Flask, abort, make_response, redirect, render_template, request
from markupsafe import escape

app = Flask(__name__)


def cookie_name(username):
    return "profile_" + quote(username, safe="").replace("%", "_")


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
    profile = {"username": username, "food": request.form.get("food"), "message": request.form.get("message")}
    response = make_response(redirect("/user/" + quote(username, safe=""), 303))
    response.set_cookie(cookie_name(username), quote(json.dumps(profile)))
    return response


@app.get("/user/<username>")
def show(username):
    saved = request.cookies.get(cookie_name(username))
    if saved is None:
        return f"<p>No member called {escape(username)}</p>", 404
    from urllib.parse import unquote

    return render_template("user.html", **json.loads(unquote(saved)))


if __name__ == "__main__":
    app.run()
