"""The auth blueprint: who is who. Logging in and out, registering, and confirming by a signed link.

Logging in: a registered member logs in with their own password only (its
hash is checked; nothing else works, the club password neither). A username
nobody registered still logs in with the club password, as at level 2.

The session, Flask's signed cookie, holds the username and whether the login
was with the member's own password; never a password. A session that names a
registered member without that mark (a club-password login made before the
name was registered) logs no one in.
"""

from __future__ import annotations

import functools

from flask import Blueprint, current_app, g, redirect, render_template, request, session, url_for
from werkzeug.security import check_password_hash, generate_password_hash

from . import db, forms, mail, tokens
from .main import is_club_password

auth = Blueprint("auth", __name__)


@auth.before_app_request
def load_member():
    """g.member: the username logged in with this browser, or None."""
    username = session.get("username")
    if username is not None and not session.get("own_password") and db.find_member(username) is not None:
        username = None
    g.member = username


def login_required(view):
    """Decorate a view that only a logged-in member may see; anyone else is sent to /login."""

    @functools.wraps(view)
    def members_only(**kwargs):
        if g.member is None:
            return redirect(url_for("auth.login_form", next=request.path))
        return view(**kwargs)

    return members_only


@auth.get("/login")
def login_form():
    """The form to log in with."""
    return render_template("login.html")


@auth.post("/login")
def log_in():
    """Log a member in: a registered one with their own password, anyone else with the club password."""
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    member = db.find_member(username)
    if member is not None:
        if not check_password_hash(member["password_hash"], password):
            return login_refused(username, 401, "Wrong password.")
    else:
        if not is_club_password(password):
            return login_refused(username, 401, "Wrong password: this name is not registered, so use the club's.")
        fields, problems = forms.read_profile(request.form, names=("username",))
        if problems:
            return login_refused(username, 400, problems[0])
    session.clear()  # a fresh session for the member: nothing carried over
    session["username"] = username
    session["own_password"] = member is not None
    return redirect(url_for("account.account_details"), code=303)


def login_refused(username: str, status: int, problem: str):
    """The login form again, saying why, with the status that says so."""
    return render_template("login.html", username=username, problem=problem), status


@auth.route("/logout", methods=["GET", "POST"])
def log_out():
    """Log out: the session forgets the member."""
    session.clear()
    return redirect(url_for("main.index"), code=303)


@auth.get("/register")
def register_form():
    """The form to register with."""
    return render_template("register.html")


@auth.post("/register")
def register():
    """Register a member: their password's salted hash is stored, and a link to confirm is sent."""
    username, password, problems = forms.read_registration(request.form)
    if problems:
        return render_template("register.html", username=username, problems=problems), 400
    # Werkzeug's salted, slow hash (scrypt): the password itself is kept nowhere.
    password_hash = generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])
    if not db.add_member(username, password_hash):
        problems = [f"The username {username} is taken: choose another one."]
        return render_template("register.html", username=username, problems=problems), 409
    mail.send_confirmation(username, tokens.make(username))
    return redirect(url_for("auth.login_form"), code=303)


@auth.get("/confirm/<token>")
@login_required
def confirm(token):
    """Confirm the logged-in member's account, if the link is theirs, signed by the club and not too old."""
    if tokens.read(token) != g.member:
        return render_template("confirm.html", confirmed=False), 400
    db.confirm_member(g.member)
    return render_template("confirm.html", confirmed=True)
