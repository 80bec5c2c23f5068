import os

from flask import Flask, redirect, render_template, request, url_for
from markupsafe import escape


def create_app():
    app = Flask(__name__)
    members = {}

    @app.route("/")
    def home():
        return "<p>Flask Club is open.</p>"

    @app.route("/user/", methods=["POST"])
    def join():
        if request.form.get("password") != os.environ.get("CLUB_PASSWORD"):
            return "<p>Sorry, that is not the club password.</p>", 401
        # request.form[...] answers 400 by itself when the field is missing
        username = request.form["username"]
        if not username:
            return "<p>Please pick a username.</p>", 400
        members[username] = (request.form["food"], request.form["message"])
        return redirect(url_for("member", username=username), 303)

    @app.route("/user/<username>")
    def member(username):
        if username not in members:
            return f"<h1>404</h1><p>No member named {escape(username)}.</p>", 404
        food, message = members[username]
        return render_template("user.html", name=username, food=food, msg=message)

    return app


if __name__ == "__main__":
    create_app().run(host="0.0.0.0", port=5000)
