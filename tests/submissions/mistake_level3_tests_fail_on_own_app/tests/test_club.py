"""Three tests pass on this app; the fourth is right about the rule, and fails on this app's bug."""

import secrets

import pytest

from app import create_app


@pytest.fixture
def app():
    return create_app("testing")


def test_the_testing_config_sets_testing(app):
    assert app.config["TESTING"] is True


def test_the_home_page_answers(app):
    assert app.test_client().get("/").status_code < 500


def test_the_register_page_answers(app):
    assert app.test_client().get("/register").status_code < 500


def test_an_unknown_member_is_404(app):
    assert app.test_client().get(f"/user/Nobody{secrets.token_hex(4)}").status_code == 404
