import os

from flask import Flask, abort, redirect, render_template, request
from markupsafe import escape

app = Flask(__name__)
members = {}


@app.route("/")
def hello():
    return "<p>Hello from Flask Club!</p>"


@app.route("/user/", methods=["POST"])
def join():
    if not os.environ.get("CLUB_PASSWORD") or request.form.get("password") != os.environ["CLUB_PASSWORD"]:
        abort(403)
    username = request.form.get("username")
    if not username:
        abort(400)
    members[username] = dict(request.form)
    return redirect("/user/" + username)


@app.route("/user/<username>")
def show(username):
    member = members.get(username)
    if member is None:
        abort(404, f"No member called {username}.")
    return render_template("user.html", member=member)


@app.errorhandler(404)
def not_found(error):
    return f"<h1>Not found</h1><p>{escape(error.description)}</p>", 404


if __name__ == "__main__":
    app.run()
