"""What a person reads about failures: one cause named once, the hint that fits what came back, replay.

Structured failures (checks/results.py) are rendered by every format from their fields;
a shared cause (app.py does not load, no route for POST /user/...) is named once with the
checks it blocks; hints are chosen by what the app answered; each failing request can be
replayed with curl; text from the app can break no output; the docs quote real output.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import pytest
from conftest import ROOT, STARTER, SUBMISSIONS, flask_run, grade_submission, run_checks
from fakes import fake_grade

from checks import integrity
from checks.cli import main
from checks.outputs.feedback import feedback_markdown, feedback_text
from checks.outputs.formats import RENDERERS
from checks.outputs.items import failed_items
from checks.outputs.wording import md
from checks.replay import curl
from checks.results import Failure, Grade
from checks.symptoms import template_variables


def failures(result: dict) -> dict[str, dict]:
    """Each failed check's `failure` object, by the check's name."""
    return {c["name"]: c["failure"] for s in result["steps"] for c in s["checks"] if not c["passed"]}


def hints(result: dict) -> set[str]:
    return {failure["hint"] for failure in failures(result).values() if failure and failure["hint"]}


# -- one cause, one message -------------------------------------------------------------
@pytest.fixture(scope="module")
def starter():
    """The untouched starter, graded once: JSON, the student's text and Markdown."""
    result = grade_submission(STARTER, seed=11)
    text = run_checks(STARTER, "--seed", "11", "--student").stdout
    markdown = run_checks(STARTER, "--seed", "11", "--student", "--format", "markdown").stdout
    return result, text, markdown


def test_the_starter_names_each_cause_once(starter):
    """The starter's 21 failures are three things to fix: app.py, the main block and the template."""
    result, text, markdown = starter
    why = "defines neither `app = Flask(__name__)` nor a `create_app()` factory"
    assert text.count(why) == 1 and markdown.count(why) == 1
    assert "✗ app.py does not load, or gives no app (step 1)" in text
    assert re.search(r"blocked: 1[45] checks need app.py to import and define a Flask app:", text)
    assert "blocked: 6 checks need templates/user.html:" in text
    assert text.count("there is no templates/user.html in your submission") == 1
    assert "3 things to fix" in text
    assert len(text.splitlines()) < 70


def test_json_keeps_one_entry_per_check_with_its_cause(starter):
    """JSON: every check keeps its own full message, and `blocked_by` names the shared cause."""
    result, _, _ = starter
    checks = {c["name"]: c for s in result["steps"] for c in s["checks"]}
    home = checks["GET / answers 200 with an HTML page"]
    assert home["blocked_by"] == "app" and "defines neither" in home["message"]
    assert home["failure"]["problem"].startswith("your app could not be loaded")
    assert checks["templates/user.html is HTML"]["blocked_by"] == "template"
    assert checks["running python app.py starts the server on port 5000"]["blocked_by"] is None
    assert set(result["causes"]) == {"app", "template"}


def test_feedback_files_and_gradescope_name_the_cause_once(starter):
    """The feedback file (Markdown and text) and Gradescope's output say the cause once, then 'blocked'."""
    result, _, _ = starter
    why = "defines neither `app = Flask(__name__)`"
    for text in (feedback_markdown(result, "ada"), feedback_text(result, "ada")):
        assert text.count(why) == 1 and "blocked: " in text
    grade = Grade.from_dict(result)
    gradescope = json.loads(RENDERERS["gradescope"](grade))
    outputs = [test["output"] for test in gradescope["tests"]]
    assert sum(why in output for output in outputs) == 1
    assert sum(output.startswith("blocked: this check needs app.py") for output in outputs) >= 13
    assert "app.py does not load" in gradescope["output"]


def test_a_missing_route_is_one_block_with_the_route_hint(grade):
    """No route for POST /user/ (a 405 here): one block, the route's hint, the checks it blocks."""
    result = grade(SUBMISSIONS / "mistake_user_route_get_only")
    blocked = [c for s in result["steps"] for c in s["checks"] if c["blocked_by"] == "post-route"]
    assert len(blocked) == 10
    first = blocked[0]["failure"]
    assert (first["expected"], first["actual"]) == ("2xx, or a 3xx redirect", "405 text/html")
    assert first["log"][0].startswith("POST /user/ with username=") and first["log"][0].endswith("→ 405 text/html")
    assert all('methods=["POST"]' in c["failure"]["hint"] for c in blocked)
    text = RENDERERS["text"](Grade.from_dict(result))
    assert text.count("✗ no route takes POST /user/ (step 2)") == 1
    assert "compare the passwords" not in text and "answer 400" not in text


