"""Level 2's nursery: one sandbox forks every fresh app, and nothing of one app reaches the next.

Each level-2 check runs the app on a fresh copy in a new process. The nursery
(checks/sandbox/nursery.py) imports Flask once and forks those processes, so they
start in milliseconds; these tests hold it to the promise of a sandbox per app:
between two apps every other process is gone and /tmp is empty, what an app writes
beside its copy is removed, and no app can kill the nursery, read its memory or
reach its pipe to the grader.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import ROOT, write_level2_rubric

from checks.grade import grade
from checks.options import Options
from checks.run.workspace import prepare
from checks.sandbox import bubblewrap
from checks.sandbox.isolation import choose
from checks.sandbox.limits import Limits
from checks.sandbox.nursery import Nursery
from checks.sandbox.process import launch
from checks.sandbox.sandbox import Sandbox

pytestmark = pytest.mark.skipif(
    not bubblewrap.available() or not bubblewrap.can_be_first(),
    reason="the nursery needs the bubblewrap sandbox (with --as-pid-1)",
)
ENV = {"CLUB_PASSWORD": "a-password", "SECRET_KEY": "a-key"}

# An app that reports what it can see of the sandbox: processes, /tmp, the nursery's folder, open files.
SPY = '''\
import json, os
from flask import Flask

app = Flask(__name__)
TMP_AT_IMPORT = sorted(os.listdir("/tmp"))
# IMPORT

def is_socket(fd):
    import stat

    try:
        return stat.S_ISSOCK(os.fstat(fd).st_mode)
    except OSError:
        return False


def take(fd):
    """Copy the nursery's descriptor `fd` into this process (pidfd_getfd), as a debugger could."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    pidfd = os.pidfd_open(1)
    try:
        got = libc.syscall(438, pidfd, fd, 0)
        if got < 0:
            raise OSError(ctypes.get_errno(), "pidfd_getfd")
        os.close(got)
    finally:
        os.close(pidfd)


@app.get("/")
def home():
    def able(action):
        try:
            action()
            return True
        except OSError:
            return False

    mine = {os.getpid(), *(int(name) for name in os.listdir(f"/proc/{os.getpid()}/task"))}
    return json.dumps({
        "others": sorted(int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) not in mine),
        "tmp": sorted(os.listdir("/tmp")),
        "tmp_at_import": TMP_AT_IMPORT,
        "beside": sorted(os.listdir(os.path.dirname(os.getcwd()))),
        "here": os.getcwd(),
        "sockets": [fd for fd in map(int, os.listdir("/proc/self/fd")) if is_socket(fd)],
        "read_nursery_memory": able(lambda: open("/proc/1/mem", "rb").close()),
        "take_nursery_files": any(able(lambda fd=fd: take(fd)) for fd in range(16)),
        "read_nursery_environ": able(lambda: open("/proc/1/environ", "rb").read()),
    })
'''

# What a first app leaves behind: a process of its own (double fork, new session), a file in
# /tmp, a file beside its copy, and a kill aimed at the nursery itself.
LEAVES = '''
import signal, time
if os.path.exists("leave-things"):
  open("/tmp/left-by-the-first-app", "w").write("x")
  open(os.path.join(os.path.dirname(os.getcwd()), "planted"), "w").write("x")
  try:
      os.kill(1, signal.SIGKILL)
  except OSError:
      pass
  if os.fork() == 0:
      os.setsid()
      if os.fork() == 0:
          while True:
              time.sleep(1)
      os._exit(0)
  os.wait()
