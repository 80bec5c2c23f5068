"""The same exercise checked with CS50's check50: eight checks of the contract's level 1.

Only `make bench` uses it, to compare one level-1 grade with a check50 run of the same
size side by side (check50 is not one of the kit's dependencies: the bench says so where
it is missing). Run by hand: `check50 --dev --offline tools/check50_baseline` in a
submission's folder.
"""

import os

import check50
import check50.flask

PASSWORD = "bench-password"
os.environ["CLUB_PASSWORD"] = PASSWORD
PROFILE = {"username": "ada lovelace", "food": "plum", "message": "hello", "password": PASSWORD}


@check50.check()
def exists():
    """app.py exists"""
    check50.exists("app.py")


@check50.check(exists)
def home():
    """GET / answers 200"""
    check50.flask.app("app.py").get("/").status(200)


@check50.check(exists)
def post_user():
    """POST /user/ with the four fields is accepted"""
    status = check50.flask.app("app.py").post("/user/", data=PROFILE).status()
    if not 200 <= status < 400:
        raise check50.Failure(f"expected 2xx or 3xx, got {status}")


@check50.check(exists)
def post_without_username():
    """POST /user/ without a username is 400"""
    check50.flask.app("app.py").post("/user/", data={"food": "plum", "password": PASSWORD}).status(400)


@check50.check(exists)
def template_exists():
    """templates/user.html exists"""
    check50.exists("templates/user.html")


@check50.check(post_user)
def show_user():
    """GET /user/<username> shows the profile"""
    app = check50.flask.app("app.py")
    app.post("/user/", data=PROFILE)
    app.get("/user/ada lovelace").status(200).content("plum").content("hello")


@check50.check(exists)
def unknown_user():
    """an unknown user is 404"""
    check50.flask.app("app.py").get("/user/nobody-here").status(404)


@check50.check(exists)
def wrong_password():
    """a wrong club password is 401 or 403"""
    status = check50.flask.app("app.py").post("/user/", data={**PROFILE, "password": "wrong"}).status()
    if status not in (401, 403):
        raise check50.Failure(f"expected 401 or 403, got {status}")
