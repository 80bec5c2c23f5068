"""Every hint the checks of levels 1 and 2 can give is given by a test that produces its symptom.

CASES names, for each hint, a sample submission (tests/submissions/) or a small app written
here that shows the symptom, and the step to grade; the test grades it and finds the hint in
a failure's `hint` field. `test_every_hint_in_the_checks_has_a_case` reads the checks' source
for the hints they can give, so a new hint cannot be added without a case that reaches it.
Level 3's hints (steps 12 to 16) have their cases in tests/test_level3_hints.py.
"""

from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, SUBMISSIONS, run_checks

from checks.symptoms import PASSWORD_HINT, ROUTE_HINTS
from tools import mutants

CHECKS = ROOT / "checks"
LEVEL_2 = [
    "members.py", "test_step8_layout.py", "test_step9_login.py", "test_step10_account.py", "test_step11_photo.py",
]
LEVEL_1 = [
    "club.py", "conftest.py", "source.py", "test_step1_server.py", "test_step2_post_user.py",
    "test_step3_template_exists.py", "test_step4_template_fields.py", "test_step5_show_user.py",
    "test_extra6_unknown_user.py", "test_extra7_password.py",
]

USER_HTML = """<!doctype html>
<html><body>
<p id="username">{{ username }}</p><p id="food">{{ food }}</p><p id="message">{{ message }}</p>
</body></html>
"""
NOT_FOUND_HTML = "<!doctype html><html><body><p>No member called {{ username }}.</p></body></html>\n"

# A correct level-1 app; each small app below changes one of its lines.
APP = '''import os

from flask import Flask, abort, redirect, render_template, request

app = Flask(__name__)
profiles = {}
PASSWORD = os.environ.get("CLUB_PASSWORD")


@app.get("/")
def home():
    return "Hello World!"


@app.post("/user/")
def create():
    if not PASSWORD or request.form.get("password") != PASSWORD:
        abort(401)
    username = request.form.get("username", "")
    if not username:
        abort(400)
    profiles[username] = {"food": request.form.get("food", ""), "message": request.form.get("message", "")}
    return redirect(f"/user/{username}", 303)


@app.get("/user/<username>")
def show(username):
    if username not in profiles:
        return render_template("not_found.html", username=username), 404
    return render_template("user.html", username=username, **profiles[username])


if __name__ == "__main__":
    app.run()
'''

