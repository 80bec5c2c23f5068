"""Four rules, one test each: each kills exactly one of the kit's mutants."""

import os
import secrets


def test_the_testing_config_sets_testing(app):
    assert app.config["TESTING"] is True


def test_an_unknown_member_is_404(client):
    assert client.get(f"/user/Nobody{secrets.token_hex(4)}").status_code == 404


def test_an_empty_username_is_400(client):
    form = {"username": "", "food": "soup", "message": "hi", "password": os.environ["CLUB_PASSWORD"]}
    assert client.post("/user/", data=form).status_code == 400


def test_a_wrong_club_password_stores_nothing(client):
    name = f"Member{secrets.token_hex(4)}"
    form = {"username": name, "food": "soup", "message": "hi", "password": "not-the-club-password"}
    assert client.post("/user/", data=form).status_code in (401, 403)
    assert client.get(f"/user/{name}").status_code != 200
