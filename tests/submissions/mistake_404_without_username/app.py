import os

from flask import Flask, abort, redirect, render_template, request, url_for


def create_app():
    app = Flask(__name__)
    app.config["PROFILES"] = {}

    @app.route("/")
    def index():
        return "Hello World!"

    @app.route("/user/", methods=["POST"])
    def create_profile():
        if request.form.get("password") != os.environ.get("CLUB_PASSWORD"):
            abort(401)
        username = request.form.get("username")
        if not username:
            abort(400)
        app.config["PROFILES"][username] = {
            "username": username,
            "food": request.form.get("food"),
            "message": request.form.get("message"),
        }
        return redirect(url_for("profile", username=username), code=303)

    @app.route("/user/<username>")
    def profile(username):
        if username not in app.config["PROFILES"]:
            abort(404)
        return render_template("user.html", user=app.config["PROFILES"][username])

    return app


if __name__ == "__main__":
    create_app().run()
