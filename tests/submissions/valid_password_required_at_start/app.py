"""Fails closed by refusing to start: no CLUB_PASSWORD, no club."""

import hmac
import os

from flask import Flask, abort, redirect, render_template, request, url_for


def create_app():
    password = os.environ.get("CLUB_PASSWORD")
    if not password:
        raise RuntimeError("CLUB_PASSWORD is not set: export CLUB_PASSWORD=... before starting the club")

    app = Flask(__name__)
    profiles = {}

    @app.get("/")
    def index():
        return render_template("index.html", count=len(profiles))

    @app.post("/user/")
    def join():
        given = request.form.get("password", "")
        if not hmac.compare_digest(given.encode(), password.encode()):
            abort(403)
        username = request.form.get("username", "")
        if not username:
            abort(400)
        profiles[username] = (request.form.get("food", ""), request.form.get("message", ""))
        return redirect(url_for("show", username=username), 303)

    @app.get("/user/<username>")
    def show(username):
        if username not in profiles:
            return render_template("unknown.html", username=username), 404
        food, message = profiles[username]
        return render_template("user.html", username=username, food=food, message=message)

    return app


if __name__ == "__main__":
    create_app().run()
