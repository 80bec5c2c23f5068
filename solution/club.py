"""The club's pages: the home page, joining (POST /user/) and the profiles."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

import db
from forms import is_club_password, read_fields, read_profile

bp = Blueprint("club", __name__)


@bp.get("/")
def index() -> ResponseReturnValue:
    """The members so far, and the form to join."""
    return render_template("index.html", members=db.list_usernames())


@bp.post("/user/")
def join() -> ResponseReturnValue:
    """Store (or replace) the submitted profile, then send the browser to it."""
    fields = read_fields()
    if fields is None:
        return refuse(400, ["The request body is not a JSON object of text fields."])
    profile, problems = read_profile(fields)
    if problems:
        return refuse(400, problems)
    if not is_club_password(fields.get("password", "")):
        return refuse(401, ["The club password is missing or wrong."])
    db.save_profile(**profile)
    # 303 See Other: the browser GETs the profile, so a reload won't re-POST.
    return redirect(url_for("club.user", username=profile["username"]), code=303)


@bp.get("/user/<username>")
def user(username: str) -> ResponseReturnValue:
    """A member's profile, or a 404 page naming the username nobody has."""
    profile = db.find_profile(username)
    if profile is None:
        return render_template("unknown_user.html", username=username), 404
    return render_template("user.html", profile=profile)


def refuse(status: int, problems: list[str]) -> ResponseReturnValue:
    """A page saying why the profile was not saved (nothing is stored)."""
    return render_template("refused.html", problems=problems), status
