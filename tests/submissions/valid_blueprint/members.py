"""The club's members: sign up with POST /user/, look at GET /user/<username>."""

import os

from flask import Blueprint, redirect, render_template, request, url_for

members_bp = Blueprint("members", __name__)

_members = {}


@members_bp.route("/", methods=["POST"])
def sign_up():
    if request.form.get("password") != os.environ.get("CLUB_PASSWORD"):
        return "Unauthorized: wrong club password", 401
    username = request.form.get("username", "")
    if not username:
        return "Bad request: no username", 400
    _members[username] = {
        "username": username,
        "food": request.form.get("food", ""),
        "message": request.form.get("message", ""),
    }
    return redirect(url_for("members.profile", username=username), code=303)


@members_bp.route("/<username>")
def profile(username):
    member = _members.get(username)
    if member is None:
        return render_template("not_found.html", username=username), 404
    return render_template("user.html", member=member)
