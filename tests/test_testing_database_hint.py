"""Step 12's data check on a testing app whose tables are gone by the next request (SQLite's ":memory:"
opened per request): the failure still names step 2, as the contract asks, and then the likely cause."""

from __future__ import annotations

import sqlite3

import flask
import pytest
from test_level2_checks import failure
from test_level3_hint_selection import profiles_app, two_apps

from checks import test_step12_factory as step12
from checks.data import Data

STEP_2 = "this check needs POST /user/ to store a profile first: make step 2 work (docs/student/step-2.md)"


def losing_tables(error: str) -> flask.Flask:
    """A profiles app whose POST /user/ raises sqlite3's OperationalError with `error`."""
    app = profiles_app({})

    def store():
        raise sqlite3.OperationalError(error)

    app.view_functions["store"] = store
    return app


def test_a_testing_app_without_its_tables_is_told_of_the_memory_database(monkeypatch):
    club = two_apps(monkeypatch, losing_tables("no such table: profiles"), profiles_app({}))
    found = failure(step12.test_testing_data_is_kept_apart, club, Data(1, "apart"))
    assert found.problem.startswith("the profile could not be stored: POST /user/ answered 500")
    assert found.hint == (
        f"{STEP_2}; on the testing app, your tables are missing: an SQLite \":memory:\" database lives in one "
        "connection, and a new connection (one per request) finds none of the tables create_app() made; give "
        "TestingConfig a file of its own in the instance folder "
        "(docs/student/troubleshooting.md#the-testing-app-forgets-what-it-stored)"
    )


@pytest.mark.parametrize(("side", "error"), [("testing", "database is locked"), ("default", "no such table: profiles")])
def test_another_error_or_the_default_app_gets_step_2s_hint_alone(monkeypatch, side, error):
    apps = {"testing": profiles_app({}), "default": profiles_app({}), side: losing_tables(error)}
    club = two_apps(monkeypatch, apps["testing"], apps["default"])
    found = failure(step12.test_testing_data_is_kept_apart, club, Data(1, "apart"))
    assert found.hint == STEP_2