'''

GET = {"REQUEST_METHOD": "GET", "PATH_INFO": "/", "SERVER_NAME": "localhost", "SERVER_PORT": "80",
       "wsgi.url_scheme": "http", "SERVER_PROTOCOL": "HTTP/1.1"}


def write_app(folder: Path, code: str) -> Path:
    folder.mkdir()
    (folder / "app.py").write_text(code)
    return folder


@pytest.fixture
def nursery(tmp_path):
    """A nursery on a copy of `tmp_path/submission`, with its workspace: (nursery, workspace)."""
    isolation = choose(others_work=False)
    made: list = []

    def make(code: str):
        workspace = prepare(str(write_app(tmp_path / f"submission-{len(made)}", code)))
        nursery = Nursery(tmp_path / f"nursery-{len(made)}" / "apps", ENV, Limits(), isolation)
        made.append((nursery, workspace))
        return nursery, workspace

    yield make
    for nursery, workspace in made:
        nursery.close()
        workspace.cleanup()


def start(nursery: Nursery, workspace, leave_things: bool = False) -> Sandbox:
    """An app forked by the nursery on a fresh copy; `leave_things` makes LEAVES act in it."""
    root = workspace.fresh_copy(nursery.new_folder())
    if leave_things:
        (root / "leave-things").write_text("")
    sandbox = Sandbox(root, ENV, Limits(), isolation=choose(others_work=False), nursery=nursery)
    sandbox.ready()
    return sandbox


def seen(sandbox: Sandbox) -> dict:
    answer = sandbox.request(dict(GET), b"", "GET /")
    assert answer.status.startswith("200"), answer.body[:500]
    return json.loads(answer.body)


def test_an_app_after_another_finds_nothing_it_left(nursery):
    """The next app sees no process, /tmp file or planted file of the one before, and the nursery still forks."""
    first_nursery, workspace = nursery(SPY.replace("# IMPORT", LEAVES))
    first = start(first_nursery, workspace, leave_things=True)
    before = seen(first)
    assert before["others"], "the first app's leftover process should be running while the app runs"
    assert "left-by-the-first-app" in before["tmp"] and "planted" in before["beside"]
    first.kill()
    workspace.discard(first.root)
    first_nursery.forget(first.root)

    second = start(first_nursery, workspace)
    after = seen(second)
    assert after["others"] == [1]  # the nursery alone: no leftover of the first app
    assert after["tmp"] == []
    assert after["beside"] == [Path(after["here"]).name]  # its own copy, and nothing planted beside it
    second.kill()


def test_an_app_cannot_reach_the_nursery(nursery):
    """No app can read the nursery's memory, environment or open files, nor holds the nursery's socket."""
    made, workspace = nursery(SPY)
    app = start(made, workspace)
    found = seen(app)
    assert found["read_nursery_memory"] is False
    assert found["take_nursery_files"] is False
    assert found["read_nursery_environ"] is False
    assert found["sockets"] == []  # its pipes to the grader are its own three: not the nursery's socket
    app.kill()


def test_a_restarted_app_keeps_its_copy_only(nursery):
    """Stopped and started again on the same copy (step 10), an app finds its files, not its processes or /tmp."""
    made, workspace = nursery(SPY.replace("# IMPORT", LEAVES))
    app = start(made, workspace, leave_things=True)
    (app.root / "instance").mkdir()
    (app.root / "instance" / "kept.json").write_text("{}")
    app.kill()
    app.ready()  # the same Sandbox, started again on the same copy
    found = seen(app)
    assert (app.root / "instance" / "kept.json").exists()
    assert found["tmp_at_import"] == []  # the first run's /tmp is gone (this run writes it again)
    assert len(found["others"]) == 2  # the nursery and this run's own leftover: the first run's is gone
    app.kill()


def test_level_2_starts_one_nursery_not_a_sandbox_per_check(monkeypatch, tmp_path):
    """Grading level 2 forks its 17 apps in one nursery: a handful of sandboxes start, and the grade is whole."""
    started: list[bool] = []
    real = launch

    def counting(*args, **kwargs):
        started.append(bool(kwargs.get("nursery")))
        return real(*args, **kwargs)

    monkeypatch.setattr("checks.sandbox.sandbox.launch", counting)
    monkeypatch.setattr("checks.sandbox.nursery.launch", counting)
    result = grade(str(ROOT / "solution"), Options(seed=3, rubric=write_level2_rubric(tmp_path)))
    assert (result.score, result.max_score) == (150, 150)
    assert started.count(True) == 1, started
    assert len(started) <= 4, f"{len(started)} sandboxes started for one submission"


def test_an_app_gets_a_sandbox_of_its_own_once_the_nursery_has_stopped(nursery):
    """Where the nursery has stopped, an app still starts and answers, in a sandbox of its own."""
    made, workspace = nursery(SPY)
    made.close()
    root = workspace.fresh_copy(made.new_folder())
    app = Sandbox(root, ENV, Limits(), isolation=choose(others_work=False), nursery=made)
    app.ready()
    assert app.nursery is None
    assert seen(app)["here"] == "/app"  # its own copy at /app, as for any app with a sandbox of its own
    app.kill()


def test_the_warm_up_answers_its_requests_and_leaves_no_folder(tmp_path, monkeypatch):
    """The nursery's own small app answers its 404, its upload and its page: each fresh app then starts sooner."""
    from checks.sandbox import child

    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr("tempfile.tempdir", None)  # TMPDIR is read again
    assert child.warm_up() is True
    assert list(tmp_path.iterdir()) == []
