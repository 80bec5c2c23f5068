"""Flask Club, level 3, built as Flask Web Development's Flasky is: Flask-SQLAlchemy, Flask-Login, Flask-WTF.

The book's flasky.py is this app.py: the package is club/ (app is this file's name), its blueprints are
registered without the book's url_prefix="/auth", and config.py sets WTF_CSRF_ENABLED = False.
"""

from club import create_app

app = create_app()

if __name__ == "__main__":
    app.run()
