"""Level 2's checks (steps 8 to 11) against small apps in this process: each way a check fails, and what it says.

The sample submissions and mutants grade whole apps end to end; these drive one check at a
time against a few lines of Flask (behind the stand-in for the sandbox of tests/test_club.py),
so that each of a check's branches is seen to fail with its own message and hint, in a second.
`make mutation` runs these first against the level-2 step modules and checks/members.py.
"""

from __future__ import annotations

import hashlib
import io
import types
from pathlib import Path

import flask
import pytest
from flask.sessions import session_json_serializer
from itsdangerous import URLSafeTimedSerializer
from markupsafe import escape
from PIL import Image
from test_club import FakeRemote

from checks import members, photos
from checks import test_step8_layout as step8
from checks import test_step9_login as step9
from checks import test_step10_account as step10
from checks import test_step11_photo as step11
from checks.club import Club, browser
from checks.data import Data
from checks.notes import CheckFailed, Notes
from checks.reply import Reply
from checks.results import Failure
from checks.rubric import Step
from checks.run.tree import remove_tree

PASSWORD = "s3cret-pw"


def step(step_id: str) -> Step:
    return Step(id=step_id, title=f"step {step_id}", doc=f"docs/student/step-{step_id}.md", points={})


class Remote(FakeRemote):
    """The stand-in for the sandbox, closing each request's body once answered, as a server does.

    (The test client spools a large upload's body to a temporary file and leaves it open.)"""

    def __call__(self, environ, start_response):
        try:
            return super().__call__(environ, start_response)
        finally:
            environ["wsgi.input"].close()


def club_of(app: flask.Flask, step_id: str = "9", root: Path | None = None) -> Club:
    """A level-2 check's Club talking to `app` in a browser that keeps cookies, with the club password PASSWORD."""
    fake = Remote(app)
    fake.sandbox.root = root
    return Club(browser(fake), fake, Notes(step(step_id)), PASSWORD, request_timeout=lambda: 3.0)


def failure(call, *args, **kwargs) -> Failure:
    """The failure a call stops the check with (it must stop it)."""
    with pytest.raises(CheckFailed) as failed:
        call(*args, **kwargs)
    return failed.value.failure


def page(*elements: str, path: str = "/") -> Reply:
    body = "<html><body>" + "".join(elements) + "</body></html>"
    return Reply("GET", path, 200, {"content-type": "text/html; charset=utf-8"}, body.encode())


# -- step 8: one layout --------------------------------------------------------------------------
def grading_of(tmp_path: Path, base: str | None = None, user: str | None = None) -> types.SimpleNamespace:
    """What step 8's source checks read of a submission: templates/base.html and user.html as handed in."""
    (tmp_path / "templates").mkdir()
    for name, text in (("base.html", base), ("user.html", user)):
        if text is not None:
            (tmp_path / "templates" / name).write_text(text)
    workspace = types.SimpleNamespace(
        pristine=tmp_path,
        template_source=user,
        source=lambda name: (tmp_path / name).read_text() if (tmp_path / name).is_file() else None,
    )
    return types.SimpleNamespace(workspace=workspace)


BASE = '<nav id="club-nav"><a href="/">Flask Club</a></nav>{% block content %}{% endblock %}'
USER = '{% extends "base.html" %}\n{% block content %}<p id="username">{{ username }}</p>{% endblock %}'


def test_a_base_without_the_navigation_gets_the_navigations_markup_as_hint(tmp_path):
    grading = grading_of(tmp_path, base="<main>{% block content %}{% endblock %}</main>")
    failed = failure(step8.test_base_template_has_nav, grading, Notes(step("8")))
    assert failed.problem == 'expected an element with id="club-nav" in templates/base.html, found none'
    assert failed.hint == step8.NAV_HINT
    assert '<nav id="club-nav"><a href="/">' in failed.hint


