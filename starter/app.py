"""Flask Club: your server.

Work through the TODOs in order: step 1 to 5, then the extras 6 and 7, then
level 2's steps 8 to 11, then level 3's steps 12 to 16. Each step has its own
page in docs/student/ (step-1.md ... extra-7.md, step-8.md ... step-16.md).
Check your work at any time from the kit's folder with `make check`
(or `make check STEP=2` for one step).

Run your server from this folder with `python app.py` or `flask --app app run`,
then open http://localhost:5000/ in a browser.
"""

# TODO (step 1): Create the Flask app and answer GET / with a page.
#   from flask import Flask, then app = Flask(__name__).
#   Add a route for "/" that returns some HTML (even "Hello World!" counts).
#   At the end of this file, make `python app.py` start the server:
#       if __name__ == "__main__":
#           app.run()
#   Try it: python app.py, then open http://localhost:5000/

# TODO (step 2): Accept POST /user/ and store the profile.
#   The form sends username, food, message (and, for extra 7, password).
#   Keep them somewhere you can look up by username later (a dict is fine).
#   A POST with no username must get a 400 answer and store nothing.
#   Try it: curl -i -d username=NyanCat -d food=pizza -d message=hi localhost:5000/user/

# TODO (step 3): Create the template templates/user.html (see templates/README.md).
#   An HTML page, rendered by Flask's render_template().

# TODO (step 4): In templates/user.html, show the three fields in elements
#   whose ids are "username", "food" and "message", each holding a {{ ... }}.

# TODO (step 5): Answer GET /user/<username> with templates/user.html,
#   filled in with that user's stored profile.
#   Try it: after the curl above, open http://localhost:5000/user/NyanCat

# TODO (extra 6): For a username nobody has posted, answer 404 with an HTML
#   page that names the username (not Flask's own "Not Found" page).

# TODO (extra 7): Only club members may post: refuse a POST /user/ whose
#   `password` field is missing or differs from the CLUB_PASSWORD environment
#   variable (answer 401 or 403, and store nothing).
#   Try it: CLUB_PASSWORD=letmein python app.py

# Level 2: the club's members. Steps 8 to 11 build on your finished level 1,
# in this file and in templates/. They are graded when your instructor turns
# them on, or when you ask for one: make check STEP=8

# TODO (step 8): One layout for every page.
#   Finish templates/base.html: the club's navigation, with a link to "/".
#   Make templates/user.html start with {% extends "base.html" %}, its page in
#   a {% block content %}. GET / must render a template that extends base.html
#   too (say templates/index.html), instead of returning a string.

# TODO (step 9): Log in and out, with Flask's session.
#   Give the app a secret key: os.environ.get("SECRET_KEY") or secrets.token_hex().
#   GET /login shows templates/login.html (finish its form). POST /login checks
#   the password as extra 7 does (401 when it is wrong), then remembers the
#   member: session["username"] = username. GET /logout forgets them.
#   In base.html, an element with id="status" names the member logged in.
#   Try it: CLUB_PASSWORD=letmein python app.py, then http://localhost:5000/login

# TODO (step 10): Account details, kept on disk.
#   GET /account-details shows templates/account-details.html, its form filled
#   with the logged-in member's food and message; POST /account-details saves
#   the new ones for that member alone. Nobody logged in: redirect to /login.
#   Keep the profiles in a file in the instance folder (a JSON file, or SQLite),
#   so that they survive a restart of the server: a dict forgets them.

# TODO (step 11, bonus): A profile photo.
#   The account-details form also sends a file field named avatar. Open it with
#   Pillow (from PIL import Image) to be sure it is a PNG, JPEG or GIF (400 if
#   not); save it under a name you choose, never the uploaded file's name; show
#   it on the profile page as <img id="avatar" src="...">, served by your app.
#   Refuse uploads of 2 MiB with 413: app.config["MAX_CONTENT_LENGTH"] = (1024 + 64) * 1024
#   (a photo of 1 MiB fits, with the form's other fields around it).

# Level 3: the club grows up (in the shape of Flasky, Flask Web Development's app). Steps 12 to 16 reshape this file
# into a package, so keep a copy of your finished level 2 first. They are graded
# when your instructor turns them on, or when you ask: make check STEP=12

# TODO (step 12): A factory, configs and blueprints.
#   Move the app into a package beside this file, club/__init__.py, as a factory
#   create_app(config_name="default"); config.py holds a Config class for each
#   configuration (TestingConfig sets TESTING = True, with data kept apart), loaded
#   with app.config.from_object; every route moves into a Blueprint, registered with
#   no url_prefix (/login stays /login). This file then holds
#   `from club import create_app`, and create_app().run() in its main block.

# TODO (step 13): Members register, passwords hashed.
#   GET /register shows a form with username, password and password2; POST /register
#   keeps generate_password_hash(password) (from werkzeug.security), never the
#   password itself (400 for a bad form, 409 for a taken name). A registered member
#   logs in with check_password_hash.

# TODO (step 14, bonus): Confirm by a signed link.
#   Each registration writes a text file into instance/outbox/ with the username and
#   a link to /confirm/<token>, the token signed by itsdangerous's
#   URLSafeTimedSerializer; the profile page shows #confirmed: no, then yes.

# TODO (step 15): Roles: the administrator's editor.
#   The registered member named CLUB_ADMIN (an environment variable) may edit any
#   profile at /edit-profile/<username>; anyone else gets 403. #role on a registered
#   member's profile page reads admin or member.

# TODO (step 16): The club's own tests.
#   In tests/, pytest tests that call create_app("testing") and its test_client(),
#   each checking one thing the steps promise. They are run on your app, then on the
#   kit's reference and on its mutants: each mutant they catch earns points.
