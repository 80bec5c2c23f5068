"""Registering, logging in and out, and confirming by a signed link."""

import os
import time

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from werkzeug.security import check_password_hash, generate_password_hash

from . import db

auth = Blueprint("auth", __name__)


def serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="confirm")


def send_confirmation(username: str) -> None:
    """Write the email we would send into instance/outbox/."""
    token = serializer().dumps(username)
    outbox = os.path.join(current_app.instance_path, "outbox")
    os.makedirs(outbox, exist_ok=True)
    link = url_for("auth.confirm", token=token, _external=True)
    name = f"{time.time_ns()}-{username}.txt"
    with open(os.path.join(outbox, name), "w", encoding="utf-8") as mail:
        mail.write(f"To: {username}\nSubject: Confirm your account\n\nWelcome, {username}! Confirm: {link}\n")


@auth.route("/register", methods=["GET", "POST"])
def register():
    if request.method == "GET":
        return render_template("register.html")
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    if not username or len(password) < 8 or password != request.form.get("password2"):
        return render_template("register.html", error="Username, and the same password of 8+ characters twice."), 400
    if db.account(username) is not None:
        return render_template("register.html", error="That username is taken."), 409
    role = "admin" if username == os.environ.get("CLUB_ADMIN") else "member"
    database = db.get_db()
    database.execute(
        "INSERT INTO account VALUES (?, ?, ?, 0)", (username, generate_password_hash(password), role)
    )
    database.commit()
    send_confirmation(username)
    return redirect(url_for("auth.login"))


@auth.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return render_template("login.html")
    username = request.form.get("username", "")
    password = request.form.get("password", "")
    account = db.account(username)
    if account is not None:
        good = check_password_hash(account["password_hash"], password)
    else:
        good = bool(os.environ.get("CLUB_PASSWORD")) and password == os.environ.get("CLUB_PASSWORD")
    if not username or not good:
        return render_template("login.html", wrong=True), 401
    session.clear()
    session["username"] = username
    session["registered"] = account is not None
    return redirect(url_for("main.index"))


@auth.route("/logout")
def logout():
    session.clear()
    return redirect(url_for("main.index"))


@auth.route("/confirm/<token>")
def confirm(token):
    if "username" not in session:
        return redirect(url_for("auth.login"))
    try:
        username = serializer().loads(token, max_age=current_app.config["CONFIRM_SECONDS"])
    except (BadSignature, SignatureExpired):
        flash("That link is invalid or has expired.")
        return redirect(url_for("main.index"))
    if username != session["username"]:
        abort(403)
    database = db.get_db()
    database.execute("UPDATE account SET confirmed = 1 WHERE username = ?", (username,))
    database.commit()
    return redirect(url_for("main.show_user", username=username))