@pytest.mark.parametrize(
    ("nav", "seen"),
    [
        ('<nav id="club-nav"><a href="/about">About</a> <a href="/login">Log in</a></nav>', '"/about", "/login"'),
        ('<nav id="club-nav"><span>Flask Club</span></nav>', "no link at all"),
    ],
)
def test_a_base_whose_navigation_misses_home_says_what_it_links_to(tmp_path, nav, seen):
    grading = grading_of(tmp_path, base=nav)
    failed = failure(step8.test_base_template_has_nav, grading, Notes(step("8")))
    assert failed.problem == f"expected #club-nav in templates/base.html to link to /, but it holds {seen}"


@pytest.mark.parametrize(
    ("href", "home"),
    [
        ("/", True),
        ("http://localhost/", True),
        ("/about", False),
        ("{{ url_for('index') }}", True),
        ("{{ url_for('club.index') }}", True),
        ("{{ url_for('login') }}", False),
        ("/{{ url_for('index') }}", True),
    ],
)
def test_a_link_home_is_slash_or_url_for_of_the_view_routed_at_slash(href, home):
    assert step8.links_home(href, {"index"}) is home


def test_url_for_counts_as_home_when_no_view_routed_at_slash_is_found():
    assert step8.links_home("{{ url_for('welcome') }}", None) is True
    assert step8.links_home("/about", None) is False


def test_the_views_routed_at_slash_are_found_past_a_file_that_does_not_parse(tmp_path):
    (tmp_path / "aaa_draft.py").write_text("def broken(:\n")
    (tmp_path / "app.py").write_text(
        '@app.get("/")\ndef home():\n    pass\n\n@app.route("/login")\ndef login():\n    pass\n'
    )
    assert step8.home_endpoints(tmp_path) == {"home"}
    assert step8.home_endpoints(None) is None


def test_a_user_template_that_does_not_extend_base_quotes_its_first_line(tmp_path):
    grading = grading_of(tmp_path, base=BASE, user="\n<!doctype html>\n<html>\n<p>{{ username }}</p>")
    failed = failure(step8.test_user_template_extends_base, grading, Notes(step("8")))
    assert failed.problem == (
        'expected templates/user.html to start with {% extends "base.html" %}, but it starts with "<!doctype html>"'
    )


def test_a_user_template_filling_a_block_base_lacks_names_both(tmp_path):
    user = '{% extends "base.html" %}{% block body %}<p>{{ username }}</p>{% endblock %}'
    grading = grading_of(tmp_path, base=BASE, user=user)
    failed = failure(step8.test_user_template_extends_base, grading, Notes(step("8")))
    assert failed.problem == (
        "templates/user.html fills the block(s) body, but base.html defines only content: "
        "nothing of the profile is shown"
    )


def test_a_user_template_filling_a_block_of_base_passes(tmp_path):
    notes = Notes(step("8"))
    step8.test_user_template_extends_base(grading_of(tmp_path, base=BASE, user=USER), notes)
    assert notes.lines == ['templates/user.html extends "base.html" and fills content']


def test_a_page_without_the_navigation_is_told_to_extend_base():
    failed = failure(step8.expect_one_nav, club_of(flask.Flask("none"), "8"), page("<p>hello</p>"), "GET /")
    assert failed.problem == 'expected GET / to hold exactly one element with id="club-nav", found none'
    assert failed.hint.startswith("the page's template must extend base.html")


def test_a_page_with_two_navigations_is_told_to_keep_base_s_alone():
    nav = '<nav id="club-nav"><a href="/">Home</a></nav>'
    failed = failure(step8.expect_one_nav, club_of(flask.Flask("two"), "8"), page(nav, nav), "GET /")
    assert failed.problem == 'expected GET / to hold exactly one element with id="club-nav", found 2 of them'
    assert failed.hint == "the navigation belongs in base.html alone: take it out of the pages that extend it"


@pytest.mark.parametrize(
    ("nav", "seen"),
    [
        ('<nav id="club-nav"><a href="/login">Log in</a></nav>', '"/login"'),
        ('<nav id="club-nav">Flask Club</nav>', "no link at all"),
    ],
)
def test_a_rendered_navigation_without_a_link_home_says_what_it_holds(nav, seen):
    failed = failure(step8.expect_one_nav, club_of(flask.Flask("nohome"), "8"), page(nav), "GET /")
    assert failed.problem == f"expected #club-nav on GET / to link to /, but it holds {seen}"
    assert failed.hint == step8.NAV_HINT


