import os

from flask import Flask, abort, redirect, render_template, request, url_for


def create_app():
    app = Flask(__name__)
    profiles = {}

    @app.route("/")
    def index():
        return "<h1>Flask Club</h1>"

    @app.route("/user/", methods=["POST"])
    def add_user():
        username = request.form.get("username")
        if not username:
            abort(400)
        if request.form.get("password") != os.environ["CLUB_PASSWORD"]:
            abort(401)
        profiles.setdefault(
            username,
            {"food": request.form.get("food"), "message": request.form.get("message")},
        )
        return redirect(url_for("user_page", username=username))

    @app.route("/user/<username>")
    def user_page(username):
        if username not in profiles:
            return render_template("missing.html", username=username), 404
        return render_template("user.html", username=username, **profiles[username])

    return app


if __name__ == "__main__":
    create_app().run(debug=True)
