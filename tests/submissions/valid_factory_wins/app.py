import os

from flask import Flask, abort, redirect, render_template, request, url_for

# Left over from the quickstart. The real app comes from create_app() below.
app = Flask(__name__)


class ProfileStore:
    """Keeps every member's profile in memory."""

    def __init__(self):
        self._profiles = {}

    def save(self, username, food, message):
        self._profiles[username] = {"username": username, "food": food, "message": message}

    def get(self, username):
        return self._profiles.get(username)


def create_app():
    app = Flask(__name__)
    store = ProfileStore()

    @app.route("/")
    def index():
        return "Hello, Flask Club!"

    @app.route("/user/", methods=["POST"])
    def save_profile():
        form = request.form
        if form.get("password") != os.environ.get("CLUB_PASSWORD"):
            abort(401)
        if not form.get("username"):
            abort(400)
        store.save(form["username"], form.get("food", ""), form.get("message", ""))
        return redirect(url_for("profile", username=form["username"]))

    @app.route("/user/<username>")
    def profile(username):
        found = store.get(username)
        if found is None:
            return render_template("missing.html", username=username), 404
        return render_template("user.html", **found)

    return app


if __name__ == "__main__":
    create_app().run(debug=True)