def test_a_404_on_post_is_the_route_not_the_password(grade):
    """/users/ instead of /user/: the 400 and refusal checks hint at the route, not at 400 or passwords."""
    result = grade(SUBMISSIONS / "mistake_users_route")
    found = failures(result)
    for name in ("POST /user/ without a username, or with an empty one, answers 400",
                 "POST /user/ without the password is refused (401 or 403) and stores nothing"):
        assert "there is no route for POST /user/" in found[name]["hint"], name
        assert found[name]["cause"] == "post-route"


def test_a_refused_post_is_one_block(grade):
    """A password typed into app.py: every POST is refused, one cause names CLUB_PASSWORD."""
    result = grade(SUBMISSIONS / "mistake_hardcoded_password")
    causes = {c["blocked_by"] for s in result["steps"] for c in s["checks"] if not c["passed"]}
    assert "post-refused" in causes
    text = RENDERERS["text"](Grade.from_dict(result))
    assert text.count("✗ every POST /user/ is refused (extra 7)") == 1


def test_repeats_collapse_and_a_lone_cause_is_shown_in_full():
    """Two checks failing alike: the second says 'the same as'; a cause shared by one check is not a block."""
    same = "saw the same thing\nread: x"
    grade = fake_grade(failing={"test_template_exists", "test_template_is_html", "test_post_user_is_accepted"},
                       messages={"test_template_exists": same, "test_template_is_html": same})
    items = failed_items(grade)
    assert [bool(item.same_as) for item in items] == [False, False, True]  # step 2 first, then step 3 twice
    grade.steps[1].checks[0].failure = Failure("no route", cause="post-route")
    assert all(item.cause is None for item in failed_items(grade))
    text = RENDERERS["text"](grade)
    assert "the same as for “the check test_template_exists holds” above" in text


# -- hints chosen by what was observed ----------------------------------------------------
@pytest.mark.parametrize(
    ("submission", "hint"),
    [
        ("mistake_template_variable_names", 'render_template("user.html", food=…, message=…, username=…)'),
        ("mistake_template_undefined_object", 'templates/user.html reads the variable user: render_template'),
        ("mistake_ids_swapped", "#food shows the message: each id goes on the element"),
        ("mistake_redirect_to_number", "your POST redirects to /user/"),
        ("mistake_user_route_get_only", 'the /user/ route does not take POST: give it methods=["POST"]'),
        ("mistake_users_route", 'there is no route for POST /user/: add @app.post("/user/")'),
        ("mistake_hardcoded_password", "read it with os.environ['CLUB_PASSWORD']"),
        ("broken_module_not_found", "the grader has only Flask and its dependencies, Pillow"),
        ("broken_syntax_error", "fix the line the error names"),
        ("broken_no_app", "create the app at the top level of app.py"),
        ("mistake_run_at_import", 'put app.run() under `if __name__ == "__main__":`'),
        ("mistake_main_block_before_routes", "move the `if __name__ == \"__main__\":` block to the very end"),
        ("mistake_no_main_block", 'end app.py with:  if __name__ == "__main__":  app.run()'),
        ("mistake_run_port_8080", "call app.run() without a port"),
    ],
)
def test_the_hint_matches_what_came_back(grade, submission, hint):
    """Each symptom gets the hint it points at, and no other symptom's hint."""
    found = hints(grade(SUBMISSIONS / submission))
    assert any(hint in text for text in found), found


def test_the_template_mismatch_gets_no_unrelated_hint(grade):
    """Empty fields: no talk of the wrong user, shared storage, URL encoding or double escaping."""
    found = " ".join(hints(grade(SUBMISSIONS / "mistake_template_variable_names")))
    for wrong in ("last one posted", "share one stored profile", "URL-encoded", "escaped twice"):
        assert wrong not in found


