from flask import Flask, abort, redirect, render_template, request, url_for

app = Flask(__name__)
profiles = {}


@app.get("/")
def home():
    return "Hello World!"


@app.post("/user/")
def new_profile():
    username = request.form.get("username")
    if not username:
        abort(400)
    profiles[username] = {
        "username": username,
        "food": request.form.get("food", ""),
        "message": request.form.get("message", ""),
    }
    return redirect(url_for("profile", username=username), code=303)


@app.get("/user/<username>")
def profile(username):
    if username not in profiles:
        return render_template("404.html", username=username), 404
    return render_template("user.html", **profiles[username])


if __name__ == "__main__":
    app.run(debug=True)
