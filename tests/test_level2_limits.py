"""Level 2 against apps that push its limits: each fails only its own checks, and grading goes on.

A session cookie of 1 MiB, a photo that answers 100 MiB, a login that redirects to itself
for ever: the checks neither hang nor break, and the app's other checks keep their verdicts.
"""

from __future__ import annotations

import shutil
import time

import pytest
from conftest import SUBMISSIONS, write_level2_rubric

VALID = SUBMISSIONS / "valid_level2_signed_session"


def variant(tmp_path, *edits: tuple[str, str]):
    """A copy of the valid level-2 sample with text edits to its app.py, each of text found once."""
    folder = tmp_path / "submission"
    shutil.copytree(VALID, folder)
    source = (folder / "app.py").read_text()
    for old, new in edits:
        assert source.count(old) == 1, old
        source = source.replace(old, new)
    (folder / "app.py").write_text(source)
    return folder


def failures(result: dict) -> dict[str, str]:
    checks = [check for step in result["steps"] for check in step["checks"]]
    return {check["name"]: check["message"] for check in checks if not check["passed"]}


def graded(grade, folder, step: str) -> tuple[dict, float]:
    started = time.monotonic()
    result = grade(folder, "--step", step)
    return result, time.monotonic() - started


def test_a_session_cookie_of_1_mib_breaks_nothing(tmp_path, grade):
    """An app whose login puts 1 MiB of random text in the session still gets step 9 graded, check by check."""
    folder = variant(
        tmp_path,
        ('    session["username"] = username\n', '    session["username"] = username\n'
         '    session["padding"] = secrets.token_hex(1 << 19)\n'),
    )
    result, _ = graded(grade, folder, "9")
    assert not any(message.startswith("the check itself broke") for message in failures(result).values())
    assert result["score"] == result["max_score"], failures(result)


def test_a_photo_of_100_mib_fails_only_its_check(tmp_path, grade):
    """A photo whose URL answers 100 MiB is cut at the answer limit: only "… shown … byte for byte" fails."""
    folder = variant(
        tmp_path,
        ("    return send_from_directory(AVATARS, name)\n",
         "    return app.response_class((bytes(1 << 20) for _ in range(100)), mimetype=\"image/png\")\n"),
    )
    result, _ = graded(grade, folder, "11")
    failed = failures(result)
    assert list(failed) == [
        "a PNG, a JPEG and a GIF uploaded as avatar are each shown on the member's page, byte for byte"
    ], failed
    assert "cut at" in next(iter(failed.values()))


@pytest.mark.parametrize("step", ["9", "10"])
def test_a_login_loop_fails_only_the_checks_that_log_in(tmp_path, grade, step):
    """POST /login and GET /login redirecting to /login for ever: the checks follow no redirect, and go on."""
    folder = variant(
        tmp_path,
        ('    if request.method == "GET":\n        return render_template("login.html")\n',
         '    return redirect(url_for("login"), 302)\n'),
    )
    result, seconds = graded(grade, folder, step)
    failed = failures(result)
    assert not any(message.startswith("the check itself broke") for message in failed.values())
    assert all("did not answer" not in message for message in failed.values()), failed
    kept = {
        "9": set(),  # every check of step 9 logs in or reads /login (a wrong password answers 302, not 401)
        "10": {"not logged in, GET and POST /account-details are refused and change nothing",
               "every profile reads back unchanged after the app is stopped and started again"},
    }[step]
    names = {check["name"] for s in result["steps"] for check in s["checks"]}
    assert kept <= names - set(failed), failed
    assert seconds < 120


def test_an_app_that_does_not_load_fails_every_level_2_check_saying_why(tmp_path, grade):
    """Where app.py does not load, every check of level 2 says so, with the error (started once, not 15 times)."""
    level2 = write_level2_rubric(tmp_path)
    result = grade(SUBMISSIONS / "broken_syntax_error", "--rubric", level2)
    app_checks = [
        check
        for step in result["steps"]
        if step["id"] in ("9", "10", "11")
        for check in step["checks"]
    ]
    assert len(app_checks) == 13
    for check in app_checks:
        assert not check["passed"]
        assert "could not be loaded (step 1)" in check["message"] and "SyntaxError" in check["message"], check


def test_what_the_app_writes_survives_a_restart_on_the_same_copy(tmp_path):
    """Step 10 stops the app and starts it again on the same copy: a file it wrote in its folder is still there."""
    import flask

    from checks.sandbox.isolation import choose
    from checks.sandbox.limits import Limits
    from checks.sandbox.sandbox import Sandbox
    from checks.sandbox.wsgi import RemoteApp

    root = tmp_path / "copy" / "submission"
    root.mkdir(parents=True)
    (root / "app.py").write_text(
        "import os\n"
        "from flask import Flask, request\n"
        "app = Flask(__name__, instance_relative_config=True)\n"
        "os.makedirs(app.instance_path, exist_ok=True)\n"
        "NOTE = os.path.join(app.instance_path, 'note.txt')\n"
        "@app.post('/')\n"
        "def write():\n"
        "    open(NOTE, 'w').write(request.form['text'])\n"
        "    return 'ok'\n"
        "@app.get('/')\n"
        "def read():\n"
        "    return open(NOTE).read() if os.path.exists(NOTE) else 'nothing'\n"
    )
    sandbox = Sandbox(root, {"CLUB_PASSWORD": "x"}, Limits(), isolation=choose(others_work=False))
    proxy = flask.Flask("proxy")
    proxy.wsgi_app = RemoteApp(sandbox)
    client = proxy.test_client()
    try:
        sandbox.ready()
        assert client.post("/", data={"text": "kept on disk"}).status_code == 200
        sandbox.kill()
        sandbox.ready()
        assert client.get("/").get_data(as_text=True) == "kept on disk"
    finally:
        sandbox.kill()
