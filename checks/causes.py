"""The causes that fail many checks at once (app.py does not load, no route takes POST /user/...).

A failed check names its cause by id (`Failure.cause`); every output a person reads names
a cause shared by two or more checks once, with its fix and its step (checks/outputs/items.py).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Cause:
    """A reason that fails many checks at once: named once in every output a person reads."""

    id: str
    title: str  # what is wrong, as a heading: "app.py does not load"
    needs: str  # what the blocked checks need: "need app.py to import and define a Flask app"
    step: str  # the step whose page says how to fix it
    doc: str


CAUSES: dict[str, Cause] = {
    cause.id: cause
    for cause in (
        Cause("app", "app.py does not load, or gives no app", "need app.py to import and define a Flask app", "1",
              "docs/student/step-1.md"),
        Cause("post-route", "no route takes POST /user/", "need a route that takes POST /user/", "2",
              "docs/student/step-2.md"),
        Cause("post-refused", "every POST /user/ is refused", "need POST /user/ to accept the club password", "7",
              "docs/student/extra-7.md"),
        Cause("template", "there is no templates/user.html", "need templates/user.html", "3",
              "docs/student/step-3.md"),
        Cause("home", "GET / is no page but a redirect", "need GET / to answer with a page", "1",
              "docs/student/step-1.md"),
        Cause("login", "POST /login does not take the club password", "need POST /login to log a member in", "9",
              "docs/student/step-9.md"),
    )
}
