"""Bubblewrap's probe, started ahead: grading waits for it rather than starting another, and it never
leaves its folder behind, even when the grader exits at once (a bad command line, --help)."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from conftest import ROOT

from checks.sandbox import bubblewrap, isolation


def test_choose_waits_for_the_probe_started_ahead_instead_of_starting_another(monkeypatch):
    """probe_soon() starts the probe in the background; choose() waits for it, and probes no second time."""
    calls, done = [], threading.Event()

    @functools.lru_cache(maxsize=4)
    def check(rlimits: str = "{}") -> None:
        calls.append(rlimits)
        time.sleep(0.3)
        done.set()

    monkeypatch.setattr(bubblewrap, "check", check)
    monkeypatch.setattr(isolation, "_probes", {})
    isolation.probe_soon()
    assert not done.is_set()
    chosen = isolation.choose()
    assert done.is_set() and len(calls) == 1 and chosen.mode == isolation.BUBBLEWRAP


def test_a_probe_that_failed_is_said_by_choose(monkeypatch):
    """Where the sandbox can't start, choose() probes again and says why (grading others' work refuses)."""
    def check(rlimits: str = "{}") -> None:
        raise bubblewrap.Unavailable("bubblewrap (bwrap) is not installed")

    monkeypatch.setattr(bubblewrap, "check", check)
    monkeypatch.setattr(isolation, "_probes", {})
    isolation.probe_soon()
    with pytest.raises(isolation.NoSandbox, match="not installed"):
        isolation.choose()
    assert "not installed" in isolation.choose(others_work=False).note


@pytest.mark.skipif(not bubblewrap.available(), reason="no bubblewrap sandbox here")
def test_a_grader_that_exits_at_once_leaves_no_probe_folder(tmp_path):
    """A process that starts the probe and ends while it runs waits for it, quietly: its folder is removed."""
    for wait in (0, 0.01, 0.03, 0.06):  # the grader ends before, or while, the probe makes its folder
        ended = subprocess.run(
            [sys.executable, "-c", f"import time\nfrom checks.sandbox.isolation import probe_soon\n"
             f"probe_soon()\ntime.sleep({wait})"], cwd=ROOT, capture_output=True, text=True, timeout=60,
            env={**os.environ, "TMPDIR": str(tmp_path)})  # a folder of its own: other graders probe too
        assert (ended.returncode, ended.stderr) == (0, "")
    time.sleep(0.5)
    assert list(tmp_path.iterdir()) == []


def test_the_probes_folder_is_named_after_its_grader_for_the_sweep(monkeypatch, tmp_path):
    """A probe killed with its grader (kill -9) leaves a folder the next grader's sweep knows: flask-club-PID-…"""
    import re

    from checks.run import scratch

    seen = []

    def command(app, folder, *rest):
        seen.append(Path(folder).name)
        raise bubblewrap.Unavailable("stop here")

    monkeypatch.setattr(bubblewrap, "command", command)
    monkeypatch.setattr(bubblewrap.shutil, "which", lambda name: "/usr/bin/bwrap")
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", None)
    with pytest.raises(bubblewrap.Unavailable):
        bubblewrap.check.__wrapped__('{"probe": "named"}')
    assert re.fullmatch(rf"{scratch.PREFIX}{os.getpid()}-probe-.+", seen[0]), seen
    assert list(tmp_path.iterdir()) == []  # removed when the probe ends, whatever way
