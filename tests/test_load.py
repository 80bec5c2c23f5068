"""The reference solution under load, and after a crash: `make load` (tools/load.py), in small.

`make load` sends 50 clients × 40 requests; here 10 clients × 20 keep the
suite quick. Every server runs on 127.0.0.1, on a port waitress picks.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tools.load import CrashReport, LoadReport, run_crash, run_load
from tools.server import ROOT, Server, copy_solution

PASSWORD = "s3cret"


@pytest.fixture(scope="module")
def load(tmp_path_factory: pytest.TempPathFactory) -> LoadReport:
    """10 client threads × 20 joins, updates and reads, against one server."""
    with Server(copy_solution(tmp_path_factory.mktemp("load") / "club"), PASSWORD) as server:
        return run_load(server.url, PASSWORD, clients=10, requests=20, seed=7)


@pytest.fixture(scope="module")
def crash(tmp_path_factory: pytest.TempPathFactory) -> CrashReport:
    """4 writer threads; SIGKILL after 60 answered POSTs; a restart on the same folder."""
    return run_crash(copy_solution(tmp_path_factory.mktemp("crash") / "club"), PASSWORD, writers=4, kill_after=60)


def test_every_request_is_answered(load: LoadReport) -> None:
    """all 200 requests get an answer"""
    assert (load.requests, load.failures) == (200, [])


def test_no_answer_is_a_server_error(load: LoadReport) -> None:
    """under load, no request is answered 5xx"""
    assert load.server_errors == []


def test_every_profile_shows_its_last_values(load: LoadReport) -> None:
    """after the load, each profile created shows the values last written to it"""
    assert (len(load.profiles) > 10, load.misread) == (True, [])


def test_answered_posts_survive_a_crash(crash: CrashReport) -> None:
    """after a SIGKILL mid-write and a restart, every profile whose POST was answered is there"""
    assert (crash.answered >= 60, crash.failures, crash.missing) == (True, [], [])


def test_profiles_file_is_intact_after_a_crash(crash: CrashReport) -> None:
    """after a SIGKILL mid-write, instance/profiles.json still reads as JSON"""
    assert crash.integrity == "ok"


def test_make_load_prints_the_figures() -> None:
    """python -m tools.load prints throughput, latencies and the crash's outcome, and exits 0"""
    command = [sys.executable, "-m", "tools.load", "--clients", "3", "--requests", "5", "--kill-after", "10"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stdout + done.stderr
    for figure in ("3 clients × 5 requests = 15 requests", "requests/s", "p50", "p99", "profiles file: ok"):
        assert figure in done.stdout
