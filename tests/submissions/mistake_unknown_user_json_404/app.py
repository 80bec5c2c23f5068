import os

from flask import Flask, abort, jsonify, redirect, render_template, request, url_for

app = Flask(__name__)

PROFILES = {}


@app.get("/")
def home():
    return "<h1>Flask Club</h1><p>Join with a POST to /user/.</p>"


@app.post("/user/")
def join():
    password = os.environ.get("CLUB_PASSWORD", "")
    if not password or request.form.get("password", "") != password:
        abort(401)
    username = request.form.get("username", "")
    if username == "":
        abort(400)
    PROFILES[username] = {"username": username, "food": request.form.get("food", ""),
                          "message": request.form.get("message", "")}
    return redirect(url_for("member", username=username), 303)


@app.get("/user/<username>")
def member(username):
    profile = PROFILES.get(username)
    if profile is None:
        # An API-style error, as in the tutorial on JSON APIs.
        return jsonify(error="no such member", username=username), 404
    return render_template("user.html", profile=profile)


if __name__ == "__main__":
    app.run()
