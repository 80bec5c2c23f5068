"""Flask Club server, built with an application factory."""

import os

from flask import Flask, abort, redirect, render_template, request, url_for
from markupsafe import escape


def create_app():
    app = Flask(__name__)
    app.config["CLUB_PASSWORD"] = os.environ["CLUB_PASSWORD"]
    app.config["PROFILES"] = {}

    @app.get("/")
    def index():
        return "<h1>Welcome to the Flask Club</h1>"

    @app.post("/user/")
    def add_user():
        username = request.form.get("username", "")
        if username == "":
            abort(400)
        if request.form.get("password") != app.config["CLUB_PASSWORD"]:
            abort(403)
        app.config["PROFILES"][username] = {
            "username": username,
            "food": request.form.get("food", ""),
            "message": request.form.get("message", ""),
        }
        return redirect(url_for("show_user", username=username))

    @app.get("/user/<username>")
    def show_user(username):
        profile = app.config["PROFILES"].get(username)
        if profile is None:
            abort(404, description=f"There is no member called {username}.")
        return render_template("user.html", user=profile)

    @app.errorhandler(404)
    def not_found(error):
        return f"<h1>Not found</h1><p>{escape(error.description)}</p>", 404

    return app


if __name__ == "__main__":
    create_app().run()
