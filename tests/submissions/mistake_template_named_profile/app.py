import os

from flask import Flask, redirect, render_template, request, url_for
from markupsafe import escape

app = Flask(__name__)
profiles = {}


@app.route("/")
def index():
    return "Hello World!"


@app.route("/user/", methods=["POST"])
def add_user():
    if request.form.get("password") != os.environ.get("CLUB_PASSWORD"):
        return "Wrong password", 401
    username = request.form.get("username")
    if not username:
        return "Missing username", 400
    profiles[username] = {
        "username": username,
        "food": request.form.get("food"),
        "message": request.form.get("message"),
    }
    return redirect(url_for("user_page", username=username), code=303)


@app.route("/user/<username>")
def user_page(username):
    if username not in profiles:
        return f"<p>There is no user called {escape(username)}.</p>", 404
    return render_template("profile.html", profile=profiles[username])


if __name__ == "__main__":
    app.run(debug=True)
