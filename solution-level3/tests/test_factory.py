"""Step 12: create_app() makes a new app for each configuration; the testing club keeps its data apart."""

from app import create_app
from conftest import new_name


def test_each_call_makes_a_new_app():
    """create_app() and create_app(name) return a new app at each call."""
    assert create_app("testing") is not create_app("testing")
    assert create_app() is not create_app()


def test_testing_is_on_only_for_testing():
    """TESTING is True on the testing app, false on the default one."""
    assert create_app("testing").config["TESTING"] is True
    assert not create_app("default").config["TESTING"]
    assert not create_app().config["TESTING"]


def test_every_route_comes_through_a_blueprint():
    """Every URL rule but static belongs to a blueprint of the app."""
    app = create_app()
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]
    assert rules
    for rule in rules:
        assert rule.endpoint.split(".")[0] in app.blueprints, rule.rule


def test_testing_data_is_kept_apart(club):
    """A profile stored on the testing app is not on the default app, nor the other way round."""
    default = create_app("default").test_client()
    in_testing, in_default = new_name(), new_name()
    club.join(in_testing)
    password = club.password
    default.post("/user/", data={"username": in_default, "food": "f", "message": "m", "password": password})
    assert club.profile(in_testing).status == 200
    assert default.get(f"/user/{in_default}").status_code == 200
    assert default.get(f"/user/{in_testing}").status_code != 200
    assert club.profile(in_default).status != 200
