"""Flask Club, level 3: the club grown up, in Flasky's shape.

The app itself is made by a factory, create_app() in the club package; this
file is what starts it (Flasky's manage.py). Run it from this folder:

    CLUB_PASSWORD=letmein python app.py      # or: flask --app app run --debug

`flask --app app` finds create_app here and calls it; the checks and the
tests call create_app() and create_app("testing") themselves.
"""

from club import create_app

if __name__ == "__main__":
    app = create_app()
    app.run()
