import os

from flask import Flask, redirect, render_template, request, url_for
from flask_bootstrap import Bootstrap

app = Flask(__name__)

# username -> {"food": ..., "message": ...}
profiles = {}


@app.route("/")
def hello_world():
    return "Hello World!"


@app.route("/user/", methods=["POST"])
def create_user():
    if request.form.get("password") != os.environ.get("CLUB_PASSWORD"):
        return "Wrong club password.", 401

    username = request.form.get("username")
    if not username:
        return "A username is required.", 400

    profiles[username] = {
        "food": request.form.get("food", ""),
        "message": request.form.get("message", ""),
    }
    return redirect(url_for("show_user", username=username), code=303)


@app.route("/user/<username>")
def show_user(username):
    if username not in profiles:
        return render_template("not_found.html", username=username), 404
    profile = profiles[username]
    return render_template(
        "user.html",
        username=username,
        food=profile["food"],
        message=profile["message"],
    )


if __name__ == "__main__":
    app.run(debug=True)
