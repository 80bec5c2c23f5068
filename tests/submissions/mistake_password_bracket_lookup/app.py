import os

from flask import Flask, redirect, render_template, request, url_for
from markupsafe import escape

app = Flask(__name__)
members = {}


@app.route("/")
def index():
    return "Hello World!"


@app.route("/user/", methods=["POST"])
def join():
    if request.form["password"] != os.environ["CLUB_PASSWORD"]:
        return "Wrong club password", 401
    username = request.form.get("username")
    if not username:
        return "No username given", 400
    members[username] = {
        "username": username,
        "food": request.form["food"],
        "message": request.form["message"],
    }
    return redirect(url_for("member", username=username), code=303)


@app.route("/user/<username>")
def member(username):
    if username not in members:
        return f"<p>No member called {escape(username)}</p>", 404
    return render_template("user.html", member=members[username])


if __name__ == "__main__":
    app.run(debug=True)
