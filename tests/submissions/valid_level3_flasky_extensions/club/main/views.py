import io
import os
import secrets

from flask import current_app, redirect, render_template, request, send_from_directory, url_for
from flask_login import current_user, login_required
from PIL import Image

from .. import db
from ..decorators import admin_required
from ..models import Profile, User
from ..password import is_club_password
from . import main

PHOTO_KINDS = {"PNG": ".png", "JPEG": ".jpg", "GIF": ".gif"}


@main.get("/")
def index():
    members = [p.username for p in Profile.query.order_by(Profile.username).all()]
    return render_template("index.html", members=members)


@main.post("/user/")
def save_user():
    if not is_club_password(request.form.get("password", "")):
        return render_template("refused.html", problems=["The club password is missing or wrong."]), 401
    username = request.form.get("username", "").strip()
    if not username or "/" in username:
        return render_template("refused.html", problems=["Username is required."]), 400
    profile = db.session.get(Profile, username) or Profile(username=username)
    profile.food = request.form.get("food", "")
    profile.message = request.form.get("message", "")
    db.session.add(profile)
    db.session.commit()
    return redirect(url_for("main.show_user", username=username), code=303)


@main.get("/user/<username>")
def show_user(username):
    profile = db.session.get(Profile, username)
    if profile is None:
        return render_template("not_found.html", username=username), 404
    account = User.query.filter_by(username=username).first()
    return render_template("user.html", profile=profile, account=account)


@main.route("/edit-profile/<username>", methods=["GET", "POST"])
@admin_required
def edit_profile_admin(username):
    profile = db.get_or_404(Profile, username)
    if request.method == "POST":
        profile.food = request.form.get("food", profile.food)
        profile.message = request.form.get("message", profile.message)
        db.session.commit()
        return redirect(url_for("main.show_user", username=username), code=303)
    return render_template("edit_profile.html", profile=profile)


@main.get("/account-details")
@login_required
def account_details():
    profile = db.session.get(Profile, current_user.username)
    food, message = (profile.food, profile.message) if profile else ("", "")
    return render_template("account-details.html", food=food, message=message)


@main.post("/account-details")
@login_required
def save_account_details():
    profile = db.session.get(Profile, current_user.username) or Profile(
        username=current_user.username, food="", message="")
    if "food" in request.form:
        profile.food = request.form["food"]
    if "message" in request.form:
        profile.message = request.form["message"]
    upload = request.files.get("avatar")
    if upload and upload.filename:
        data = upload.read()
        try:
            with Image.open(io.BytesIO(data)) as image:
                kind = image.format
                image.verify()
        except Exception:
            kind = None
        if kind not in PHOTO_KINDS:
            return render_template("account-details.html", food=profile.food, message=profile.message,
                                   problems=["The photo must be a PNG, JPEG or GIF image."]), 400
        name = secrets.token_hex(16) + PHOTO_KINDS[kind]
        folder = os.path.join(current_app.instance_path, "photos")
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, name), "wb") as file:
            file.write(data)
        profile.photo = name
    db.session.add(profile)
    db.session.commit()
    return redirect(url_for("main.show_user", username=current_user.username), code=303)


@main.get("/photos/<name>")
def photo(name):
    return send_from_directory(os.path.join(current_app.instance_path, "photos"), name)
