import os
import time

from conftest import club_password, logged_in, new_name, post_profile, register, text_of


def test_register_page_has_the_form(client):
    page = client.get("/register")
    assert page.status_code == 200
    for name in ("username", "password", "password2"):
        assert f'name="{name}"' in page.text


def test_a_member_logs_in_with_their_password(app):
    name = new_name()
    assert register(app, name, "long-password-1").status_code < 400
    browser = logged_in(app, name, "long-password-1")
    assert name in text_of(browser.get("/"), "status")


def test_the_club_password_does_not_log_a_member_in(app):
    name = new_name()
    register(app, name, "long-password-1")
    reply = app.test_client().post("/login", data={"username": name, "password": club_password()})
    assert reply.status_code in (401, 403)


def test_a_short_password_is_refused(app):
    name = new_name()
    assert register(app, name, "short").status_code == 400
    reply = app.test_client().post("/login", data={"username": name, "password": "short"})
    assert reply.status_code in (401, 403)


def test_two_different_passwords_are_refused(app):
    assert register(app, new_name(), "long-password-1", "long-password-2").status_code == 400


def test_a_taken_username_is_refused(app):
    name = new_name()
    register(app, name, "long-password-1")
    assert register(app, name, "long-password-2").status_code in (400, 409)
    assert app.test_client().post("/login", data={"username": name, "password": "long-password-2"}).status_code in (
        401, 403)


def test_members_survive_a_new_app(app):
    # the default app keeps its members in a file: a new app (as after a restart) still knows them
    from app import create_app

    name = new_name()
    register(create_app(), name, "long-password-1")
    browser = logged_in(create_app(), name, "long-password-1")
    assert name in text_of(browser.get("/"), "status")


def test_logout_forgets_the_member(app):
    name = new_name()
    post_profile(app, name)
    browser = logged_in(app, name, club_password())
    assert name in text_of(browser.get("/"), "status")
    browser.get("/logout")
    assert name not in (text_of(browser.get("/"), "status") or "")


def test_account_details_need_a_login(app):
    reply = app.test_client().get("/account-details")
    assert reply.status_code in (401, 403) or reply.headers["Location"].split("?")[0].endswith("/login")


def test_account_details_show_the_current_values(app):
    name = new_name()
    post_profile(app, name, food="soup", message="hello")
    page = logged_in(app, name, club_password()).get("/account-details")
    assert page.status_code == 200
    assert 'value="soup"' in page.text
    assert "hello</textarea>" in page.text


def test_account_details_change_the_profile(app):
    name = new_name()
    post_profile(app, name, food="soup")
    browser = logged_in(app, name, club_password())
    assert browser.post("/account-details", data={"food": "cake", "message": "new"}).status_code < 400
    assert text_of(app.test_client().get(f"/user/{name}"), "food") == "cake"


def outbox_link(app, name):
    outbox = os.path.join(app.instance_path, "outbox")
    for file in sorted(os.listdir(outbox)):
        with open(os.path.join(outbox, file), encoding="utf-8") as mail:
            text = mail.read()
        if name in text:
            return next(word for word in text.split() if word.startswith("http"))
    return None


def test_the_link_confirms_the_member(app):
    name = new_name()
    register(app, name, "long-password-1")
    post_profile(app, name)
    assert text_of(app.test_client().get(f"/user/{name}"), "confirmed") == "no"
    browser = logged_in(app, name, "long-password-1")
    browser.get(outbox_link(app, name).split("localhost", 1)[-1].split("://", 1)[-1])
    assert text_of(app.test_client().get(f"/user/{name}"), "confirmed") == "yes"


def test_an_expired_link_confirms_no_one(monkeypatch):
    monkeypatch.setenv("CLUB_CONFIRM_SECONDS", "1")
    from app import create_app

    app = create_app("testing")
    name = new_name()
    register(app, name, "long-password-1")
    post_profile(app, name)
    time.sleep(2)
    browser = logged_in(app, name, "long-password-1")
    browser.get(outbox_link(app, name))
    assert text_of(app.test_client().get(f"/user/{name}"), "confirmed") == "no"


def test_another_members_link_confirms_no_one(app):
    first, second = new_name(), new_name()
    for name in (first, second):
        register(app, name, "long-password-1")
        post_profile(app, name)
    browser = logged_in(app, second, "long-password-1")
    browser.get(outbox_link(app, first))
    assert text_of(app.test_client().get(f"/user/{second}"), "confirmed") == "no"


def test_a_link_signed_with_another_key_confirms_no_one(app):
    name = new_name()
    register(app, name, "long-password-1")
    post_profile(app, name)
    link = outbox_link(app, name)
    app.config["SECRET_KEY"] = "another key, " + app.config["SECRET_KEY"]
    browser = logged_in(app, name, "long-password-1")
    browser.get(link)
    assert text_of(app.test_client().get(f"/user/{name}"), "confirmed") == "no"