def test_a_rendered_navigation_linking_home_relative_to_the_page_passes():
    club = club_of(flask.Flask("relative"), "8")
    nav = page('<nav id="club-nav"><a href="..">Home</a></nav>', path="/user/Ada")
    step8.expect_one_nav(club, nav, "GET /user/Ada")


# -- a small club of members, for steps 9 to 11 ----------------------------------------------
LOGIN_FORM = '<form method="post"><input name="username"><input name="password" type="password"></form>'
ACCOUNT_FORM = (
    '<form method="post"><input name="food" value="{food}"><textarea name="message">{message}</textarea></form>'
)


def member_club(
    *,
    login_form: str = LOGIN_FORM,
    status_on_profiles: bool = True,
    status: bool = True,
    remember: bool = True,
    logout: bool = True,
    token: bool = False,
    account_form: str = ACCOUNT_FORM,
    post_names_the_member: bool = False,
    password: str = PASSWORD,
    keeps_refused_photos: bool = False,
    saves_photos_in: Path | None = None,
    refuses_photos_above: int | None = None,
    reads_unsigned_sessions: bool = False,
) -> flask.Flask:
    """A club with members: POST /user/ stores a profile, POST /login remembers the member, #status names them.

    GET /login shows `login_form`; `remember=False`: POST /login takes the password but remembers no one;
    `logout=False`: there is no /logout; `status_on_profiles=False`: profile pages have no #status;
    `status=False`: no page has.
    GET /account-details renders `account_form` (with the member's {food} and {message}); POST updates
    the member's profile, or with `post_names_the_member` and no one logged in, the username the form names.
    `password` is the one it takes (the checks send PASSWORD).
    A photo (`avatar`) is judged with Pillow and kept in memory under a name of the app's, shown as
    <img id="avatar"> (a default picture until one is uploaded); Flask answers 413 past 1 MiB. Unless:
    `keeps_refused_photos` (a file that is not an image is refused with 400, and kept all the same),
    `saves_photos_in` (a folder: each photo is written there under the browser's file name, and again
    with .html for .py), `refuses_photos_above` (no limit of Flask's; the app answers 413 to a larger file).
    `reads_unsigned_sessions`: a session cookie whose signature does not match is read all the same, and
    its "user" taken as logged in when it says "logged_in" (the app's own session holds "username").
    `token`: the member is remembered in a cookie of its own, "member=<username>|<token>", set after a
    cookie "aaa" of no meaning, and the token is never checked (only a cookie without a "|" is refused).
    """
    app = flask.Flask("members")
    app.secret_key = "the tests' own key"
    if refuses_photos_above is None:
        app.config["MAX_CONTENT_LENGTH"] = (1024 + 64) * 1024
    profiles: dict[str, dict[str, str]] = {}
    photos = {"default": b"the default picture"}

    def member() -> str | None:
        if token:
            remembered = flask.request.cookies.get("member", "")
            return remembered.split("|")[0] if "|" in remembered else None
        if reads_unsigned_sessions and "username" not in flask.session:
            serializer = URLSafeTimedSerializer("any key", serializer=session_json_serializer)
            _, claims = serializer.loads_unsafe(flask.request.cookies.get("session", ""))
            return claims.get("user") if isinstance(claims, dict) and claims.get("logged_in") is True else None
        return flask.session.get("username")

    def layout(body: str, with_status: bool = True) -> str:
        shown = f'<p id="status">{escape(member() or "")}</p>' if status and with_status else ""
        return f'<nav id="club-nav"><a href="/">Flask Club</a></nav>{shown}<main>{body}</main>'

    @app.get("/")
    def index():
        return layout("<h1>Flask Club</h1>")

    @app.post("/user/")
    def join():
        if flask.request.form.get("password") != password:
            flask.abort(403)
        form = flask.request.form
        profiles[form["username"]] = {"food": form["food"], "message": form["message"]}
        return flask.redirect(f"/user/{form['username']}", 303)

    @app.get("/user/<username>")
    def show(username):
        found = profiles.get(username)
        if found is None:
            flask.abort(404)
        fields = f'<p id="username">{username}</p><p id="food">{found["food"]}</p>'
        fields += f'<p id="message">{found["message"]}</p>'
        fields += f'<img id="avatar" src="/avatars/{found.get("avatar", "default")}">'
        return layout(fields, status_on_profiles)

    @app.get("/login")
    def login_page():
        return layout(login_form)

    @app.post("/login")
    def login():
        if flask.request.form.get("password") != password:
            return layout(login_form), 401
        answer = flask.redirect("/", 303)
        if not remember:
            pass
        elif token:
            answer.set_cookie("aaa", "nothing")
            answer.set_cookie("member", f"{flask.request.form['username']}|0123456789abcdef0123456789abcdef")
        else:
            flask.session["username"] = flask.request.form["username"]
        return answer

    if logout:

        @app.get("/logout")
        def log_out():
            flask.session.clear()
            return flask.redirect("/", 303)

    @app.route("/account-details", methods=["GET", "POST"])
    def account_details():
        username = member()
        if flask.request.method == "GET":
            if username is None:
                return flask.redirect("/login")
            profile = {name: escape(value) for name, value in profiles.get(username, {}).items()}
            return layout(account_form.format(food=profile.get("food", ""), message=profile.get("message", "")))
        if username is None and post_names_the_member:
            username = flask.request.form.get("username")
        if username is None:
            return flask.redirect("/login")
        profile = profiles.setdefault(username, {})
        profile.update(food=flask.request.form["food"], message=flask.request.form["message"])
        photo = flask.request.files.get("avatar")
        if photo is not None:
            content = photo.read()
            if refuses_photos_above is not None and len(content) > refuses_photos_above:
                flask.abort(413)
            try:
                Image.open(io.BytesIO(content)).verify()
                image = True
            except Exception:  # noqa: BLE001 - whatever Pillow raises, it is not an image
                image = False
            if image or keeps_refused_photos:
                profile["avatar"] = f"{len(photos)}"
                photos[profile["avatar"]] = content
            if saves_photos_in is not None:
                for name in {photo.filename, photo.filename.replace(".py", ".html")}:
                    (saves_photos_in / name).write_bytes(content)
            if not image:
                flask.abort(400)
        return flask.redirect(f"/user/{username}", 303)

    @app.get("/avatars/<name>")
    def avatar(name):
        return photos[name]

    return app