SMALL_APPS: dict[str, dict[str, tuple[str, str]]] = {
    # every request takes 0.7 s: with a 1 s limit per check, the third request is never sent
    "slow": {"app.py": ("app = Flask(__name__)\n", "app = Flask(__name__)\n\n\n@app.before_request\n"
                        "def slow():\n    import time\n\n    time.sleep(0.7)\n")},
    # the process dies while answering
    "dies": {"app.py": ('    return "Hello World!"', "    os._exit(3)")},
    # the 404 page is plain text
    "plain_404": {"app.py": ('        return render_template("not_found.html", username=username), 404',
                             '        return f"no {username}", 404, {"Content-Type": "text/plain"}')},
    # refuses to start without CLUB_PASSWORD, but says nothing of it
    "silent_exit": {"app.py": ('PASSWORD = os.environ.get("CLUB_PASSWORD")',
                               'PASSWORD = os.environ.get("CLUB_PASSWORD")\nif not PASSWORD:\n'
                               '    raise RuntimeError("no password")')},
    # the profile is stored, then the missing password refused: with CLUB_PASSWORD unset, stored anyway
    "unset_stores": {"app.py": ('''    if not PASSWORD or request.form.get("password") != PASSWORD:
        abort(401)
    username = request.form.get("username", "")
    if not username:
        abort(400)
    profiles[username] = {"food": request.form.get("food", ""), "message": request.form.get("message", "")}''',
                                '''    username = request.form.get("username", "")
    if not username:
        abort(400)
    profiles[username] = {"food": request.form.get("food", ""), "message": request.form.get("message", "")}
    if not PASSWORD or request.form.get("password") != PASSWORD:
        abort(401)''')},
    # a missing username raises in the handler (a 500)
    "strip_none": {"app.py": ('    username = request.form.get("username", "")',
                              '    username = request.form.get("username").strip()')},
    # asks the form for a field under another name: every POST is a 400
    "wrong_field": {"app.py": ('    username = request.form.get("username", "")',
                               '    username = request.form["name"]')},
    # the POST handler raises after the password check
    "post_raises": {"app.py": ('    profiles[username] = {', '    profiles[username.nope] = {')},
    # the message escaped by hand, then again by Jinja
    "escaped_twice": {"app.py": ('    return render_template("user.html", username=username, **profiles[username])',
                                 '    from markupsafe import escape\n\n    profile = profiles[username]\n'
                                 '    return render_template("user.html", username=username, food=profile["food"], '
                                 'message=str(escape(profile["message"])))')},
    # the main block prints instead of running the app
    "block_prints": {"app.py": ("    app.run()\n", "    print(app)\n")},
    # the main block is indented inside a function
    "block_nested": {"app.py": ('if __name__ == "__main__":\n    app.run()\n',
                                'def main():\n    if __name__ == "__main__":\n        app.run()\n')},
    # a cookie whose Max-Age is not a number: the test client cannot read the answer
    "bad_cookie": {"app.py": ('    return "Hello World!"',
                              '    return "Hello World!", 200, {"Set-Cookie": "a=b; Max-Age=soon"}')},
    # GET / sends everyone to a login page
    "home_redirects": {"app.py": ('    return "Hello World!"', '    return redirect("/login", 302)')},
    # GET / raises
    "home_raises": {"app.py": ('    return "Hello World!"', "    return 1 / 0")},
    # every profile page shows the first profile ever posted
    "first_for_everyone": {"app.py": (
        '    return render_template("user.html", username=username, **profiles[username])',
        '    first = next(iter(profiles))\n    return render_template("user.html", username=first, **profiles[first])',
    )},
    # looks the username up in the raw path, still URL-encoded: a name with a space is never found
    "raw_path": {"app.py": (
        "def show(username):\n",
        'def show(username):\n    username = request.environ.get("RAW_URI", request.full_path).split("/")[-1]\n',
    )},
    # the template's ids hold expressions that read no variable of render_template
    "reads_request": {"templates/user.html": (
        '<p id="username">{{ username }}</p><p id="food">{{ food }}</p><p id="message">{{ message }}</p>',
        '<p id="username">{{ request.args.a }}</p><p id="food">{{ request.args.b }}</p>'
        '<p id="message">{{ request.args.c }}</p>',
    )},
}


