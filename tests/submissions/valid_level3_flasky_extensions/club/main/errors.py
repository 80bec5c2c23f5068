from flask import render_template
from werkzeug.exceptions import HTTPException

from . import main


@main.app_errorhandler(HTTPException)
def show_error(error):
    return render_template("error.html", error=error), error.code
