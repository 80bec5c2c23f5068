"""The admin blueprint: the administrator edits any member's profile at /edit-profile/<username>.

Only the administrator (roles.py): a member logged in with their own password
whose username is CLUB_ADMIN. Anyone else logged in gets 403; nobody logged
in is sent to /login.
"""

from __future__ import annotations

import functools

from flask import Blueprint, abort, g, redirect, render_template, request, url_for

from . import db, forms
from .auth import login_required
from .roles import role_of

admin = Blueprint("admin", __name__)


def admin_required(view):
    """Decorate a view for the administrator alone: 403 for any other member, /login for nobody."""

    @functools.wraps(view)
    @login_required
    def administrator_only(**kwargs):
        # g.member is registered here only if the login was with their own password (auth.load_member).
        if db.find_member(g.member) is None or role_of(g.member) != "admin":
            abort(403)
        return view(**kwargs)

    return administrator_only


@admin.get("/edit-profile/<username>")
@admin_required
def edit_profile(username):
    """Any member's food and message, ready to edit."""
    profile = db.find_profile(username)
    if profile is None:
        abort(404)
    return render_template("edit_profile.html", username=username, food=profile["food"], message=profile["message"])


@admin.post("/edit-profile/<username>")
@admin_required
def save_profile(username):
    """Change a member's food and message, then show their profile."""
    if db.find_profile(username) is None:
        abort(404)
    details, problems = forms.read_profile(request.form, names=("food", "message"))
    if problems:
        food, message = request.form.get("food", ""), request.form.get("message", "")
        page = render_template("edit_profile.html", username=username, food=food, message=message, problems=problems)
        return page, 400
    db.save_details(username, details["food"], details["message"])
    return redirect(url_for("main.show_user", username=username), code=303)