# Level 2's small apps: the valid level-2 sample with one edit each (file: (old, new)); a second edit of
# the same file is keyed "file#2".
LEVEL2_BASE = SUBMISSIONS / "valid_level2_signed_session"
LEVEL2_APPS: dict[str, dict[str, tuple[str, str]]] = {
    # GET / sends everyone to the login page
    "home_redirects": {"app.py": ('    return render_template("index.html", count=len(load()))',
                                  '    return redirect(url_for("login"))')},
    # the profile page has no <img id="avatar">
    "no_avatar": {"templates/user.html": (
        """{% if avatar %}<img id="avatar" src="{{ url_for('avatar', name=avatar) }}" alt="">{% endif %}\n""", "")},
    # the login form's password input is named otherwise
    "login_field_named_secret": {"templates/login.html": ('<input name="password" type="password">',
                                                          '<input name="secret" type="password">')},
    # logging out is at /sign-out: /logout is Flask's 404
    "logout_elsewhere": {"app.py": ('@app.route("/logout", methods=["GET", "POST"])',
                                    '@app.route("/sign-out", methods=["GET", "POST"])')},
    # the POST of /account-details looks for no member: a visitor's POST is taken
    "post_unguarded": {"app.py": (
        '    username = session.get("username")\n    if not username:\n        return redirect(url_for("login"))\n',
        '    username = session.get("username") or request.form.get("username", "")\n'
        '    if not username and request.method == "GET":\n        return redirect(url_for("login"))\n',
    )},
    # a photo saved under the browser's name, opened with "x": a name that is taken is a 500
    "photo_name_exclusive": {"app.py": (
        '        name = f"{secrets.token_hex(8)}.{FORMATS[kind]}"\n        photo.stream.seek(0)\n'
        "        photo.save(os.path.join(AVATARS, name))\n",
        '        name = photo.filename\n        photo.stream.seek(0)\n'
        '        with open(os.path.join(AVATARS, name), "xb") as file:\n            file.write(photo.stream.read())\n',
    )},
    # who is logged in is one global, shared by every browser
    "member_in_a_global": {
        "app.py": ('    session["username"] = username\n',
                   '    session["username"] = username\n    LOGGED_IN["name"] = username\n'),
        "app.py#2": ("lock = threading.Lock()\n",
                     'lock = threading.Lock()\nLOGGED_IN = {}\napp.jinja_env.globals["logged_in"] = LOGGED_IN\n'),
        "templates/base.html": ("{% if session.username %}Logged in as {{ session.username }}",
                                "{% if logged_in.name %}Logged in as {{ logged_in.name }}"),
    },
    # the member is put in the session before the password is looked at
    "session_before_password": {"app.py": (
        '    username = request.form.get("username", "")\n    if not username or not right_password',
        '    username = request.form.get("username", "")\n    session["username"] = username\n'
        "    if not username or not right_password",
    )},
    # the avatar comes from another site, never from the app
    "avatar_elsewhere": {"templates/user.html": ("url_for('avatar', name=avatar)",
                                                 "'https://avatars.example.org/' ~ avatar")},
    # user.html fills only a block that base.html does not define (and no title)
    "block_named_otherwise": {"templates/user.html": ("{% block content %}", "{% block main %}"),
                              "templates/user.html#2": ("{% block title %}{{ username }}{% endblock %}\n", "")},
    # user.html extends base.html but puts the profile in no block (and sets no title)
    "no_block": {"templates/user.html": ("{% block title %}{{ username }}{% endblock %}\n{% block content %}\n", ""),
                 "templates/user.html#2": ("\n{% endblock %}", "\n")},
}


def level2_app(name: str, folder: Path) -> Path:
    """Write the level-2 small app `name` (the valid level-2 sample with its edits) into folder."""
    shutil.copytree(LEVEL2_BASE, folder, ignore=shutil.ignore_patterns("instance", "__pycache__"))
    for key, (old, new) in LEVEL2_APPS[name].items():
        target = folder / key.split("#")[0]
        text = target.read_text()
        assert text.count(old) >= 1, (name, old)
        if key.endswith("#2"):  # the last place it stands
            head, _, tail = text.rpartition(old)
            target.write_text(head + new + tail)
        else:
            target.write_text(text.replace(old, new, 1))
    return folder


def small_app(name: str, folder: Path) -> Path:
    """Write the small app `name` (the correct app with its edits) into folder."""
    files = {"app.py": APP, "templates/user.html": USER_HTML, "templates/not_found.html": NOT_FOUND_HTML}
    for path, (old, new) in SMALL_APPS[name].items():
        assert files[path].count(old) == 1, (name, old)
        files[path] = files[path].replace(old, new)
    for path, text in files.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(text)
    return folder


