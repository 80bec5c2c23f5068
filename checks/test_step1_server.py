"""Step 1: A Flask server. app.py defines a Flask app that answers GET / and runs with `python app.py`."""

from __future__ import annotations

from checks.club import Club, load_error
from checks.notes import Notes
from checks.run.pytest_plugin import Grading
from checks.source import main_block


def test_app_imports(club: Club, notes: Notes) -> None:
    """app.py imports and defines a Flask app"""
    # The `club` fixture has already failed this check if app.py did not load.
    notes.add("app.py imported, and it defines a Flask app")


def test_home_page_is_html(club: Club) -> None:
    """GET / answers 200 with an HTML page"""
    reply = club.get("/")
    club.expect_page(reply, 200, "GET /", "is there a route for \"/\"? (@app.route(\"/\") above a function)")


def test_app_serves_over_http(club: Club, grading: Grading, notes: Notes) -> None:
    """the app answers over real HTTP when started as a process"""
    port = club.serve_http()
    try:
        # In the sandbox, over its own loopback: the whole answer within the request limit.
        timeout = max(grading.request_timeout(), 1.0)
        hint = "does app.run() get called with a fixed port of its own, or does something stop it starting?"
        response = club.http_get(port, "/", timeout, hint)
        notes.add(f"started the app as a server on a free port; GET / over HTTP → {response.status}")
    finally:
        club.stop_http()


def test_main_block_runs_server(grading: Grading, notes: Notes) -> None:
    """running python app.py starts the server on port 5000"""
    source = grading.workspace.app_source
    if source is None:
        notes.fail("there is no app.py in your submission", "app.py goes at the top of your server's folder")
    found = main_block(source)
    if found:
        problem, hint = found
        stops = "syntax error" in problem or "while being imported" in problem
        notes.fail(problem, hint, cause="app" if stops else None)
    error = load_error(grading.sandbox())
    if error is not None:
        if "app.py imports, but" in error or "not a Flask app" in error:
            # It imports: `python app.py` runs the block (the checks only can't find the app by its name).
            notes.add('app.py calls .run() under `if __name__ == "__main__":`, on port 5000, and imports')
            return
        notes.fail(
            'app.py calls app.run() under `if __name__ == "__main__":`, but importing app.py fails, so '
            f"`python app.py` stops before it gets there: {error}",
            "fix the error above first: step 1's first check names it",
            cause="app",
        )
    notes.add('app.py calls app.run() under `if __name__ == "__main__":`, on port 5000, and imports')
