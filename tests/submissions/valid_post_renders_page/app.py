import os

from flask import Flask, abort, render_template, request

app = Flask(__name__)
users = {}


@app.route("/")
def index():
    return "<h1>Flask Club</h1><p>POST to /user/ to join.</p>"


@app.route("/user/", methods=["POST"])
def new_user():
    username = request.form.get("username")
    if not username:
        abort(400, "username is missing")
    if request.form.get("password") != os.getenv("CLUB_PASSWORD"):
        abort(403, "wrong club password")

    profile = {
        "username": username,
        "food": request.form.get("food"),
        "message": request.form.get("message"),
    }
    users[username] = profile
    # Show the new profile straight away instead of redirecting.
    return render_template("user.html", **profile)


@app.route("/user/<username>")
def get_user(username):
    if username not in users:
        abort(404, f"No member called {username}")
    return render_template("user.html", **users[username])


@app.errorhandler(404)
def page_not_found(error):
    return render_template("404.html", reason=error.description), 404


if __name__ == "__main__":
    app.run()
