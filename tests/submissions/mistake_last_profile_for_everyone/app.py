import os

from flask import Flask, redirect, render_template, request, url_for
from markupsafe import escape

app = Flask(__name__)

members = set()
profile = {}


@app.get("/")
def index():
    return "Hello World!"


@app.post("/user/")
def join():
    global profile
    if request.form.get("password") != os.environ.get("CLUB_PASSWORD"):
        return "Wrong password", 401
    username = request.form.get("username")
    if not username:
        return "No username", 400
    members.add(username)
    profile = {
        "username": username,
        "food": request.form.get("food"),
        "message": request.form.get("message"),
    }
    return redirect(url_for("show", username=username), 303)


@app.get("/user/<username>")
def show(username):
    if username not in members:
        return f"<h1>{escape(username)} is not a member</h1>", 404
    return render_template("user.html", **profile)


if __name__ == "__main__":
    app.run()