# (the hint, or a phrase of it; where its symptom is; the step to grade; more options)
CASES = [
    # step 1
    ('end app.py with:  if __name__ == "__main__":  app.run()', "mistake_no_main_block", "1", ()),
    ("call app.run() without a port", "mistake_run_port_8080", "1", ()),
    ("move the `if __name__ == \"__main__\":` block to the very end", "mistake_main_block_before_routes", "1", ()),
    ('move `app.run(debug=True)` under `if __name__ == "__main__":`', "mistake_run_at_import", "1", ()),
    ("fix the syntax error first", "broken_syntax_error", "1", ()),
    ("fix the error above first: step 1's first check names it", "broken_duplicate_endpoint", "1", ()),
    ("app.py goes at the top of your server's folder", "empty", "1", ()),
    ("call app.run() inside the block", "app:block_prints", "1", ()),
    ("move it to the end of app.py, not indented", "app:block_nested", "1", ()),
    ("a Set-Cookie's max_age must be a number of seconds", "app:bad_cookie", "1", ()),
    ("does app.run() get called with a fixed port of its own", "mistake_run_forces_port", "1", ()),
    ("return a string or render_template(...): Flask sends both as text/html", "mistake_index_returns_json", "1", ()),
    ("is there a route for \"/\"?", "mistake_no_index_route", "1", ()),
    ("GET / sends visitors on to /login: the home page must answer", "app:home_redirects", "1", ()),
    ("read the error: the line it names is where your code broke", "app:home_raises", "1", ()),
    ("run the app yourself and send the same request to see what it does", "app:dies", "1", ()),
    # app.py does not load
    ("the grader has only Flask and its dependencies", "broken_module_not_found", "2", ()),
    ("fix the line the error names", "broken_syntax_error", "2", ()),
    ("create the app at the top level of app.py", "broken_no_app", "2", ()),
    ('put app.run() under `if __name__ == "__main__":`', "mistake_run_at_import", "2", ()),
    ("start it yourself (`make run`) to see the whole error", "broken_import_error", "2", ()),
    # step 2 and the POSTs every step sends
    ("check for a missing username and answer 400", "mistake_no_username_accepted", "2", ()),
    ("request.form['username'] answers 400 by itself", "app:strip_none", "2", ()),
    ('an empty field still arrives, as "": check `if not username:` (not `is None`)',
     "mistake_empty_username_accepted", "2", ()),
    ("a 400 often means request.form[...] asked for a field under another name", "app:wrong_field", "2", ()),
    ("read the error: the line it names is where your POST handler broke", "app:post_raises", "2", ()),
    (ROUTE_HINTS[404], "mistake_users_route", "2", ()),
    (ROUTE_HINTS[405], "mistake_user_route_get_only", "2", ()),
    (PASSWORD_HINT, "mistake_hardcoded_password", "2", ()),
    ("earlier requests of this check were slow to answer", "unit:out_of_time", "", ()),
    ("other checks waited on answers that never came", "app:slow", "5", ("--submission-timeout", "1.5")),
    # steps 3 and 4
    ("create the folder `templates` next to app.py", "empty", "3", ()),
    ("found Templates/user.html", "mistake_templates_capitalised", "3", ()),
    ("every {{ needs its }}", "broken_template_unclosed_if", "3", ()),
    ("a template is an HTML page with {{ … }} where the values go", "mistake_template_plain_text", "3", ()),
    ('for example <p id="message">', "mistake_misspelled_id", "4", ()),
    ("put the value inside the element, as its text", "mistake_ids_on_labels", "4", ()),
    # step 5
    ("are you showing the profile of the username in the URL", "app:first_for_everyone", "5", ()),
    ("do all users share one stored profile, or is only the last one kept?", "mistake_last_profile_for_everyone", "5",
     ()),
    ("does a POST for a username that exists replace its profile?", "mistake_first_write_wins", "5", ()),
    ("the URL holds the username URL-encoded", "app:raw_path", "5", ()),
    ("let Jinja escape values", "mistake_safe_filter", "5", ()),
    ("the message is escaped twice", "app:escaped_twice", "5", ()),
    ('render_template("user.html", food=…, message=…, username=…) must pass the same names',
     "mistake_template_variable_names", "5", ()),
    ("templates/user.html reads the variable user:", "mistake_template_undefined_object", "5", ()),
    ("the element is there but empty", "app:reads_request", "5", ()),
    ("#food shows the message", "mistake_ids_swapped", "5", ()),
    ("your POST redirects to /user/", "mistake_redirect_to_number", "5", ()),
    ('render_template("user.html") looks in templates/ next to app.py', "mistake_templates_capitalised", "5", ()),
    # extra 6
    ("look the username up, and when there is no such profile call abort(404)", "mistake_unknown_user_200", "6", ()),
    ("the lookup of a missing username raised an error", "mistake_unknown_user_500", "6", ()),
    ("return render_template(...), 404 from your handler", "app:plain_404", "6", ()),
    ("Flask's own 404 page doesn't name it", "mistake_404_without_username", "6", ()),
    # extra 7
    ("compare the form's password with the club's", "mistake_no_password_check", "7", ()),
    ('request.form["password"] answers 400 by itself when the field is missing', "mistake_password_bracket_lookup",
     "7", ()),
    ("read the password with os.environ['CLUB_PASSWORD']", "mistake_no_password_check", "7", ()),
    ("check the password before you store anything", "mistake_saves_before_password_check", "7", ()),
    ("check the password before you store anything", "app:unset_stores", "7", ()),
    ('when os.environ.get("CLUB_PASSWORD") is None or empty', "valid_module_dict", "7", ()),
    ("say what is missing: raise RuntimeError", "app:silent_exit", "7", ()),
    # level 2: step 8
    ("create templates/base.html, the page every other template extends", "valid_module_dict", "8", ()),
    ("step 3 makes it: start there", "empty", "8", ()),
    ('<nav id="club-nav"><a href="/">Flask Club</a></nav> in templates/base.html', "mutant:nav_without_home_link", "8",
     ()),
    ('put {% extends "base.html" %} on the first line', "mutant:profile_page_copies_the_layout", "8", ()),
    ("use the same block name in both templates", "level2:block_named_otherwise", "8", ()),
    ("GET / sends visitors on to /login: the home page must answer", "level2:home_redirects", "9", ()),
    ("wrap the profile in {% block content %}", "level2:no_block", "8", ()),
    # step 9
    ('a form without method="post" sends a GET', "mistake_level2_login_form_without_method", "9", ()),
    ('<input name="username"> and <input name="password" type="password">', "level2:login_field_named_secret", "9",
     ()),
    ('add @app.route("/logout") that forgets the member', "level2:logout_elsewhere", "9", ()),
    ('forget the member in the session: session.pop("username", None)', "mistake_level2_logout_keeps_session", "9",
     ()),
    ("keep the member in Flask's session, signed with app.secret_key", "mistake_level2_member_in_plain_cookie", "9",
     ()),
    ("keep who is logged in in Flask's session (one per browser)", "level2:member_in_a_global", "9", ()),
    ('put an element with id="status" in templates/base.html', "mistake_level2_no_status", "9", ()),
    ("remember the member in the session only after the password is right", "level2:session_before_password", "9",
     ()),
    ("check the password for every username, also for members", "mistake_level2_member_any_password", "9", ()),
    ("use Flask's session (signed with app.secret_key) or keep sessions on the server",
     "mistake_level2_unchecked_token", "9", ()),
    # step 10
    ("this check logs a member in first (step 9):", "valid_module_dict", "10", ()),
    ("this check needs POST /user/ to store a profile first: make step 2 work", "app:wrong_field", "10", ()),
    ('render a <form method="post"> with <input name="food" value="{{ food }}">', "mutant:details_form_not_filled",
     "10", ()),
    ("not from values copied into the session when the member logged in", "mistake_level2_form_from_session", "10",
     ()),
    ('when no member is in the session, return redirect(url_for("login"))', "mutant:details_open_to_everyone", "10",
     ()),
    ("check for a member in the session before anything else, in the POST too", "level2:post_unguarded", "10", ()),
    ("but after the restart it does not read it back", "mistake_level2_file_never_read", "10", ()),
    ("profiles kept in a dict vanish when the app stops", "mistake_level2_memory_only", "10", ()),
    # step 11
    ("<img id=\"avatar\" src=\"{{ url_for('avatar', username=username) }}\">", "level2:no_avatar", "11", ()),
    ("serve the photo from your own app", "level2:avatar_elsewhere", "11", ()),
    ("call file.seek(0) before file.save(path)", "mistake_level2_photo_read_not_rewound", "11", ()),
    ("judge a file by its content, not its name", "mutant:photo_judged_by_its_name", "11", ()),
    ("choose the saved file's name yourself (from the username, or secrets.token_hex())",
     "level2:photo_name_exclusive", "11", ()),
    ("never build a path from file.filename", "mutant:photo_saved_under_its_own_name", "11", ()),
    ("1024 * 1024 alone leaves no room", "mistake_level2_limit_of_one_mib", "11", ()),
    ("makes Flask answer 413 to a request bigger than a photo of 1 MiB", "mutant:no_upload_limit", "11", ()),
]


