"""Tests that reach into this club's own module: right about the rules, but they fail on any other club."""

import secrets

from app import create_app
from club.db import account


def test_the_testing_config_sets_testing():
    assert create_app("testing").config["TESTING"] is True


def test_an_unknown_member_is_404():
    app = create_app("testing")
    name = f"Nobody{secrets.token_hex(4)}"
    with app.app_context():
        assert account(name) is None
    assert app.test_client().get(f"/user/{name}").status_code == 404
