"""The main blueprint: level 1's pages (the home page, joining, a profile) and the error pages."""

from __future__ import annotations

import hmac
import os

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from . import db, forms
from .roles import role_of

main = Blueprint("main", __name__)


@main.get("/")
def index():
    """The members so far, and a form to join."""
    return render_template("index.html", members=db.list_usernames())


@main.post("/user/")
def save_user():
    """Store (or replace) the posted profile, then send the browser to it."""
    # Extra 7: the club password first, so that a refused POST leaves no trace.
    if not is_club_password(request.form.get("password", "")):
        return refuse(401, ["The club password is missing or wrong."])
    # A username is required (400 without one); forms.py also limits lengths and characters.
    profile, problems = forms.read_profile(request.form)
    if problems:
        return refuse(400, problems)
    db.save_profile(profile["username"], profile["food"], profile["message"])
    # 303 See Other sends the browser to the profile (a reload won't post again).
    return redirect(url_for("main.show_user", username=profile["username"]), code=303)


def refuse(status: int, problems: list[str]):
    """A page saying why nothing was saved, with the status that says so."""
    return render_template("refused.html", problems=problems), status


@main.get("/user/<username>")
def show_user(username):
    """A member's profile; for a registered member, their role and whether they confirmed."""
    profile = db.find_profile(username)
    if profile is None:
        # Extra 6: an unknown username gets a 404 page that names it.
        return render_template("not_found.html", username=username), 404
    member = db.find_member(username)
    role = role_of(username) if member else None
    return render_template("user.html", profile=profile, member=member, role=role)


def is_club_password(given: str) -> bool:
    """True if `given` is the club password, CLUB_PASSWORD; never when that is not set.

    hmac.compare_digest takes as long for a near miss as for a wild guess.
    """
    expected = os.environ.get("CLUB_PASSWORD", "")
    if not expected:
        current_app.logger.warning("CLUB_PASSWORD is not set, so every club password is refused.")
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


@main.app_errorhandler(HTTPException)
def show_error(error):
    """Any other HTTP error (an unknown URL, 403, 405, 413...) as a page of the club."""
    return render_template("error.html", error=error), error.code
