"""A student's app runs in its own process: what it does there fails only the checks it touches."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from conftest import failed_steps, run_checks

APP = '''\
import os
from flask import Flask, abort, redirect, render_template, request
from markupsafe import escape

app = Flask(__name__)
profiles = {}
# IMPORT

@app.get("/")
def home():
    # HOME
    return "Hello World!"

@app.post("/user/")
def save():
    # SAVE
    if request.form.get("password") != os.environ["CLUB_PASSWORD"]:
        abort(401)
    if not request.form.get("username"):
        abort(400)
    profiles[request.form["username"]] = dict(request.form)
    return redirect("/", 303)

@app.get("/user/<username>")
def show(username):
    # SHOW
    if username not in profiles:
        return f"<h1>No member called {escape(username)}</h1>", 404
    return render_template("user.html", **profiles[username])

if __name__ == "__main__":
    app.run()
'''
TEMPLATE = '<p id="username">{{ username }}</p><p id="food">{{ food }}</p><p id="message">{{ message }}</p>\n'


def submission(tmp_path: Path, **hooks: str) -> Path:
    """A valid submission with code put in at the # IMPORT, # HOME, # SAVE or # SHOW marks."""
    code = APP
    for mark, extra in hooks.items():
        indent = "" if mark == "IMPORT" else "    "
        code = code.replace(f"# {mark}", "\n".join(indent + line for line in extra.splitlines()).lstrip())
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "user.html").write_text(TEMPLATE)
    (tmp_path / "app.py").write_text(code)
    return tmp_path


def grade_fast(path: Path, *extra: str) -> tuple[dict, float]:
    """Grade with a 1 s request limit; return the JSON and the seconds it took."""
    started = time.monotonic()
    done = run_checks(path, "--format", "json", "--seed", "99", "--timeout", "1", "--import-timeout", "3", *extra)
    took = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout), took


def messages(result: dict, step: str) -> str:
    return "\n".join(check["message"] for s in result["steps"] if s["id"] == step for check in s["checks"])


def test_the_base_submission_is_valid(tmp_path):
    """The submission these tests start from gets full marks."""
    result, _ = grade_fast(submission(tmp_path))
    assert result["score"] == 100, json.dumps(result, indent=1)


def test_a_route_that_hangs_fails_alone(tmp_path):
    """GET / sleeping a minute fails GET / within the time limit; every other step is still graded."""
    result, took = grade_fast(submission(tmp_path, HOME="import time\ntime.sleep(60)"))
    assert failed_steps(result) == {"1"}
    assert "did not answer GET / within 1 s" in messages(result, "1")
    assert took < 30


def test_an_endless_loop_at_import_is_cut_off(tmp_path):
    """An app that never finishes importing fails every app check; the template steps are still graded."""
    result, took = grade_fast(submission(tmp_path, IMPORT="while True:\n    pass"))
    assert failed_steps(result) == {"1", "2", "5", "6", "7"}
    assert "did not finish importing within 3 s" in messages(result, "2")
    assert took < 30


def test_sys_exit_at_import_is_reported(tmp_path):
    """sys.exit() while importing is named as such, under step 1."""
    result, _ = grade_fast(submission(tmp_path, IMPORT="import sys\nsys.exit(3)"))
    assert failed_steps(result) == {"1", "2", "5", "6", "7"}
    assert "app.py called sys.exit(3) while being imported" in messages(result, "1")


def test_app_run_at_import_is_named_at_once(tmp_path):
    """app.run() outside the __main__ block would block the import: it is reported without waiting."""
    code = APP.replace('if __name__ == "__main__":\n    app.run()', "app.run(debug=True)")
    path = submission(tmp_path)
    (path / "app.py").write_text(code)
    result, took = grade_fast(path, "--import-timeout", "20")
    assert failed_steps(result) == {"1", "2", "5", "6", "7"}
    assert "app.py calls app.run() while being imported" in messages(result, "2")
    assert "(app.py line" in messages(result, "2")
    assert took < 15


def test_a_process_that_dies_in_a_route_fails_that_check_only(tmp_path):
    """os._exit() for usernames with a space kills the app in one check; it is restarted for the next."""
    result, _ = grade_fast(submission(tmp_path, SHOW="if ' ' in username:\n    print('x' * 5000)\n    os._exit(7)"))
    assert failed_steps(result) == {"5"}
    assert "exited with code 7 while answering GET /user/" in messages(result, "5")
    assert "your app printed:" in messages(result, "5") and "earlier characters not shown" in messages(result, "5")
    assert len(messages(result, "5")) < 4000


def test_an_exception_names_its_type_and_line(tmp_path):
    """An error in a route reads "raised KeyError: 'x' (app.py line N)", not a traceback."""
    result, _ = grade_fast(submission(tmp_path, SAVE="raise KeyError('food')"))
    said = messages(result, "2")
    assert "your app raised KeyError: 'food' (app.py line" in said
    assert "Traceback" not in json.dumps(result)


def test_printing_megabytes_keeps_the_json_clean(tmp_path):
    """What the app prints never reaches the grader's standard output."""
    noise = "print('x' * 1_000_000)\nimport sys\nsys.stdout.write('{\"score\": 100}\\n' * 1000)"
    result, _ = grade_fast(submission(tmp_path, IMPORT=noise, HOME=noise, SAVE=noise))
    assert result["score"] == 100


def test_a_submission_without_app_py_says_where_it_is(tmp_path):
    """Work nested one folder down is named in the message."""
    (tmp_path / "inner").mkdir()
    submission(tmp_path / "inner")
    result, _ = grade_fast(tmp_path)
    assert "there is one at inner/app.py" in messages(result, "2")


@pytest.mark.parametrize("limit", ["2"])
def test_the_submission_time_limit_stops_grading(tmp_path, limit):
    """A submission that uses up its time gets its remaining checks failed as not run, quickly."""
    result, took = grade_fast(
        submission(tmp_path, HOME="import time\ntime.sleep(60)", SHOW="import time\ntime.sleep(60)"),
        "--submission-timeout",
        limit,
    )
    assert "not run" in json.dumps(result)
    assert took < 20


def test_a_byte_order_mark_is_not_a_syntax_error(tmp_path):
    """app.py saved with a BOM (as Windows Notepad does) imports, and its __main__ block is read."""
    path = submission(tmp_path)
    (path / "app.py").write_bytes(b"\xef\xbb\xbf" + APP.encode())
    result, _ = grade_fast(path)
    assert result["score"] == 100


def test_a_factory_raising_a_path_is_shown_with_the_submissions_own_path(tmp_path):
    """create_app() raising an error that names a file of the copy (a circular import) shows it as the student
    knows it (club/admin.py), never the sandbox's folder."""
    path = submission(tmp_path)
    (path / "club").mkdir()
    (path / "club" / "__init__.py").write_text("from flask import Flask\n\ndef create_app(name='default'):\n"
                                               "    from club import admin\n    return Flask(__name__)\n")
    (path / "club" / "admin.py").write_text("import os\nraise ImportError(f'cannot import name role_of from "
                                            "partially initialized module club.admin ({os.path.abspath(__file__)})')\n")
    (path / "app.py").write_text('from club import create_app\n\nif __name__ == "__main__":\n    create_app().run()\n')
    result, _ = grade_fast(path, "--step", "1")
    said = messages(result, "1")
    assert "create_app() raised ImportError" in said and "(club/admin.py)" in said, said
    assert "/app/" not in said and "copy-" not in said, said
