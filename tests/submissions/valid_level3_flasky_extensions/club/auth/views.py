from flask import redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from .. import db
from ..email import send_email
from ..models import User
from ..password import is_club_password
from . import auth
from .forms import RegistrationForm


@auth.get("/login")
def login():
    return render_template("login.html")


@auth.post("/login")
def log_in():
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    user = User.query.filter_by(username=username).first()
    if user is not None:
        right = user.verify_password(password)
    else:
        right = bool(username) and is_club_password(password)
    if not right:
        return render_template("login.html", username=username, problem="Wrong username or password."), 401
    session.clear()
    login_user(user or User(username=username))
    return redirect(url_for("main.account_details"), code=303)


@auth.route("/logout", methods=["GET", "POST"])
def logout():
    logout_user()
    return redirect(url_for("main.index"), code=303)


@auth.route("/register", methods=["GET", "POST"])
def register():
    form = RegistrationForm()
    if form.validate_on_submit():
        if User.query.filter_by(username=form.username.data).first() is not None:
            form.username.errors.append("Username already in use.")
            return render_template("register.html", form=form), 409
        user = User(username=form.username.data)
        user.password = form.password.data
        db.session.add(user)
        db.session.commit()
        send_email(user.username, "Confirm your account", "email/confirm", user=user,
                   token=user.generate_confirmation_token())
        return redirect(url_for("auth.login"), code=303)
    return render_template("register.html", form=form), 400 if request.method == "POST" else 200


@auth.get("/confirm/<token>")
@login_required
def confirm(token):
    if current_user.confirmed or current_user.confirm(token):
        return redirect(url_for("main.show_user", username=current_user.username))
    return redirect(url_for("main.index"))  # the link is invalid or has expired