def test_template_variables_are_read_from_the_source():
    """jinja2's meta finds the names a template reads, not the ones it sets or Flask's globals."""
    source = "{% set x = 1 %}{{ user.food }} {{ x }} {{ url_for('a') }} {% for m in messages %}{{ m }}{% endfor %}"
    assert template_variables(source) == ["messages", "user"]
    assert template_variables("{{ broken }") == []


# -- step 1: the main block -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("submission", "said"),
    [
        ("broken_duplicate_endpoint", "importing app.py fails, so `python app.py` stops before it gets there"),
        ("mistake_run_at_import", "`python app.py` does start the server there, but so does every import"),
        ("mistake_main_block_before_routes", "starts serving before they exist"),
        ("broken_syntax_error", "so `python app.py` stops before it starts anything"),
    ],
)
def test_the_port_check_says_what_is_true(grade, submission, said):
    """'running python app.py starts the server' fails with the true reason in each case."""
    found = failures(grade(SUBMISSIONS / submission))["running python app.py starts the server on port 5000"]
    assert said in found["problem"]


# -- replay ------------------------------------------------------------------------------------
def test_curl_sends_the_same_data_with_the_password_as_a_variable():
    command = curl("POST", "/user/", {"username": "Zoë O'Neil", "password": "s3cret"}, "s3cret")
    assert command == (
        "curl -i --data-urlencode 'username=Zoë O'\"'\"'Neil' --data-urlencode \"password=$CLUB_PASSWORD\" "
        "http://localhost:5000/user/"
    )
    assert curl("GET", "/user/Zo%C3%AB", None, "x") == "curl -i http://localhost:5000/user/Zo%C3%AB"
    assert "--data-urlencode password=wrong" in curl("POST", "/user/", {"password": "wrong"}, "right")


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_replay_reproduces_the_failure_against_the_students_server(grade, tmp_path):
    """The replay commands, pasted against the app run as `make run` does, get the answer the check got."""
    submission = SUBMISSIONS / "mistake_user_route_get_only"
    failure = failures(grade(submission))["POST /user/ with username, food, message and password is accepted"]
    env = {"CLUB_PASSWORD": "letmein", "PATH": "/usr/bin:/bin"}
    with flask_run(submission, env, seconds=30) as port:
        command = failure["replay"][0].replace("localhost:5000", f"localhost:{port}")
        done = subprocess.run(["sh", "-c", command], env=env, capture_output=True, text=True, timeout=30)
        assert done.stdout.startswith("HTTP/1.1 405")


def test_student_messages_speak_make(starter):
    """In the handout (--student) every command a message prints is the make form."""
    _, text, markdown = starter
    assert "make check SEED=11" in text and "--seed" not in text and "python -m checks" not in text
    assert "make check SEED=11" in markdown


@pytest.mark.parametrize(
    ("option", "said"),
    [
        (["--step", "99"], "make: STEP: there is no step '99': steps are 1 to {last}, one (9), a range (8-11) or a "
                           "list (9,10) (such as make check STEP=2, STEP=8-11 or STEP=9,10)"),
        (["--step", "11-8"], "make: STEP: the range '11-8' runs backwards: write it low to high, such as 8-11 "
                             "(such as make check STEP=2, STEP=8-11 or STEP=9,10)"),
        (["--level", "4"], "make: there is no level '4': LEVEL is 1, 2 or 3 (such as make check LEVEL=2)"),
        (["--level", "2", "--step", "9"], "make: --step and --level: give one of them (--step 8-11 is level 2's "
                                          "steps)"),
    ],
)
def test_a_bad_step_or_level_is_one_line_in_the_handout(option, said):
    """make check STEP=99 (or LEVEL=4): one line saying what a step or level may be, not the whole usage."""
    from checks.rubric import ALL_STEP_IDS

    done = run_checks(STARTER, "--student", *option)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [said.format(last=ALL_STEP_IDS[-1])]


def test_a_level_or_a_list_of_steps_grades_those_steps_and_says_so():
    """--level 2, --step 8-11 and --step 9,10 grade exactly those steps; the header names what was graded."""
    for option, steps, header in (
        (["--level", "2"], ["8", "9", "10", "11"], "level 2"),
        (["--step", "8-11"], ["8", "9", "10", "11"], "level 2"),
        (["--step", "9,10"], ["9", "10"], "steps 9, 10"),
    ):
        done = run_checks(STARTER, "--student", "--format", "json", "--seed", "4", *option)
        assert [step["id"] for step in json.loads(done.stdout)["steps"]] == steps, option
        text = run_checks(STARTER, "--student", "--seed", "4", *option).stdout
        assert text.splitlines()[0] == f"Flask Club checks for {STARTER}: {header} (seed 4)", option


