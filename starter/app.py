"""Flask Club: your server.

Work through the TODOs in order: step 1 to 5, then the extras 6 and 7.
Each step has its own page in docs/student/ (step-1.md ... extra-7.md).
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
