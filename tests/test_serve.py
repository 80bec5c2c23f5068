"""solution/serve.py: the club under waitress, the production server behind `make serve`.

Each test runs serve.py in a process of its own, in a copy of solution/ (so
with a profiles file of its own), on 127.0.0.1 and a port nobody else holds.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tools.load import Visitor, shown
from tools.server import Server, copy_solution

PASSWORD = "s3cret"

# Runs serve.py's main() with waitress.serve replaced by a stand-in that prints
# what it was given, so the defaults are seen without listening on port 5000.
FAKE_WAITRESS = """
import json, sys, waitress
def fake_serve(app, **options):
    print(json.dumps({"debug": app.debug, **options}))
waitress.serve = fake_serve
sys.path.insert(0, ".")
import serve
sys.exit(serve.main())
"""


@pytest.fixture
def club(tmp_path: Path) -> Path:
    """A copy of solution/ with no profiles yet."""
    return copy_solution(tmp_path / "club")


def free_port() -> int:
    """A loopback port that was free a moment ago."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_serve(club: Path, code: str | None = None, **env: str | None) -> subprocess.CompletedProcess[str]:
    """Run serve.py (or `code`) in `club` until it exits; `env` sets (or, with None, unsets) variables."""
    environment = {**os.environ, "CLUB_PASSWORD": PASSWORD}
    environment.pop("PORT", None)
    for name, value in env.items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    command = [sys.executable, "-c", code] if code else [sys.executable, "serve.py"]
    return subprocess.run(
        command, cwd=club, env=environment, capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL
    )


def test_serves_the_club_on_the_port_in_PORT(club: Path) -> None:
    """with PORT set, waitress listens there, and GET / is the club's HTML home page"""
    port = free_port()
    with Server(club, PASSWORD, port=port) as server, Visitor(server.url, PASSWORD) as visitor:
        status, page = visitor.request("GET", "/")
    assert (server.port, status, BeautifulSoup(page, "html.parser").h1.get_text()) == (port, 200, "Flask Club")


def test_joining_works_under_waitress(club: Path) -> None:
    """under waitress, POST /user/ is answered 303 and the profile page shows the values"""
    profile = {"username": "Zoë Ngũ", "food": "bánh mì", "message": "<b>hi</b> & bye"}
    with Server(club, PASSWORD) as server, Visitor(server.url, PASSWORD) as visitor:
        status = visitor.join(profile)
        page = visitor.profile("Zoë Ngũ")[1]
    assert (status, shown(page)) == (303, profile)


def test_profiles_survive_a_restart(club: Path) -> None:
    """a profile stored before the server stops is there when it starts again"""
    profile = {"username": "Mira K", "food": "dal", "message": "still here"}
    with Server(club, PASSWORD) as server, Visitor(server.url, PASSWORD) as visitor:
        visitor.join(profile)
    with Server(club, PASSWORD) as server, Visitor(server.url, PASSWORD) as visitor:
        page = visitor.profile("Mira K")[1]
    assert shown(page) == profile


def test_listens_on_port_5000_of_this_computer_by_default(club: Path) -> None:
    """without PORT and HOST, the server listens on 127.0.0.1 port 5000"""
    options = json.loads(run_serve(club, FAKE_WAITRESS, PORT=None, HOST=None).stdout)
    assert (options["host"], options["port"]) == ("127.0.0.1", 5000)


def test_debug_is_off_even_with_FLASK_DEBUG(club: Path) -> None:
    """FLASK_DEBUG=1 in the environment does not switch debug mode on"""
    done = run_serve(club, FAKE_WAITRESS, FLASK_DEBUG="1")
    assert json.loads(done.stdout)["debug"] is False


@pytest.mark.parametrize("password", [None, ""], ids=["unset", "empty"])
def test_refuses_to_start_without_CLUB_PASSWORD(club: Path, password: str | None) -> None:
    """without CLUB_PASSWORD, serve.py exits with status 2 and a one-line reason, no traceback"""
    done = run_serve(club, CLUB_PASSWORD=password, PORT=str(free_port()))
    assert (done.returncode, done.stdout, done.stderr.count("\n")) == (2, "", 1)
    assert "set CLUB_PASSWORD" in done.stderr


@pytest.mark.parametrize("port", ["http", "-1", "65536", "5000.0"])
def test_refuses_a_port_that_is_not_a_port(club: Path, port: str) -> None:
    """a PORT that is not a number from 0 to 65535 is refused with status 2 and a reason"""
    done = run_serve(club, PORT=port)
    reason = f"serve.py: PORT must be a port number from 0 to 65535, not {port!r}.\n"
    assert (done.returncode, done.stderr) == (2, reason)
