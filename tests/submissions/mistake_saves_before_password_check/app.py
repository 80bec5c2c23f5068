import os

from flask import Flask, redirect, render_template, request, url_for

app = Flask(__name__)
profiles = {}


@app.route("/")
def index():
    return "<h1>Flask Club</h1>"


@app.route("/user/", methods=["POST"])
def add_profile():
    username = request.form.get("username")
    if not username:
        return "Please give a username", 400

    profiles[username] = {
        "food": request.form.get("food"),
        "message": request.form.get("message"),
    }

    # extra 7: members only
    if request.form.get("password") != os.environ.get("CLUB_PASSWORD"):
        return "Wrong club password", 401

    return redirect(url_for("show_profile", username=username), code=303)


@app.route("/user/<username>")
def show_profile(username):
    if username not in profiles:
        return render_template("unknown.html", username=username), 404
    return render_template("user.html", username=username, profile=profiles[username])


if __name__ == "__main__":
    app.run()
