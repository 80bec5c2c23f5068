from flask import Flask, redirect, render_template, request, url_for

app = Flask(__name__)

CLUB_PASSWORD = "flask-club-2024"

profiles = {}


@app.route("/")
def index():
    return "Hello World!"


@app.route("/user/", methods=["POST"])
def create_user():
    if request.form.get("password") != CLUB_PASSWORD:
        return "Wrong password", 401
    username = request.form.get("username")
    if not username:
        return "Username missing", 400
    profiles[username] = {
        "username": username,
        "food": request.form.get("food"),
        "message": request.form.get("message"),
    }
    return redirect(url_for("show_user", username=username), code=303)


@app.route("/user/<username>")
def show_user(username):
    if username not in profiles:
        return render_template("not_found.html", username=username), 404
    return render_template("user.html", user=profiles[username])


if __name__ == "__main__":
    app.run(debug=True)