def data(check: str) -> Data:
    return Data(2024, check)


# -- step 9: log in and out ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("form", "named"),
    [
        ('<form method="post"><input name="user"><input name="password"></form>', "password, user"),
        ('<form method="post"><input name="username"><textarea name="pass"></textarea></form>', "pass, username"),
        ('<form method="post"><button>Log in</button></form>', "nothing"),
    ],
)
def test_a_login_form_without_both_inputs_names_its_fields(form, named):
    failed = failure(step9.test_login_page_has_form, club_of(member_club(login_form=form)))
    assert failed.problem == (
        f"expected the login form to hold inputs named username and password; its fields are named {named}"
    )


def test_a_login_form_with_both_inputs_passes():
    step9.test_login_page_has_form(club_of(member_club()))


def test_status_missing_from_a_page_gets_the_status_hint_and_an_empty_one_the_login_hint():
    check = step9.test_login_shows_member_on_every_page
    failed = failure(check, club_of(member_club(status_on_profiles=False)), data("a"))
    assert failed.problem.endswith('but the page has no element with id="status"')
    assert failed.hint == members.STATUS_HINT
    assert failed.hint.startswith('put an element with id="status" in templates/base.html')
    failed = failure(check, club_of(member_club(remember=False)), data("b"))
    assert failed.problem.endswith("but #status is empty")
    assert failed.hint == members.LOGIN_HINT
    assert "os.environ['CLUB_PASSWORD']" in failed.hint
    assert "session['username'] = username" in failed.hint


def test_no_logout_route_is_named():
    failed = failure(step9.test_logout_logs_out, club_of(member_club(logout=False)), data("c"))
    assert failed.problem == "expected a /logout route, got 404"


