import html

from conftest import new_name, post_profile, text_of


def test_home_page_answers(client):
    assert client.get("/").status_code == 200


def test_a_profile_reads_back(app):
    name = new_name()
    assert post_profile(app, name, food="dal", message="hello").status_code < 400
    page = app.test_client().get(f"/user/{name}")
    assert page.status_code == 200
    assert text_of(page, "username") == name
    assert text_of(page, "food") == "dal"
    assert text_of(page, "message") == "hello"


def test_a_second_post_replaces_the_profile(app):
    name = new_name()
    post_profile(app, name, food="dal")
    post_profile(app, name, food="pizza")
    assert text_of(app.test_client().get(f"/user/{name}"), "food") == "pizza"


def test_no_username_is_400(app):
    assert post_profile(app, "").status_code == 400


def test_wrong_club_password_stores_nothing(app):
    name = new_name()
    assert post_profile(app, name, password="not-the-password").status_code in (401, 403)
    assert app.test_client().get(f"/user/{name}").status_code != 200


def test_unknown_user_is_404_and_named(client):
    name = new_name("Nobody")
    page = client.get(f"/user/{name}")
    assert page.status_code == 404
    assert name in page.text


def test_message_is_escaped(app):
    name = new_name()
    post_profile(app, name, message="<script>alert(1)</script>")
    page = app.test_client().get(f"/user/{name}")
    assert "<script>alert(1)</script>" not in page.text
    assert html.escape("<script>") in page.text or "&lt;script&gt;" in page.text