def test_a_hint_in_the_handout_names_make_hint(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["--student", "--hint", "5"]) == 0
    assert "`make hint STEP=5` again shows hint 2" in capsys.readouterr().out


def test_the_handout_requires_nothing_of_the_solution():
    from tools.handout import handout_requirements

    text = handout_requirements((ROOT / "requirements.txt").read_text())
    assert "waitress" not in text and "solution" not in text and "serve" not in text
    assert "flask==" in text and "pillow==" in text


def test_make_run_in_the_handout_prints_its_password():
    makefile = (ROOT / "templates" / "handout" / "Makefile").read_text()
    run = makefile[makefile.index("\nrun:"):]
    assert "export CLUB_PASSWORD=" in run and "watch:" in makefile


# -- a void grade ------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(RENDERERS))
def test_a_void_grade_is_zero_in_every_format_and_says_why(name):
    """Modified checks: every format reports 0 points and says the grade does not count."""
    grade = fake_grade(failing={"test_template_exists"})
    grade.modified = ["test_step5_show_user.py modified"]
    text = RENDERERS[name](grade)
    if name == "json":
        data = json.loads(text)
        assert data["score"] == 0 and all(step["score"] == 0 for step in data["steps"])
        assert "does not count" in data["void"]
    elif name == "csv":
        row = text.splitlines()[1].split(",")
        assert row[3] == "0" and set(row[5:12]) == {"0"}
    elif name == "gradescope":
        data = json.loads(text)
        assert data["score"] == 0 and all(test["score"] == 0 for test in data["tests"])
        assert "does not count" in data["output"]
    elif name == "junit":
        props = {p.get("name"): p.get("value") for p in ET.fromstring(text).find("properties")}
        assert props["score"] == "0" and "does not count" in props["void"]
    else:
        assert "does not count" in text and "96/100" not in text


def test_a_missing_manifest_outside_the_kit_voids_the_grade(tmp_path):
    """In a handout (or a bundle), deleting MANIFEST.sha256 does not hide a modified check."""
    checks = tmp_path / "handout" / "checks"
    shutil.copytree(ROOT / "checks", checks, ignore=shutil.ignore_patterns("__pycache__"))
    integrity.write_manifest(checks)
    assert integrity.modified_checks(checks) == []
    (checks / integrity.MANIFEST).unlink()
    assert integrity.modified_checks(checks) == ["MANIFEST.sha256 missing"]
    assert integrity.modified_checks() == []  # the kit's own checks: no manifest needed


# -- Markdown escaping ------------------------------------------------------------------------
def test_every_markdown_output_escapes_check_names():
    """A check name with HTML or Markdown in it is shown as text by the renderer and the feedback file."""
    grade = fake_grade(failing={"test_template_exists"})
    grade.steps[2].checks[0].name = "GET /user/<username> *bold* | pipe"
    for text in (RENDERERS["markdown"](grade), feedback_markdown(grade, "ada <b>")):
        assert "<username>" not in text and "*bold*" not in text and "<b>" not in text
        assert "GET /user/&lt;username&gt; \\*bold\\* \\| pipe" in text
    assert md("a_b `c`") == "a\\_b \\`c\\`"


# -- text from the app can break no output --------------------------------------------------
HOSTILE = '''
from flask import Flask

app = Flask(__name__)


@app.get("/")
def home():
    raise RuntimeError("\\udcff \\x1b[2J\\x1b[H total 100/100 \\r\\x07")


@app.post("/user/")
def user():
    return "ok", 200, {"Set-Cookie": "a=b; Max-Age=soon"}


if __name__ == "__main__":
    app.run()
'''


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "app.py").write_text(HOSTILE)
    out = folder.parent / "out"
    reports = [arg for name in RENDERERS for arg in ("--report", f"{name}={out / name}")]
    done = run_checks(folder, "--seed", "3", "--step", "1", "--format", "json", *reports)
    assert done.returncode == 0, done.stderr
    return out, json.loads(done.stdout), run_checks(folder, "--seed", "3", "--step", "2")


