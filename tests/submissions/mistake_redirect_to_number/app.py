import os

from flask import Flask, redirect, render_template, request, url_for

app = Flask(__name__)

# username -> {"food": ..., "message": ...}, and each member's number -> username
profiles = {}
by_number = {}


@app.route("/")
def hello_world():
    return "Hello World!"


@app.route("/user/", methods=["POST"])
def create_user():
    if request.form.get("password") != os.environ.get("CLUB_PASSWORD"):
        return "Wrong club password.", 401

    username = request.form.get("username")
    if not username:
        return "A username is required.", 400

    if username not in profiles:
        by_number[str(len(by_number) + 1)] = username
    profiles[username] = {
        "food": request.form.get("food", ""),
        "message": request.form.get("message", ""),
    }
    number = next(key for key, name in by_number.items() if name == username)
    # The mistake: the profile page is /user/<number>, not /user/<username>.
    return redirect(url_for("show_user", key=number), code=303)


@app.route("/user/<key>")
def show_user(key):
    username = by_number.get(key)
    if username is None:
        return render_template("not_found.html", username=key), 404
    profile = profiles[username]
    return render_template(
        "user.html",
        username=username,
        food=profile["food"],
        message=profile["message"],
    )


if __name__ == "__main__":
    app.run(debug=True)
