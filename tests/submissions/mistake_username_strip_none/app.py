import os

from flask import Flask, abort, redirect, render_template, request, url_for

app = Flask(__name__)

profiles = {}


@app.route("/")
def index():
    return render_template("user.html", username="Flask Club", food="", message="Welcome!")


@app.route("/user/", methods=["POST"])
def new_profile():
    club_password = os.environ.get("CLUB_PASSWORD")
    if not club_password or request.form.get("password") != club_password:
        abort(401)
    # Tidy what people type: " Ada " is "Ada".
    username = request.form.get("username").strip()
    if not username:
        abort(400)
    profiles[username] = {
        "food": request.form.get("food", "").strip(),
        "message": request.form.get("message", "").strip(),
    }
    return redirect(url_for("profile", username=username))


@app.route("/user/<username>")
def profile(username):
    if username not in profiles:
        return render_template("user.html", username=username, food="?", message="No such member."), 404
    return render_template("user.html", username=username, **profiles[username])


if __name__ == "__main__":
    app.run()