def test_an_altered_cookie_that_still_logs_in_is_named_among_others():
    failed = failure(step9.test_no_other_browser_is_logged_in, club_of(member_club(token=True)), data("d"))
    assert failed.problem.startswith("an altered cookie member still logs ")
    assert failed.problem.endswith(" in: the session is not checked")


def test_a_session_read_without_its_signature_lets_a_made_up_one_log_in():
    club = club_of(member_club(reads_unsigned_sessions=True))
    failed = failure(step9.test_no_other_browser_is_logged_in, club, data("r"))
    assert failed.problem.startswith("a made-up cookie session, signed with another key, logs ")
    assert failed.problem.endswith(" in: anyone can log in as anyone")


def test_flasks_signed_session_logs_no_other_browser_in():
    step9.test_no_other_browser_is_logged_in(club_of(member_club()), data("e"))


# -- step 10: account details ----------------------------------------------------------------
def answer(status: int, location: str | None = None) -> Reply:
    headers = {"location": location} if location is not None else {}
    return Reply("GET", "/account-details", status, headers, b"")


@pytest.mark.parametrize(
    ("status", "location", "refused"),
    [
        (401, None, True),
        (403, None, True),
        (404, None, False),
        (200, None, False),
        (302, "/login", True),
        (303, "http://localhost/login/?next=/account-details", True),
        (300, "/login", True),
        (399, "/login", True),
        (400, "/login", False),
        (200, "/login", False),
        (302, "/", False),
        (302, "/login-help", False),
    ],
)
def test_a_visitor_is_refused_with_401_403_or_a_redirect_to_login(status, location, refused):
    assert members.refused(answer(status, location)) is refused


def test_an_account_form_without_both_fields_is_not_found_and_the_hint_shows_one():
    form = '<form method="post"><input name="food" value="{food}"><input name="note" value="{message}"></form>'
    failed = failure(step10.test_account_form_is_prefilled, club_of(member_club(account_form=form), "10"), data("f"))
    assert failed.problem == 'expected a <form method="post"> holding fields named food and message, found none'
    assert failed.hint == step10.FORM_HINT
    assert '<textarea name="message">{{ message }}</textarea>' in failed.hint


def test_an_account_form_filled_from_the_profile_passes():
    step10.test_account_form_is_prefilled(club_of(member_club(), "10"), data("g"))


def test_a_post_updating_whoever_the_form_names_when_no_one_is_logged_in_is_caught():
    club = club_of(member_club(post_names_the_member=True), "10")
    failed = failure(step10.test_account_details_need_login, club, data("h"))
    assert failed.problem.startswith(
        "expected POST /account-details without logging in to answer 401, 403 or a redirect to /login, "
        "got 303 to /user/"
    )


def test_account_details_refused_to_a_visitor_pass():
    step10.test_account_details_need_login(club_of(member_club(), "10"), data("i"))


# -- what the checks share (checks/members.py) -------------------------------------------------
@pytest.mark.parametrize(
    ("value", "changed"),
    [
        ("abcdef", "abcxef"),  # one letter in the middle, so that a signature no longer matches
        ("abcxef", "abcyef"),  # an "x" becomes a "y"
        ("eyJ1c2VyIjoiQWRhIn0.aw1rSQ", "eyJ1c2VyIjoixWRhIn0.aw1rSQ"),  # the middle of the spots between letters
        ("ab.cd.ef", "ab.cd.xf"),  # never the last of a part: a base64 part's last character may carry spare bits
        ("abc.d", "axc.d"),  # the second character counts
        ("a.b.c", "a.b.cx"),  # no two letters side by side: one is added
        ("", "x"),
    ],
)
def test_an_altered_cookie_differs_in_one_character(value, changed):
    assert members.altered(value) == changed


