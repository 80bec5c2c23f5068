"""What level 2's checks share: members logging in and out, `#status` and forms (photos: photos.py).

Every check of level 2 talks to the app started on a fresh copy of the submission, in a
browser of its own: `club.client` keeps the cookies the app sets, for that check alone.
Profiles are stored, and read back, by a new visitor (`club.stranger`, no cookies).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from bs4 import Tag
from flask.sessions import SecureCookieSessionInterface, session_json_serializer
from itsdangerous import URLSafeTimedSerializer

from checks.club import OMIT, Club
from checks.data import Profile
from checks.reply import Reply, normalize, show

LOGIN_HINT = (
    "POST /login checks the form's password against os.environ['CLUB_PASSWORD'], then remembers the "
    "member in Flask's session: session['username'] = username (with app.secret_key set)"
)
STATUS_HINT = (
    'put an element with id="status" in templates/base.html, such as <p id="status">{% if session.username %}'
    "logged in as {{ session.username }}{% endif %}</p>, so that every page shows it"
)


# -- profiles ----------------------------------------------------------------
def store(club: Club, profile: Profile) -> None:
    """POST the profile to /user/ as a new visitor; fail the check, naming step 2, if it is refused."""
    form = {**profile.fields(), "password": club.password}
    reply = club.request("POST", "/user/", form, visitor=club.stranger)
    if not reply.accepted:
        club.fail(
            f"the profile could not be stored: POST /user/ answered {reply.summary()}",
            "this check needs POST /user/ to store a profile first: make step 2 work (docs/student/step-2.md)",
        )


def expect_profile(club: Club, profile: Profile, hint: str | None = None) -> Reply:
    """The profile page, read by a new visitor, is 200 and shows the profile's three values."""
    reply = club.profile_page(profile.username)
    club.expect_profile(reply, profile, hint)
    return reply


# -- logging in ----------------------------------------------------------------
def login(club: Club, username: str, password: object = None) -> Reply:
    """POST /login in the check's browser, with the club password unless another (or OMIT) is given."""
    form = {"username": username}
    if password is not OMIT:
        form["password"] = club.password if password is None else str(password)
    return club.post("/login", form)


def status_names(reply: Reply, username: str) -> bool:
    """Whether the page's #status holds the username."""
    wanted = normalize(username)
    return any(wanted in text for text in reply.field_texts("status"))


def status_seen(reply: Reply) -> str:
    """What the page's #status says, for a message."""
    texts = reply.field_texts("status")
    if not texts:
        return 'the page has no element with id="status"'
    return f"#status says {show(texts[0])}" if texts[0] else "#status is empty"


def log_in(club: Club, username: str) -> Reply:
    """Log the member in: POST /login with the club password must be accepted; fail the check, naming step 9, if not.

    Whether the login holds is for the check's own pages to show (step 10's form, step 11's
    upload): no check but step 9's reads #status, so steps stay independent.
    """
    reply = login(club, username)
    if not reply.accepted:
        moved = moved_hint(club, "/login") if reply.status_code == 404 else None
        club.fail(
            f"expected POST /login with the club password to be accepted (2xx, or a 3xx redirect), "
            f"got {reply.summary()}",
            f"this check logs a member in first (step 9): {moved or LOGIN_HINT}",
            cause="login",
        )
    return reply


def log_in_seen(club: Club, username: str) -> None:
    """Log the member in and see GET / say so in #status (step 9's own element); fail the check if not."""
    log_in(club, username)
    home = club.get("/")
    club.expect_page(home, 200, "GET /")  # a page that fails (a 500) is the cause, not a missing #status
    if not status_names(home, username):
        club.fail(
            f"after logging in as {show(username)}, expected GET / to name the member in #status, "
            f"but {status_seen(home)}",
            STATUS_HINT,
        )


def moved_by_prefix(target: str, path: str) -> str | None:
    """The url_prefix that put `path` at `target` (Flasky's "/auth" puts /login at /auth/login), or None."""
    target = urlsplit(target).path.rstrip("/") or "/"
    if target == path.rstrip("/") or not target.endswith(path.rstrip("/")) or not target.startswith("/"):
        return None
    prefix = target[: -len(path.rstrip("/"))]
    return None if prefix.split("/")[1:2] in ([], ["user"], ["edit-profile"], ["photos"]) else prefix


