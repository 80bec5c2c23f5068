"""Flask Club: members share their favourite food and a message.

The reference solution: the starter's TODOs done in order, the way the hints
of docs/student/ teach them (steps 1 to 5, the extras 6 and 7, then level 2's
steps 8 to 11). README.md says which function does each step. Run it from
this folder:

    CLUB_PASSWORD=letmein python app.py      # or: flask --app app run --debug
"""

import hmac
import json
import os
import secrets
import threading

from flask import Flask, abort, redirect, render_template, request, send_from_directory, session, url_for
from PIL import Image

# Step 1: the app, and a page for GET /.
app = Flask(__name__)


@app.route("/")
def index():
    """The home page (step 8: a template extending base.html): the members so far, and the form to join."""
    return render_template("index.html", members=sorted(profiles, key=str.lower))


# Step 2: the profiles, in a dictionary keyed by username. Step 10 keeps that dictionary
# in a file, instance/profiles.json, read when the app starts and written after every change,
# so that the profiles outlive the server.
PROFILES = os.path.join(app.instance_path, "profiles.json")


def load_profiles():
    """Every profile saved so far: the file's dictionary, or an empty one before the first save."""
    if not os.path.exists(PROFILES):
        return {}
    with open(PROFILES, encoding="utf-8") as file:
        return json.load(file)


def save_profiles():
    """Write the whole dictionary to PROFILES.

    It goes into a new file first, which then takes the old one's place in one
    step (os.replace): a server stopped mid-write leaves the old file whole,
    never half of the new one.
    """
    os.makedirs(app.instance_path, exist_ok=True)
    new = PROFILES + ".new"
    with open(new, "w", encoding="utf-8") as file:
        json.dump(profiles, file, ensure_ascii=False)
    os.replace(new, PROFILES)


profiles = load_profiles()
# The server answers several requests at once, each in a thread of its own: one change
# to the dictionary (and its save) at a time, so no save writes a half-made change.
changing = threading.Lock()


@app.post("/user/")
def save_user():
    """Store (or replace) the posted profile, then send the browser to it."""
    # Extra 7: the club password first, so that a refused POST stores nothing.
    if not is_club_password(request.form.get("password", "")):
        abort(403)
    username = request.form.get("username", "")
    # No username, no profile. Nor for one holding a "/": /user/<username> could never show it.
    if not username or "/" in username:
        abort(400)
    with changing:
        profiles[username] = {
            "username": username,
            "food": request.form.get("food", ""),
            "message": request.form.get("message", ""),
        }
        save_profiles()
    # Step 5: 303 See Other sends the browser to the profile (a reload won't post again).
    return redirect(url_for("show_user", username=username), code=303)


# Steps 3 to 5: GET /user/<username> shows templates/user.html.
@app.get("/user/<username>")
def show_user(username):
    """A member's profile page."""
    profile = profiles.get(username)
    if profile is None:
        # Extra 6: an unknown username gets a 404 page that names it.
        return render_template("not_found.html", username=username), 404
    return render_template("user.html", profile=profile)


# Extra 7: the club password comes from the environment, never from the code.
def is_club_password(given):
    """True if `given` is the club password, CLUB_PASSWORD; never while that is unset or empty.

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
app.secret_key = os.environ.get("SECRET_KEY") or secrets.token_hex()
# Browsers send the cookie along only from this site's own pages, so another site's
# form can't post to /account-details as the member.
app.config["SESSION_COOKIE_SAMESITE"] = "Lax"


@app.get("/login")
def login_form():
    """The form to log in with."""
    return render_template("login.html")


@app.post("/login")
def login():
    """Log a member in with their username and the club password (extra 7's check)."""
    if not is_club_password(request.form.get("password", "")):
        return render_template("login.html", refused=True), 401
    username = request.form.get("username", "")
    if not username or "/" in username:  # the usernames save_user() refuses
        abort(400)
    session["username"] = username  # only the name: never the password
    return redirect(url_for("account_details"), code=303)


@app.route("/logout", methods=["GET", "POST"])
def logout():
    """Log out: the session forgets the member."""
    session.pop("username", None)
    return redirect(url_for("index"), code=303)


# Step 10: account details, in a form filled with the member's current values.
@app.get("/account-details")
def account_details():
    """The logged-in member's food and message, ready to edit; nobody logged in: off to /login."""
    username = session.get("username")
    if username is None:
        return redirect(url_for("login_form"))
    profile = profiles.get(username, {})
    return render_template("account-details.html", food=profile.get("food", ""), message=profile.get("message", ""))


@app.post("/account-details")
def save_account_details():
    """Change the logged-in member's food, message and photo (the fields sent), then show the profile."""
    username = session.get("username")
    if username is None:
        return redirect(url_for("login_form"))
    # Step 11: a photo, if one was chosen (a browser sends an empty file field otherwise).
    upload = request.files.get("avatar")
    photo = store_photo(upload) if upload and upload.filename else None
    with changing:
        # A member who has no profile yet gets one.
        profile = profiles.setdefault(username, {"username": username, "food": "", "message": ""})
        for field in ("food", "message"):
            if field in request.form:
                profile[field] = request.form[field]
        if photo:
            profile["photo"] = photo
        save_profiles()
    return redirect(url_for("show_user", username=username), code=303)


# Step 11 (bonus): a profile photo, judged by what the file holds, never by its name.
# A photo of 1 MiB and the form's other fields fit; a bigger request is refused with 413.
app.config["MAX_CONTENT_LENGTH"] = (1024 + 64) * 1024
PHOTOS = os.path.join(app.instance_path, "photos")
EXTENSIONS = {"PNG": ".png", "JPEG": ".jpg", "GIF": ".gif"}


def store_photo(upload):
    """Save an uploaded photo under a new name the app picks; that name. abort(400) if it is no PNG, JPEG or GIF."""
    try:
        with Image.open(upload.stream) as image:
            kind = image.format
            image.verify()  # checks what the format lets it check: a PNG's checksums, for one
    except Exception:  # Pillow raises many kinds of error for a file that is no image it can read
        abort(400)
    if kind not in EXTENSIONS:
        abort(400)
    upload.stream.seek(0)  # Pillow read the file: back to its start, to save all of it
    name = secrets.token_hex(16) + EXTENSIONS[kind]
    os.makedirs(PHOTOS, exist_ok=True)
    upload.save(os.path.join(PHOTOS, name))
    return name


@app.get("/photos/<name>")
def photo(name):
    """A member's photo, as it was uploaded (send_from_directory refuses names that leave the folder)."""
    return send_from_directory(PHOTOS, name)


if __name__ == "__main__":
    app.run(debug=True)
