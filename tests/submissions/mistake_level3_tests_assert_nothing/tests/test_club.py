"""Tests that run the app and check nothing: they pass on every mutant too."""

from app import create_app


def test_home_page():
    create_app("testing").test_client().get("/")


def test_register_page():
    create_app("testing").test_client().get("/register")


def test_login_page():
    response = create_app("testing").test_client().get("/login")
    assert response is not None
