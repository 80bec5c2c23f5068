"""Step 9: log in and out: POST /login with the club password, #status on every page, GET /logout."""

from __future__ import annotations

from checks.club import Club
from checks.data import Data
from checks.members import (
    LOGIN_HINT,
    STATUS_HINT,
    altered,
    cookie_header,
    cookies,
    field_of,
    log_in_seen,
    login,
    made_up_session,
    moved_hint,
    post_forms,
    status_names,
    status_seen,
    store,
)
from checks.replay import profile_path
from checks.reply import show


def test_login_page_has_form(club: Club) -> None:
    """GET /login shows a form that posts a username and a password"""
    reply = club.get("/login")
    hint = 'add a route @app.get("/login") that renders templates/login.html'
    if reply.status_code == 404:
        hint = moved_hint(club, "/login") or hint
    club.expect_page(reply, 200, "GET /login", hint)
    forms = post_forms(reply)
    if not forms:
        club.fail(
            'expected GET /login to hold a <form method="post">, found none',
            'a form without method="post" sends a GET: <form method="post" action="/login">',
        )
    for form in forms:
        if field_of(form, "username") is not None and field_of(form, "password") is not None:
            return
    names = sorted({str(field.get("name")) for form in forms for field in form.find_all(["input", "textarea"])})
    club.fail(
        f"expected the login form to hold inputs named username and password; its fields are named "
        f"{', '.join(names) or 'nothing'}",
        '<input name="username"> and <input name="password" type="password">',
    )


def test_login_shows_member_on_every_page(club: Club, data: Data) -> None:
    """after POST /login with the club password, #status names the member on every page"""
    profile = data.profile()
    store(club, profile)
    reply = login(club, profile.username)
    if not reply.accepted:
        club.fail(
            f"expected POST /login with the club password to be accepted (2xx, or a 3xx redirect), "
            f"got {reply.summary()}",
            LOGIN_HINT,
        )
    for page in ("/", profile_path(profile.username)):
        seen = club.get(page)
        club.expect_page(seen, 200, f"GET {page}")
        if not status_names(seen, profile.username):
            club.fail(
                f"logged in as {show(profile.username)}, expected #status on GET {page} to name the member, "
                f"but {status_seen(seen)}",
                STATUS_HINT if not seen.field_texts("status") else LOGIN_HINT,
            )


def test_wrong_password_logs_no_one_in(club: Club, data: Data) -> None:
    """POST /login with a wrong password is refused (401 or 403) and logs no one in, member or newcomer"""
    member = data.profile()
    store(club, member)
    for username, who in ((member.username, "a member who has a profile"), (data.username(), "a newcomer")):
        reply = login(club, username, data.password())
        if reply.status_code not in (401, 403):
            hint = (
                "compare the password with CLUB_PASSWORD's value and answer 401 when they differ "
                "(render the login page again with the status: return render_template(...), 401)"
            )
            if username == member.username:
                hint = "check the password for every username, also for members who already have a profile"
            club.fail(
                f"expected POST /login as {who} with a wrong password to be refused with 401 or 403, "
                f"got {reply.summary()}",
                hint,
            )
        home = club.get("/")
        club.expect_page(home, 200, "GET /")
        if status_names(home, username):
            club.fail(
                f"a wrong password logged {show(username)} in: #status on GET / names the member",
                "remember the member in the session only after the password is right",
            )


def test_logout_logs_out(club: Club, data: Data) -> None:
    """GET /logout (or POST /logout) logs the member out"""
    username = data.username()
    log_in_seen(club, username)
    reply = club.get("/logout")
    if reply.status_code == 405:
        reply = club.post("/logout", {})
    if reply.status_code == 404:
        club.fail("expected a /logout route, got 404", 'add @app.route("/logout") that forgets the member')
    home = club.get("/")
    club.expect_page(home, 200, "GET / after /logout")
    if status_names(home, username):
        club.fail(
            f"after /logout, #status on GET / still names {show(username)}: the member is still logged in",
            "forget the member in the session: session.pop(\"username\", None), or session.clear()",
        )


def test_no_other_browser_is_logged_in(club: Club, data: Data) -> None:
    """another browser, or a made-up or altered session cookie, is never logged in"""
    username, other = data.username(), data.username()
    log_in_seen(club, username)
    home = club.request("GET", "/", visitor=club.stranger)
    club.expect_page(home, 200, "GET / from a new visitor")
    if status_names(home, username):
        club.fail(
            f"a new visitor, without cookies, is logged in as {show(username)}: #status on GET / names the member",
            "keep who is logged in in Flask's session (one per browser), never in a global variable",
        )
    jar = cookies(club.client)
    for name in jar:
        without = {key: value for key, value in jar.items() if key != name}
        if without:
            kept = club.request("GET", "/", visitor=club.stranger, cookies=cookie_header(without))
            if status_names(kept, username):
                continue  # this cookie is not what logs the member in
        forged = {**jar, name: altered(jar[name])}
        reply = club.request("GET", "/", visitor=club.stranger, cookies=cookie_header(forged))
        if status_names(reply, username):
            club.fail(
                f"an altered cookie {name} still logs {show(username)} in: the session is not checked",
                "use Flask's session (signed with app.secret_key) or keep sessions on the server",
            )
    key = data.password() + data.password()
    made_up = ((other, "holding just the username"), (made_up_session(other, key), "signed with another key"))
    for name in sorted({*jar, "session"}):
        for value, what in made_up:
            reply = club.request("GET", "/", visitor=club.stranger, cookies=f"{name}={value}")
            if status_names(reply, other):
                club.fail(
                    f"a made-up cookie {name}, {what}, logs {show(other)} in: anyone can log in as anyone",
                    "keep the member in Flask's session, signed with app.secret_key (from os.environ['SECRET_KEY'] "
                    "or os.urandom), never in a cookie of your own",
                )