@pytest.mark.parametrize(("hint", "where", "step", "options"), CASES, ids=[f"{c[1]}-{c[0][:30]}" for c in CASES])
def test_the_symptom_gets_its_hint(hint, where, step, options, tmp_path):
    """Graded, the submission that shows the symptom gets the hint in a failure's `hint` field."""
    if where == "unit:out_of_time":
        return out_of_time(hint)
    if where.startswith("app:"):
        folder = small_app(where[4:], tmp_path)
    elif where.startswith("level2:"):
        folder = level2_app(where[7:], tmp_path / "level2")
    elif where.startswith("mutant:"):
        folder = tmp_path / "mutant"
        mutants.make(where[7:], folder)
    else:
        folder = SUBMISSIONS / where
    done = run_checks(folder, "--format", "json", "--seed", "77", "--step", step, *options)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    found = [c["failure"]["hint"] or "" for s in result["steps"] for c in s["checks"] if c["failure"]]
    assert any(hint in text for text in found), found


def out_of_time(hint: str) -> None:
    """A check whose earlier requests used up its time: the next request is not sent, and it says why."""
    import types

    import flask

    from checks import rubric
    from checks.club import Club
    from checks.notes import CheckFailed, Notes

    remote = types.SimpleNamespace(timeout=None, last=None)
    club = Club(flask.Flask("x").test_client(), remote, Notes(rubric.load()["5"]), "pw", request_timeout=lambda: 0)
    with pytest.raises(CheckFailed) as failed:
        club.get("/user/Ada")
    assert failed.value.failure.problem == "not sent: GET /user/Ada: this check used up its time limit"
    assert hint in failed.value.failure.hint


