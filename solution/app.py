"""Flask Club: members share their favourite food and a message.

The reference solution: the starter's TODOs done, in the same order (steps 1
to 5, the extras 6 and 7, then level 2's steps 8 to 11). Run it from this folder:

    CLUB_PASSWORD=letmein python app.py      # or: flask --app app run --debug

Two small modules beside it do what the steps don't ask for (README.md says
more): db.py keeps the profiles in SQLite, in the instance folder, so they
survive a restart; forms.py sets limits on what a profile may hold.
"""

import functools
import hmac
import io
import os
import secrets

from flask import Flask, g, redirect, render_template, request, send_from_directory, session, url_for
from PIL import Image
from werkzeug.exceptions import HTTPException

import db
import forms

# Step 1: the app, and a page for GET /.
app = Flask(__name__)
app.config.from_mapping(
    # The profiles' file, and the photos' folder, in the instance folder: data, not code.
    DATABASE=os.path.join(app.instance_path, "club.sqlite"),
    PHOTOS=os.path.join(app.instance_path, "photos"),
    # A photo of 1 MiB and the form's other fields: refuse bigger bodies (413) unread.
    MAX_CONTENT_LENGTH=1024 * 1024 + 64 * 1024,
)
db.init_app(app)


@app.get("/")
def index():
    """The members so far, and a form to join."""
    return render_template("index.html", members=db.list_usernames())


# Step 2: POST /user/ stores the profile.
@app.post("/user/")
def save_user():
    """Store (or replace) the posted profile, then send the browser to it."""
    # Extra 7: the password first, so that a refused POST leaves no trace.
    if not is_club_password(request.form.get("password", "")):
        return refuse(401, ["The club password is missing or wrong."])
    # A username is required (400 without one); forms.py also limits lengths and characters.
    profile, problems = forms.read_profile(request.form)
    if problems:
        return refuse(400, problems)
    db.save_profile(profile["username"], profile["food"], profile["message"])
    # Step 5: 303 See Other sends the browser to the profile (a reload won't post again).
    return redirect(url_for("show_user", username=profile["username"]), code=303)


def refuse(status, problems):
    """A page saying why nothing was saved, with the status that says so."""
    return render_template("refused.html", problems=problems), status


# Steps 3 to 5: GET /user/<username> shows templates/user.html.
@app.get("/user/<username>")
def show_user(username):
    """A member's profile."""
    profile = db.find_profile(username)
    if profile is None:
        # Extra 6: an unknown username gets a 404 page that names it.
        return render_template("not_found.html", username=username), 404
    return render_template("user.html", profile=profile)


# Extra 7: the club password comes from the environment, never from the code.
def is_club_password(given):
    """True if `given` is the club password, CLUB_PASSWORD; never when that is not set.

    hmac.compare_digest takes as long for a near miss as for a wild guess, so
    timing the answers tells nothing about how much of a guess was right.
    """
    expected = os.environ.get("CLUB_PASSWORD", "")
    if not expected:
        app.logger.warning("CLUB_PASSWORD is not set, so every password is refused.")
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


# Level 2. Step 8: one layout for every page. templates/base.html holds the page's
# frame, the navigation (#club-nav) and who is logged in (#status); every other
# template starts with {% extends "base.html" %} and fills its blocks.


# Step 9: log in and out. Flask's session is a cookie that Flask signs with the
# secret key: the browser can read it, but not change it.
app.secret_key = os.environ.get("SECRET_KEY") or secrets.token_hex(32)
# Browsers send the cookie along only from this site's own pages, so another site's
# form can't post to /account-details as the member.
app.config["SESSION_COOKIE_SAMESITE"] = "Lax"


@app.before_request
def load_member():
    """g.member: the username of the member logged in with this browser, or None."""
    g.member = session.get("username")


@app.get("/login")
def login_form():
    """The form to log in with."""
    return render_template("login.html")


@app.post("/login")
def log_in():
    """Log a member in: the club password first, then any username that could join."""
    username = request.form.get("username", "")
    if not is_club_password(request.form.get("password", "")):
        return render_template("login.html", username=username, problem="The club password is missing or wrong."), 401
    fields, problems = forms.read_profile(request.form, names=("username",))
    if problems:
        return render_template("login.html", username=username, problem=problems[0]), 400
    session.clear()  # a fresh session for the member: nothing carried over
    session["username"] = fields["username"]  # only the name: never the password
    return redirect(url_for("account_details"), code=303)


@app.route("/logout", methods=["GET", "POST"])
def log_out():
    """Log out: the session forgets the member."""
    session.pop("username", None)
    return redirect(url_for("index"), code=303)


def login_required(view):
    """Decorate a view that only a logged-in member may see; anyone else is sent to /login."""

    @functools.wraps(view)
    def members_only(**kwargs):
        if g.member is None:
            return redirect(url_for("login_form"))
        return view(**kwargs)

    return members_only


# Step 10: account details, in a form filled with the member's current values.
@app.get("/account-details")
@login_required
def account_details():
    """The logged-in member's food and message, ready to edit."""
    profile = db.find_profile(g.member)
    food, message = (profile["food"], profile["message"]) if profile else ("", "")
    return render_template("account-details.html", food=food, message=message)


@app.post("/account-details")
@login_required
def save_account_details():
    """Change the logged-in member's food, message and photo (only the fields sent), then show the profile."""
    sent = tuple(name for name in ("food", "message") if name in request.form)
    details, problems = forms.read_profile(request.form, names=sent)
    photo = None
    upload = request.files.get("avatar")
    if upload and upload.filename:  # a browser sends an empty file field when no photo was chosen
        photo = read_photo(upload)
        if photo is None:
            problems.append("The photo must be a PNG, JPEG or GIF image.")
    if problems:
        food, message = request.form.get("food", ""), request.form.get("message", "")
        return render_template("account-details.html", food=food, message=message, problems=problems), 400
    name = save_photo(*photo) if photo else None
    db.save_details(g.member, details.get("food"), details.get("message"), name)
    return redirect(url_for("show_user", username=g.member), code=303)


# Step 11 (bonus): a profile photo, judged by what the file holds, never by its name.
PHOTO_KINDS = {"PNG": ".png", "JPEG": ".jpg", "GIF": ".gif"}


def read_photo(upload):
    """The photo's bytes and the extension its content calls for; None if it is no PNG, JPEG or GIF."""
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            image.verify()  # checks what the format lets it check: a PNG's checksums, for one
    except Exception:  # Pillow raises many kinds of error for a file that is no image it can read
        return None
    if kind not in PHOTO_KINDS:
        return None
    return data, PHOTO_KINDS[kind]


def save_photo(data, extension):
    """Store a photo under a new name the app picks (never the uploaded file's name); that name."""
    name = secrets.token_hex(16) + extension
    os.makedirs(app.config["PHOTOS"], exist_ok=True)
    with open(os.path.join(app.config["PHOTOS"], name), "wb") as file:
        file.write(data)
    return name


@app.get("/photos/<name>")
def photo(name):
    """A member's photo, as it was uploaded (send_from_directory refuses names that leave the folder)."""
    return send_from_directory(app.config["PHOTOS"], name)


@app.errorhandler(HTTPException)
def show_error(error):
    """Any other HTTP error (an unknown URL, 405, 413...) as a page of the club."""
    return render_template("error.html", error=error), error.code


if __name__ == "__main__":
    app.run()
