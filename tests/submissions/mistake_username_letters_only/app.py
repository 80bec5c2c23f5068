import os

from flask import Flask, redirect, render_template, request
from markupsafe import escape

app = Flask(__name__)

members = {}


@app.route("/")
def home():
    return render_template("user.html", username="", food="", message="Hello, Flask Club!")


@app.route("/user/", methods=["POST"])
def add_member():
    username = request.form.get("username", "")
    if not username.isalnum():
        return "A username is made of letters and digits only.", 400
    if request.form.get("password") != os.environ["CLUB_PASSWORD"]:
        return "Wrong password.", 401
    members[username] = {"username": username, "food": request.form["food"], "message": request.form["message"]}
    return redirect("/user/" + username, code=303)


@app.route("/user/<username>")
def show_member(username):
    if username not in members:
        return f"<h1>Unknown member</h1><p>Nobody called {escape(username)} has joined.</p>", 404
    return render_template("user.html", **members[username])


if __name__ == "__main__":
    app.run()
