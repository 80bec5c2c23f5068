import os

from flask import Flask, redirect, render_template, request, url_for

app = Flask(__name__)
profiles = {}


@app.route("/user/", methods=["POST"])
def create_user():
    if request.form.get("password") != os.environ.get("CLUB_PASSWORD"):
        return "Wrong club password", 403
    username = request.form.get("username")
    if not username:
        return "username is required", 400
    profiles[username] = {
        "food": request.form.get("food", ""),
        "message": request.form.get("message", ""),
    }
    return redirect(url_for("show_user", username=username), code=303)


@app.route("/user/<username>")
def show_user(username):
    if username not in profiles:
        return render_template("not_found.html", username=username), 404
    return render_template("user.html", username=username, **profiles[username])


if __name__ == "__main__":
    app.run(debug=True)
