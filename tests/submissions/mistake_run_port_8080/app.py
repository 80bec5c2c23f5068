import os

from flask import Flask, abort, redirect, render_template, request, url_for

app = Flask(__name__)
users = {}


@app.route("/")
def hello():
    return "Hello World!"


@app.post("/user/")
def post_user():
    if request.form.get("password") != os.environ.get("CLUB_PASSWORD"):
        abort(401)
    name = request.form.get("username")
    if not name:
        abort(400)
    users[name] = {"username": name, "food": request.form["food"], "message": request.form["message"]}
    return redirect(url_for("get_user", name=name), 303)


@app.get("/user/<name>")
def get_user(name):
    if name not in users:
        return render_template("404.html", name=name), 404
    return render_template("user.html", profile=users[name])


if __name__ == "__main__":
    # port 5000 is taken by AirPlay on my Mac
    app.run(port=8080, debug=True)