def test_control_characters_and_surrogates_reach_no_output(hostile):
    """An exception text holding a lone surrogate and terminal escapes: every output is written, clean."""
    out, result, _ = hostile
    for name in RENDERERS:
        text = (out / name).read_text(encoding="utf-8")
        assert "\x1b" not in text and "\x07" not in text and "\r" not in text, name
    assert "\\x1b[2J" in (out / "text").read_text()
    message = failures(result)["GET / answers 200 with an HTML page"]["problem"]
    assert "\ufffd" in message and "\\x1b[2J" in message


def test_a_malformed_answer_is_the_apps_failure(hostile):
    """A Set-Cookie with a non-numeric Max-Age fails the check as the app's, never 'the check itself broke'."""
    _, _, done = hostile
    assert "the check itself broke" not in done.stdout
    assert "is malformed: reading it raised ValueError" in done.stdout


# -- the docs quote real output ---------------------------------------------------------------
QUOTE = re.compile(r"<!-- output: (\S+) -->\n```[a-z]*\n(.*?)\n```", re.DOTALL)


def quotes() -> list[tuple[str, str, str]]:
    found = []
    for page in sorted((ROOT / "docs").rglob("*.md")):
        for submission, block in QUOTE.findall(page.read_text(encoding="utf-8")):
            found.append((page.relative_to(ROOT).as_posix(), submission, block))
    return found


def test_the_docs_quote_output():
    assert len(quotes()) >= 5


@pytest.mark.parametrize(("page", "submission", "block"), quotes(), ids=lambda value: str(value)[:40])
def test_each_quoted_line_is_real_output(page, submission, block):
    """Every line the docs quote after `<!-- output: DIR -->` is printed by `make check` on DIR (… is any text)."""
    printed = run_checks(ROOT / submission, "--student", "--seed", "1").stdout.splitlines()
    for line in block.splitlines():
        if line.strip() == "…":
            continue
        pattern = re.compile(".*".join(re.escape(part) for part in line.rstrip().split("…")) + r"\s*$")
        assert any(pattern.fullmatch(real.rstrip()) for real in printed), f"{page}: not printed: {line!r}"


# -- watch mode ------------------------------------------------------------------------------
def test_watch_shows_only_what_changed(tmp_path):
    """After the first report, a save prints the checks that now pass or fail and the new total."""
    import io
    import threading

    from checks import watch

    (tmp_path / "app.py").write_text("x = 1\n")
    grades = iter([
        fake_grade(failing={"test_template_exists", "test_home_page_is_html"}),
        fake_grade(failing={"test_home_page_is_html", "test_post_user_is_accepted"}),
    ])
    out = io.StringIO()

    def save_later():
        time.sleep(0.5)
        (tmp_path / "app.py").write_text("x = 22\n")

    threading.Thread(target=save_later).start()
    watch.watch(tmp_path, lambda: next(grades), RENDERERS["text"], out=out, polls=12)
    first, _, rest = out.getvalue().partition("Watching")
    assert "Flask Club checks for" in first
    assert "saved app.py: " in rest
    assert "✓ now passes: step 3  the check test_template_exists holds" in rest
    assert "✗ now fails: step 2: the check test_post_user_is_accepted holds" in rest
    assert "test_home_page_is_html" not in rest  # it failed before and after: not repeated


def test_watch_shows_a_check_that_fails_with_another_message():
    """A save that changes what a failing check says (a 404 became a 500) is shown, not "no check changed"."""
    from checks import watch

    before = fake_grade(failing={"test_home_page_is_html"}, messages={"test_home_page_is_html": "got 404"})
    after = fake_grade(failing={"test_home_page_is_html"}, messages={"test_home_page_is_html": "got 500"})
    shown = watch.difference(before, after, ["app.py"])
    assert "✗ still fails, with another message: step 1: the check test_home_page_is_html holds" in shown
    assert "got 500" in shown and "no check changed" not in shown
    same = watch.difference(before, before, ["app.py"])
    assert "no check changed (1 thing still to fix)" in same