def test_status_seen_says_what_status_holds():
    assert members.status_seen(page("<p>hi</p>")) == 'the page has no element with id="status"'
    assert members.status_seen(page('<p id="status">  </p>')) == "#status is empty"
    assert members.status_seen(page('<p id="status">Hello,\n Ada</p>', '<p id="status">x</p>')) == (
        '#status says "Hello, Ada"'
    )
    assert members.status_names(page('<p id="status">Hello,\n Ada  Lovelace</p>'), " Ada Lovelace")
    assert not members.status_names(page('<p id="status">Hello</p><p>Ada</p>'), "Ada")


def test_only_forms_that_post_count_and_fields_hold_what_they_show():
    forms = members.post_forms(
        page(
            '<form><input name="a"></form>',
            '<form method="POST"><input name="b" value=" x  y">'
            '<textarea name="c">\n line  one\n</textarea><select name="d"></select></form>',
        )
    )
    assert [form.find("input")["name"] for form in forms] == ["b"]
    assert members.field_value(members.field_of(forms[0], "b")) == "x y"
    assert members.field_value(members.field_of(forms[0], "c")) == "line one"
    assert members.field_value(members.field_of(forms[0], "d")) == ""
    assert members.field_of(forms[0], "a") is None


def test_the_avatar_is_the_img_with_its_id():
    assert photos.avatar_src(page('<img src="/a.png">')) is None
    assert photos.avatar_src(page('<img id="avatar">')) == ""
    assert photos.avatar_src(page('<img id="avatar" src="/avatars/1.png">')) == "/avatars/1.png"


def photo_club() -> flask.Flask:
    app = flask.Flask("photos")

    @app.get("/avatars/<path:name>")
    def avatar(name):
        return f"photo {name} {flask.request.query_string.decode()}".strip()

    return app


@pytest.mark.parametrize(
    ("src", "served"),
    [
        ("data:image/png;base64,aGVsbG8=", b"hello"),
        ("data:image/png;base64,not base64!", b""),
        ("data:text/plain,caf%C3%A9%20au%20lait", "café au lait".encode()),
        ("/avatars/1.png", b"photo 1.png"),
        ("../avatars/my photo.png?v=2", b"photo my photo.png v=2"),
        ("http://localhost/avatars/2.png", b"photo 2.png"),
        ("https://elsewhere.example/avatars/1.png", None),
        ("ftp://localhost/avatars/1.png", None),
    ],
)
def test_a_photo_is_fetched_from_the_app_or_decoded_from_its_data_uri(src, served):
    club = club_of(photo_club(), "11")
    assert photos.fetch(club, page(path="/user/Ada"), src) == served


def test_code_files_are_the_python_and_html_files_of_the_copy_and_beside_it(tmp_path):
    root = tmp_path / "submission"
    (root / "templates").mkdir(parents=True)
    (root / "__pycache__").mkdir()
    (root / "app.py").write_text("app = 1\n")
    (root / "templates" / "user.html").write_text("<p></p>")
    (root / "notes.txt").write_text("not code")
    (root / "__pycache__" / "cached.py").write_text("")
    (tmp_path / "app.py").write_text("written beside the copy")
    found = photos.code_files(root)
    assert sorted(found) == ["../app.py", "app.py", "templates/user.html"]
    assert found["app.py"] == hashlib.sha256(b"app = 1\n").hexdigest()


@pytest.mark.timeout(60)
def test_code_files_never_opens_a_link_a_fifo_or_a_device_and_walks_any_depth(tmp_path):
    """What an app leaves in its copy (a link to /proc/kmsg, a fifo, a tree 1,500 deep) is walked, never waited on."""
    import os

    root = tmp_path / "copy"
    (root / "templates").mkdir(parents=True)
    (root / "app.py").write_text("app = 1\n")
    (root / "templates" / "user.html").write_text("<p></p>")
    (root / "kmsg.py").symlink_to("/proc/kmsg")
    (root / "elsewhere.py").symlink_to(root / "app.py")
    os.mkfifo(root / "pipe.py")
    folder = os.open(root, os.O_RDONLY)
    try:
        for _ in range(1500):  # os.makedirs would recurse once per folder
            os.mkdir("d", dir_fd=folder)
            deeper = os.open("d", os.O_RDONLY, dir_fd=folder)
            os.close(folder)
            folder = deeper
        os.close(os.open("deep.py", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=folder))
        found = photos.code_files(root)
        assert sorted(found) == ["app.py", "d" + "/d" * 1499 + "/deep.py", "templates/user.html"]
    finally:
        os.close(folder)
        remove_tree(root / "d")  # pytest's own clean-up of old temporary folders would recurse too


