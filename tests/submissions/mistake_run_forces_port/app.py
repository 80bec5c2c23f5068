import os

from flask import Flask, abort, redirect, render_template, request, url_for


class ClubApp(Flask):
    """A Flask app that always serves on the club's port, whatever it is asked."""

    def run(self, host=None, port=None, **options):
        super().run(host=host, port=5000, **options)


app = ClubApp(__name__)

profiles = {}


@app.route("/")
def index():
    return "<h1>Welcome to Flask Club</h1>"


@app.route("/user/", methods=["POST"])
def join():
    password = os.environ.get("CLUB_PASSWORD")
    if not password or request.form.get("password") != password:
        abort(403)
    username = request.form.get("username", "")
    if not username:
        abort(400)
    profiles[username] = {"food": request.form.get("food", ""), "message": request.form.get("message", "")}
    return redirect(url_for("member", username=username))


@app.route("/user/<username>")
def member(username):
    if username not in profiles:
        return render_template("user.html", username=username, missing=True), 404
    return render_template("user.html", username=username, **profiles[username])


if __name__ == "__main__":
    app.run()