def test_watch_regrades_a_file_saved_while_the_first_run_grades(tmp_path):
    """A save made while the first grade is still running (or just as "Watching" prints) is not missed."""
    import io

    from checks import watch

    (tmp_path / "app.py").write_text("x = 1\n")
    grades = iter([fake_grade(failing={"test_template_exists"}), fake_grade(failing=set())])

    def run():
        grade = next(grades)
        if not (tmp_path / "templates").exists():  # the student saves during the first run
            (tmp_path / "templates").mkdir()
            (tmp_path / "templates" / "user.html").write_text("<p>{{ username }}</p>\n")
        return grade

    out = io.StringIO()
    watch.watch(tmp_path, run, RENDERERS["text"], out=out, polls=3)
    rest = out.getvalue().partition("Watching")[2]
    assert "saved templates/user.html: " in rest
    assert "✓ now passes: step 3  the check test_template_exists holds" in rest


def test_watch_regrades_on_save_and_stops_on_ctrl_c(tmp_path):
    """`make watch`: a saved template is regraded by the warm grader; Ctrl-C ends it cleanly."""
    import queue
    import signal
    import threading

    work = tmp_path / "work"
    shutil.copytree(STARTER, work)
    command = [sys.executable, "-m", "checks.watch", str(work), "--student", "--step", "3", "--seed", "1"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    printed: queue.Queue = queue.Queue()
    reader = threading.Thread(target=lambda: [printed.put(line) for line in process.stdout] + [printed.put(None)])
    reader.start()
    lines: list[str] = []

    def read_until(phrase: str, seconds: float = 120) -> None:
        """Collect what watch prints until a line holds `phrase` (a watcher that never says it fails the test)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                line = printed.get(timeout=max(deadline - time.monotonic(), 0.1))
            except queue.Empty:
                break
            if line is None:
                break
            lines.append(line)
            if phrase in line:
                return
        pytest.fail(f"watch never printed {phrase!r}; it printed:\n{''.join(lines)}")

    try:
        read_until("Watching")
        (work / "templates").mkdir(exist_ok=True)
        (work / "templates" / "user.html").write_text("<p id='username'>{{ username }}</p>\n")
        read_until("now passes")
        time.sleep(0.5)
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
    finally:
        process.kill()
        reader.join(timeout=10)
        process.stdout.close()
    rest = ""
    while not printed.empty():
        rest += printed.get() or ""
    text = "".join(lines) + rest
    assert "saved templates/user.html: 10/10 (+10)" in text
    assert "✓ now passes: step 3  templates/user.html exists" in text
    assert "Stopped watching." in text and process.returncode == 0


# Phrases the guide quotes inline, and a submission whose `make check` prints each.
INLINE = [
    ("docs/student/step-1.md", 'app.py calls app.run() while being imported, outside if __name__ == "__main__"',
     "mistake_run_at_import"),
    ("docs/student/step-1.md", 'app.py has no if __name__ == "__main__": block, so python app.py starts nothing',
     "mistake_no_main_block"),
    ("docs/student/step-1.md", "comes before code that defines the app's routes", "mistake_main_block_before_routes"),
    ("docs/student/step-1.md", "defines neither app = Flask(__name__) nor a create_app() factory", "broken_no_app"),
]


def plain(text: str) -> str:
    """Text as a reader compares it: no backticks, white space as single spaces."""
    return " ".join(text.replace("`", "").split())


@pytest.mark.parametrize(("page", "phrase", "submission"), INLINE, ids=[case[1][:30] for case in INLINE])
def test_each_inline_quote_is_real_output(page, phrase, submission):
    """A message the guide quotes in a sentence is one the checks print."""
    assert phrase in plain((ROOT / page).read_text(encoding="utf-8")), f"{page} no longer quotes it"
    printed = run_checks(SUBMISSIONS / submission, "--student", "--seed", "1", "--step", "1").stdout
    assert phrase in plain(printed)


def test_a_home_page_that_redirects_is_one_cause_at_level_2(tmp_path):
    """GET / answering 302 to /login fails checks of steps 8 and 9: one block names it, with the redirect."""
    from test_hint_coverage import level2_app

    folder = level2_app("home_redirects", tmp_path / "app")
    done = run_checks(folder, "--step", "8-9", "--seed", "5", "--student")
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("✗ GET / is no page but a redirect (step 1)") == 1
    assert "GET / sends visitors on to /login" in done.stdout
    assert "1 thing to fix" in done.stdout
