"""The club's pages: profiles, account details and the administrator's editor."""

import os

from flask import Blueprint, abort, redirect, render_template, request, session, url_for

from . import db

main = Blueprint("main", __name__)


def is_admin() -> bool:
    """Logged in with their own password, as the member whose role is admin."""
    if not session.get("registered"):
        return False
    account = db.account(session.get("username", ""))
    return account is not None and account["role"] == "admin"


@main.route("/")
def index():
    return render_template("index.html")


@main.post("/user/")
def create_user():
    password = os.environ.get("CLUB_PASSWORD")
    if not password or request.form.get("password") != password:
        abort(401)
    username = request.form.get("username", "")
    if not username:
        abort(400)
    db.save_profile(username, request.form.get("food", ""), request.form.get("message", ""))
    return redirect(url_for("main.show_user", username=username), 303)


@main.get("/user/<username>")
def show_user(username):
    profile = db.profile(username)
    if profile is None:
        return render_template("unknown.html", username=username), 404
    return render_template("user.html", profile=profile, account=db.account(username))


@main.route("/account-details", methods=["GET", "POST"])
def account_details():
    if "username" not in session:
        return redirect(url_for("auth.login"))
    username = session["username"]
    if request.method == "POST":
        db.save_profile(username, request.form.get("food", ""), request.form.get("message", ""))
        return redirect(url_for("main.show_user", username=username))
    profile = db.profile(username)
    return render_template("account.html", profile=profile)


@main.route("/edit-profile/<username>", methods=["GET", "POST"])
def edit_profile(username):
    if "username" not in session:
        return redirect(url_for("auth.login", next=request.path))
    if not is_admin():
        abort(403)
    profile = db.profile(username)
    if profile is None and db.account(username) is None:
        abort(404)
    if request.method == "POST":
        db.save_profile(username, request.form.get("food", ""), request.form.get("message", ""))
        return redirect(url_for("main.show_user", username=username))
    return render_template("account.html", profile=profile)
