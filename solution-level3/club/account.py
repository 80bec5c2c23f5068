"""The account blueprint: a member's own details (level 2's steps 10 and 11), and the photos."""

from __future__ import annotations

from flask import Blueprint, current_app, g, redirect, render_template, request, send_from_directory, url_for

from . import db, forms, photos
from .auth import login_required

account = Blueprint("account", __name__)


@account.get("/account-details")
@login_required
def account_details():
    """The logged-in member's food and message, ready to edit."""
    profile = db.find_profile(g.member)
    food, message = (profile["food"], profile["message"]) if profile else ("", "")
    return render_template("account-details.html", food=food, message=message)


@account.post("/account-details")
@login_required
def save_account_details():
    """Change the logged-in member's food, message and photo (only the fields sent), then show the profile."""
    sent = tuple(name for name in ("food", "message") if name in request.form)
    details, problems = forms.read_profile(request.form, names=sent)
    photo = None
    upload = request.files.get("avatar")
    if upload and upload.filename:  # a browser sends an empty file field when no photo was chosen
        photo = photos.read(upload)
        if photo is None:
            problems.append("The photo must be a PNG, JPEG or GIF image.")
    if problems:
        food, message = request.form.get("food", ""), request.form.get("message", "")
        return render_template("account-details.html", food=food, message=message, problems=problems), 400
    name = photos.save(*photo) if photo else None
    db.save_details(g.member, details.get("food"), details.get("message"), name)
    return redirect(url_for("main.show_user", username=g.member), code=303)


@account.get("/photos/<name>")
def photo(name):
    """A member's photo, as it was uploaded (send_from_directory refuses names that leave the folder)."""
    return send_from_directory(current_app.config["PHOTOS"], name)
