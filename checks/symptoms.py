"""Hints chosen by what the app answered, shared by the checks of several steps.

A `Club` reads its check's answers for these (`Club.observed`): a POST /user/ with no route
(404, 405) or refused with the club password (401, 403), a home page that redirects, a
template not found or reading a variable render_template does not pass.
"""

from __future__ import annotations

import jinja2
from jinja2 import meta

from checks.reply import Reply

# What the grader has: an app that imports anything else fails here (docs/student/README.md).
GRADER_HAS = (
    "the grader has only Flask and its dependencies, Pillow, level 3's extensions (Flask-Login, Flask-WTF, "
    "Flask-SQLAlchemy, email-validator) and Python's standard library: an import of any other package fails "
    "there, even where it works on your computer"
)


def template_variables(source: str | None) -> list[str]:
    """The names a template's source reads from render_template (sorted; [] if it can't be parsed)."""
    if not source:
        return []
    try:
        names = meta.find_undeclared_variables(jinja2.Environment().parse(source))
    except jinja2.TemplateError:
        return []
    flask_globals = {"request", "session", "g", "config", "url_for", "get_flashed_messages", "self", "range"}
    return sorted(names - flask_globals)


def variables_hint(source: str | None) -> str:
    """The template's variable names, and that render_template must pass the same ones."""
    names = template_variables(source)
    if not names:
        return (
            "the element is there but empty: the template's {{ … }} names a variable that render_template "
            "does not pass; use the same names on both sides"
        )
    listed = ", ".join(names)
    passed = ", ".join(f"{name}=…" for name in names)
    return (
        f"templates/user.html reads the variable{'s' if len(names) > 1 else ''} {listed}: "
        f'render_template("user.html", {passed}) must pass the same name{"s" if len(names) > 1 else ""} '
        "(a name it does not pass shows as nothing)"
    )


# Hints chosen by what came back, for a POST /user/ the checks expected the app to take.
ROUTE_HINTS = {
    404: "there is no route for POST /user/: add @app.post(\"/user/\") (with `user` singular and the trailing "
    "slash) above the function that stores the profile",
    405: "the /user/ route does not take POST: give it methods=[\"POST\"], or use @app.post(\"/user/\")",
}
PASSWORD_HINT = (
    "the checks send CLUB_PASSWORD's value (random each run) as the `password` field: "
    "read it with os.environ['CLUB_PASSWORD'], don't type it into app.py"
)


def home_hint(reply: Reply) -> str:
    """GET / answered with a redirect: the home page must be a page of its own."""
    return (
        f"GET / sends visitors on to {reply.headers.get('location', 'another page')}: the home page must answer "
        "with a page of its own (200), for everyone, logged in or not; link to other pages from it"
    )
