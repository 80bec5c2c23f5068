import os

from flask import Flask, abort, redirect, render_template, request

app = Flask(__name__)
members = {}


@app.get("/")
def home():
    return "<h1>Flask Club</h1>"


@app.post("/user/")
def join():
    if request.form.get("password") != os.environ.get("CLUB_PASSWORD", object()):
        abort(403)
    username = request.form.get("username")
    # A missing username is refused, but an empty one ("") is not None, so it is stored.
    if username is None:
        abort(400)
    members[username] = (request.form.get("food", ""), request.form.get("message", ""))
    return redirect(f"/user/{username}", code=303)


@app.get("/user/<username>")
def member(username):
    if username not in members:
        return render_template("user.html", username=username, food="", message="no such member"), 404
    food, message = members[username]
    return render_template("user.html", username=username, food=food, message=message)


if __name__ == "__main__":
    app.run(debug=True)
