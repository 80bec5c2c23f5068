import os

from flask import Flask, redirect, render_template, request, url_for

app = Flask(__name__)
profiles = {}


@app.route("/")
def index():
    return "Hello World!"


@app.route("/user/", methods=["POST"])
def create():
    if request.form.get("password") != os.environ.get("CLUB_PASSWORD"):
        return "wrong password", 401
    username = request.form.get("username")
    if not username:
        return "no username", 400
    profiles[username] = {
        "username": username,
        "food": request.form.get("food"),
        "message": request.form.get("message"),
    }
    return redirect(url_for("show", username=username), code=303)


@app.route("/user/<username>")
def show(username):
    # .get so that an unknown user doesn't crash the page
    profile = profiles.get(username, {})
    return render_template("user.html", profile=profile)


if __name__ == "__main__":
    app.run()