def test_a_profile_that_cannot_be_stored_names_step_2():
    club = club_of(member_club(password="another"))
    failed = failure(step9.test_login_shows_member_on_every_page, club, data("j"))
    assert failed.problem.startswith("the profile could not be stored: POST /user/ answered 403")


def test_a_check_that_cannot_log_in_says_so_before_its_own_test():
    failed = failure(step9.test_logout_logs_out, club_of(member_club(password="another")), data("k"))
    assert failed.problem.startswith(
        "expected POST /login with the club password to be accepted (2xx, or a 3xx redirect), got 401"
    )
    assert failed.hint == f"this check logs a member in first (step 9): {members.LOGIN_HINT}"
    failed = failure(step9.test_logout_logs_out, club_of(member_club(remember=False)), data("l"))
    assert failed.problem.startswith("after logging in as ")
    assert failed.problem.endswith("expected GET / to name the member in #status, but #status is empty")
    assert failed.hint == members.STATUS_HINT


@pytest.mark.parametrize(
    "check",
    [step10.test_account_form_is_prefilled, step10.test_account_update_changes_only_that_member,
     step11.test_photo_is_shown, step11.test_big_upload_is_refused],
)
def test_steps_10_and_11_see_a_login_that_does_not_hold_through_their_own_pages(check):
    """No #status is read: a login accepted but forgotten shows as the step's own page refusing the member."""
    step = "11" if check.__module__.endswith("photo") else "10"
    failed = failure(check, club_of(member_club(remember=False), step), data("l2"))
    assert "the login did not hold in this browser" in failed.problem
    assert failed.problem.startswith("POST /login answered 303")
    assert members.LOGIN_HINT in failed.hint


def test_steps_10_and_11_need_no_status_element():
    """A club whose login works but whose pages have no #status passes steps 10 and 11."""
    club = member_club(status=False)
    for check in (step10.test_account_form_is_prefilled, step10.test_account_update_changes_only_that_member):
        check(club_of(club, "10"), data("l3"))
    step11.test_photo_is_shown(club_of(club, "11"), data("l4"))


# -- step 11: a profile photo ------------------------------------------------------------------
def test_a_file_refused_but_kept_is_found_on_the_profile_page():
    failed = failure(step11.test_non_image_is_refused, club_of(member_club(keeps_refused_photos=True), "11"), data("m"))
    assert failed.problem.startswith("the refused file was stored anyway: the avatar's src ")


def test_a_file_refused_while_an_earlier_picture_is_shown_passes():
    step11.test_non_image_is_refused(club_of(member_club(), "11"), data("n"))


def test_a_name_that_climbs_out_names_at_most_three_changed_files(tmp_path):
    root = tmp_path / "submission"
    (root / "static" / "avatars").mkdir(parents=True)
    (root / "app.py").write_text("app = None\n")
    club = club_of(member_club(saves_photos_in=root / "static" / "avatars"), "11", root=root)
    failed = failure(step11.test_traversal_name_changes_no_file, club, data("o"))
    assert failed.problem == (
        "uploading images named ../app.py and the like changed ../app.html, ../app.py, app.html: "
        "a file name from the browser chose where to write"
    )


def test_an_upload_of_two_mebibytes_taken_gets_the_size_hint():
    club = club_of(member_club(refuses_photos_above=2 * 1024 * 1024), "11")
    failed = failure(step11.test_big_upload_is_refused, club, data("p"))
    assert failed.problem.startswith("expected an upload of 2 MiB to be refused with 413, got 303")
    assert failed.hint == step11.SIZE_HINT
    assert 'app.config["MAX_CONTENT_LENGTH"] = (1024 + 64) * 1024' in failed.hint


def test_an_upload_of_two_mebibytes_refused_with_413_passes():
    step11.test_big_upload_is_refused(club_of(member_club(), "11"), data("q"))
