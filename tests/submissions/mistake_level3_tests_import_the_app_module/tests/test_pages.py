"""Tests through the front door: they run on any club."""

from app import create_app


def test_home_page_answers():
    assert create_app("testing").test_client().get("/").status_code < 500


def test_register_page_answers():
    assert create_app("testing").test_client().get("/register").status_code < 500


def test_login_page_answers():
    assert create_app("testing").test_client().get("/login").status_code < 500
