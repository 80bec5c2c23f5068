from app import create_app
from conftest import new_name, post_profile


def test_testing_config_is_testing():
    assert create_app("testing").config["TESTING"] is True
    assert not create_app().config.get("TESTING")


def test_each_call_makes_a_new_app():
    assert create_app("testing") is not create_app("testing")


def test_testing_data_is_kept_apart(app):
    default = create_app()
    name = new_name()
    post_profile(app, name)
    assert app.test_client().get(f"/user/{name}").status_code == 200
    assert default.test_client().get(f"/user/{name}").status_code != 200
