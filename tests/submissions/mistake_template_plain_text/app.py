import os

from flask import Flask, abort, redirect, render_template, request
from markupsafe import escape

app = Flask(__name__)

profiles = {}


@app.route("/")
def index():
    return "<h1>Flask Club</h1>"


@app.post("/user/")
def join():
    password = os.environ.get("CLUB_PASSWORD")
    if not password or request.form.get("password") != password:
        abort(401)
    username = request.form.get("username")
    if not username:
        abort(400)
    profiles[username] = (request.form.get("food", ""), request.form.get("message", ""))
    return redirect(f"/user/{username}")


@app.get("/user/<username>")
def member(username):
    if username not in profiles:
        return f"<p>No member called {escape(username)}.</p>", 404
    food, message = profiles[username]
    return render_template("user.html", username=username, food=food, message=message)


if __name__ == "__main__":
    app.run()
