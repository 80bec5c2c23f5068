"""Flask Club: members share their favourite food and a message.

The reference solution: the starter's TODOs done, in the same order (steps 1
to 5, then the extras 6 and 7). Run it from this folder:

    CLUB_PASSWORD=letmein python app.py      # or: flask --app app run --debug

Two small modules beside it do what the steps don't ask for (README.md says
more): db.py keeps the profiles in SQLite, in the instance folder, so they
survive a restart; forms.py sets limits on what a profile may hold.
"""

import hmac
import os

from flask import Flask, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException

import db
import forms

# Step 1: the app, and a page for GET /.
app = Flask(__name__)
app.config.from_mapping(
    # The profiles' file, in the instance folder: data, not code.
    DATABASE=os.path.join(app.instance_path, "club.sqlite"),
    # A profile is a few hundred bytes: refuse bodies over 1 MiB (413) unread.
    MAX_CONTENT_LENGTH=1024 * 1024,
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


@app.errorhandler(HTTPException)
def show_error(error):
    """Any other HTTP error (an unknown URL, 405, 413...) as a page of the club."""
    return render_template("error.html", error=error), error.code


if __name__ == "__main__":
    app.run()
