"""The hint a check gives when the app did not load, by what the error says (checks/club.py's not_loaded).

Every check that needs the app fails with the load error under step 1's cause; what the student should do
next depends on the error: a package the grader lacks, a syntax error, no app found, a server started at
import, or (level 3) create_app() failing, a circular import between the blueprints' modules first of all.
"""

from __future__ import annotations

import flask
import pytest
from test_hint_selection import club_of

from checks.notes import CheckFailed

CIRCULAR = ("create_app() raised ImportError: cannot import name 'role_of' from partially initialized module "
            "'club.admin' (most likely due to a circular import) (club/admin.py)")


@pytest.mark.parametrize(
    ("error", "hint"),
    [
        ("importing app.py raised ModuleNotFoundError: No module named 'flask_mail'",
         "the grader has only Flask and its dependencies"),
        ("importing app.py raised SyntaxError: expected ':' (app.py line 3)", "fix the line the error names"),
        ("app.py imports, but defines neither `app` nor `create_app`", "create the app at the top level of app.py"),
        ("app.py calls app.run() while being imported", 'put app.run() under `if __name__ == "__main__":`'),
        (CIRCULAR, "two of your modules import each other: import a blueprint's module inside create_app(), or "
                   "move what both need into a module of its own (docs/student/troubleshooting.md#a-circular-import)"),
        ("create_app() raised KeyError: 'SECRET_KEY' (config.py line 4)",
         "app.py loads, but create_app() raised: the line named is in your factory or a module it imports; start "
         "it yourself (`make run`) to see the whole error"),
        ("importing app.py raised KeyError: 'x' (app.py line 9)",
         "every check that needs your app fails until app.py imports and defines it; start it yourself (`make run`) "
         "to see the whole error"),
    ],
)
def test_a_load_error_gets_the_hint_for_what_it_says(error, hint):
    club = club_of(flask.Flask(__name__), "1", not_loaded=error)
    with pytest.raises(CheckFailed) as failed:
        club.ensure_loaded()
    said = failed.value.failure
    assert said.hint.startswith(hint), said.hint
    assert said.problem == f"your app could not be loaded (step 1): {error}"
    assert said.cause == "app"


def test_the_troubleshooting_page_has_the_section_the_circular_import_hint_names():
    from conftest import ROOT

    page = (ROOT / "docs" / "student" / "troubleshooting.md").read_text()
    assert "\n## A circular import\n" in page or "\n### A circular import\n" in page