def prefix_hint(prefix: str, path: str, seen: str = "your pages link to") -> str:
    """The hint for a contract URL that a blueprint's url_prefix moved (`seen`: where the moved URL showed)."""
    return (
        f'{seen} {prefix}{path}, not {path}: a blueprint registered with url_prefix="{prefix}" moves every route '
        "on it; register it without one (app.register_blueprint(auth)): the contract's URLs stay where they are "
        "(docs/student/step-12.md)"
    )


BOOK_PREFIXES = ("/auth",)  # the url_prefix Flasky gives its auth blueprint


def moved_hint(club: Club, path: str) -> str | None:
    """After a 404 at `path`: where the home page's links put the club's login instead, or where the book's
    url_prefix puts `path` (GET /auth/login answers), as a hint; None if nowhere.

    A blueprint registered with a url_prefix (Flasky's auth blueprint: url_prefix="/auth") moves /login
    and every other route of that blueprint; the home page's link to log in shows the prefix.
    """
    home = club.get("/")
    if home.status_code == 200 and home.is_html:
        for tag in home.soup.find_all(["a", "form"]):
            target = str(tag.get("href") or tag.get("action") or "")
            for known in (path, "/login"):
                prefix = moved_by_prefix(target, known)
                if prefix is not None:
                    return prefix_hint(prefix, known)
    for prefix in BOOK_PREFIXES:  # no link shows it: where the book puts the route
        moved = club.get(prefix + path)
        if moved.status_code != 404:  # (a 405 too: the route is there, for other methods)
            return prefix_hint(prefix, path, f"GET {prefix}{path} answers {moved.status_code}: your app has it at")
    return None


def login_elsewhere_hint(reply: Reply) -> str | None:
    """A refusal that redirects to a /login a url_prefix moved (Flask-Login's /auth/login?next=...): its hint."""
    if not 300 <= reply.status_code < 400:
        return None
    prefix = moved_by_prefix(reply.headers.get("location", ""), "/login")
    return prefix_hint(prefix, "/login", f"{reply.method} {reply.path} redirects to") if prefix else None


def refused(reply: Reply) -> bool:
    """401, 403, or a redirect to /login: how a page turns away a visitor who is not logged in."""
    if reply.status_code in (401, 403):
        return True
    location = reply.headers.get("location", "")
    return 300 <= reply.status_code < 400 and urlsplit(location).path.rstrip("/") == "/login"


def not_logged_in(club: Club, login: Reply, reply: Reply, what: str) -> None:
    """Fail the check when `reply` refuses a member who logged in a moment ago (the login did not hold)."""
    if refused(reply):
        club.fail(
            f"POST /login answered {login.summary()}, yet {what} then answered {reply.summary()}, as to a visitor "
            "who is not logged in: the login did not hold in this browser",
            f"this check logs a member in first (step 9): {LOGIN_HINT}; and read the member from the session "
            "(session.get(\"username\")) in this route",
        )


def cookies(client) -> dict[str, str]:
    """The cookies a test client holds (name: value)."""
    jar = getattr(client, "_cookies", None) or {}
    return {cookie.key: cookie.value for cookie in jar.values()}


def cookie_header(jar: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in jar.items())


def altered(value: str) -> str:
    """The value with one character changed in its middle: a signature no longer matches it."""
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    spots = [i for i in range(1, len(value) - 1) if value[i] in alphabet and value[i + 1] in alphabet]
    if not spots:
        return value + "x"
    i = spots[len(spots) // 2]
    return value[:i] + ("x" if value[i] != "x" else "y") + value[i + 1 :]


def made_up_session(username: str, key: str) -> str:
    """A session cookie as Flask makes it, naming `username` in the usual keys, but signed with another key."""
    interface = SecureCookieSessionInterface()
    serializer = URLSafeTimedSerializer(
        key,
        salt=interface.salt,
        serializer=session_json_serializer,
        signer_kwargs={"key_derivation": interface.key_derivation, "digest_method": interface.digest_method},
    )
    claims = {"username": username, "user": username, "member": username, "user_id": username, "logged_in": True}
    return serializer.dumps(claims)


# -- forms ---------------------------------------------------------------------
def post_forms(reply: Reply) -> list[Tag]:
    """The page's <form method="post"> elements."""
    return [form for form in reply.soup.find_all("form") if str(form.get("method") or "get").lower() == "post"]


def field_of(form: Tag, name: str) -> Tag | None:
    """The form's <input>, <textarea> or <select> named `name`."""
    return form.find(["input", "textarea", "select"], attrs={"name": name})


def field_value(field: Tag) -> str:
    """What a form field holds: an input's value, a textarea's text."""
    if field.name == "textarea":
        return normalize(field.get_text())
    return normalize(str(field.get("value") or ""))