# -- the checks' source: every hint they can give ---------------------------------------------
def text_of(node: ast.AST, consts: dict[str, str]) -> str | None:
    """A hint's text as written: a string, the start of an f-string, or a module constant."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and isinstance(node.values[0], ast.Constant):
        return node.values[0].value
    if isinstance(node, ast.Name):
        return consts.get(node.id)
    if isinstance(node, ast.BinOp):
        return text_of(node.left, consts)
    return None


def static_hints() -> set[str]:
    """The hints of level 1 written as text in the checks' source (the start of an f-string)."""
    found = set()
    for name in LEVEL_1 + LEVEL_2:
        tree = ast.parse((CHECKS / name).read_text(encoding="utf-8"))
        consts = {
            target.id: node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
            for target in node.targets
            if isinstance(target, ast.Name)
        }

        for node in ast.walk(tree):
            hints = []
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "fail":
                hints += node.args[1:2] + [k.value for k in node.keywords if k.arg == "hint"]
                hints += [v for arg in node.args[1:2] if isinstance(arg, ast.BoolOp) for v in arg.values]
            elif name == "source.py" and isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple):
                hints.append(node.value.elts[1])  # source.py: (problem, hint)
            elif isinstance(node, ast.Dict) and any(isinstance(k, ast.Constant) and k.value in (200, 404)
                                                    for k in node.keys):
                hints += node.values  # the hints chosen by status
            texts = (text_of(hint, consts) for hint in hints)
            found |= {value.strip() for value in texts if value and len(value.strip()) > 12}
    return found


def test_every_hint_in_the_checks_has_a_case():
    """A hint the checks can give that no case reaches is a hint nobody has seen work."""
    covered = [hint for hint, *_ in CASES]
    missing = sorted(h for h in static_hints() if not any(h[:40] in c or c in h for c in covered))
    assert missing == []


def test_the_scan_finds_the_hints():
    """The source scan itself sees the checks' hints (so an empty scan cannot pass the test above)."""
    found = static_hints()
    assert len(found) >= 30
    assert any(hint.startswith("let Jinja escape values") for hint in found)
