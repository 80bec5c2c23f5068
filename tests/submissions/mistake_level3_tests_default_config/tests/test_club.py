"""Tests of the default app, not the testing one: create_app("testing") is never called."""

from app import create_app


def test_home_page_answers():
    assert create_app().test_client().get("/").status_code == 200


def test_login_page_answers():
    assert create_app().test_client().get("/login").status_code == 200


def test_register_page_answers():
    assert create_app().test_client().get("/register").status_code == 200
