"""A failure's replay: curl commands that repeat what the check sent, cookies where the check kept them.

Level 2's checks go on "in that browser": they keep the cookies the app sets, within one
check. Their replay keeps them too, in a cookie jar (`-c cookies.txt` on the browser's first
request, `-b cookies.txt -c cookies.txt` on each one after), so a pasted replay of "log in,
then look" logs in. Level 1's read-backs come from a new visitor: their replay sends no cookie.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import SUBMISSIONS, flask_run

from checks.replay import COOKIE_JAR, curl

LOGOUT = "GET /logout (or POST /logout) logs the member out"
NON_IMAGE = "a file that is not an image, named like one, is refused with 400 and stored nothing"
ESCAPED = "HTML in a message is shown as text, not run"
NEW_JAR = f"curl -i -c {COOKIE_JAR} "
KEEP_JAR = f"curl -i -b {COOKIE_JAR} -c {COOKIE_JAR} "


def replay_of(result: dict, check: str) -> list[str]:
    """The replay commands of a failed check, by its name."""
    failed = {c["name"]: c["failure"] for s in result["steps"] for c in s["checks"] if not c["passed"]}
    assert check in failed, f"{check!r} did not fail: {sorted(failed)}"
    return failed[check]["replay"]


@pytest.fixture(scope="module")
def logout_replay() -> list[str]:
    """The replay of step 9's logout check, failed by a logout that leaves the member in the session."""
    from conftest import grade_submission

    result = grade_submission(SUBMISSIONS / "mistake_level2_logout_keeps_session", "--step", "9", seed=31)
    return replay_of(result, LOGOUT)


def test_a_login_replay_keeps_the_browsers_cookies_in_a_jar(logout_replay):
    """The login starts the jar; every request after it, in that browser, sends and keeps its cookies."""
    login, *after = logout_replay
    assert login.startswith(NEW_JAR) and "http://localhost:5000/login" in login
    assert after == [
        f"{KEEP_JAR}http://localhost:5000/",
        f"{KEEP_JAR}http://localhost:5000/logout",
        f"{KEEP_JAR}http://localhost:5000/",
    ]


def test_a_photo_upload_replays_as_multipart_in_the_jar(grade):
    """Step 11: a new visitor stores the profile (no jar), then the browser logs in and uploads with -F."""
    result = grade(SUBMISSIONS / "mistake_level2_upload_by_name", "--step", "11", seed=31)
    store, login, upload = replay_of(result, NON_IMAGE)[:3]
    assert store.startswith("curl -i --data-urlencode username=") and COOKIE_JAR not in store
    assert login.startswith(NEW_JAR)
    assert upload.startswith(KEEP_JAR + "-F ") and upload.endswith(" http://localhost:5000/account-details")
    # the file the handout ships, sent under the check's own random name
    assert re.search(r" -F 'avatar=@docs/student/photos/not-an-image\.png;filename=[a-z]+-\d+\.png;type=image/png' ",
                     upload), upload


def test_a_photo_replay_uploads_only_files_the_handout_ships(grade):
    """Step 11's replays upload docs/student/photos/ (or a file they make first), never the project's own files."""
    root = Path(__file__).resolve().parent.parent
    result = grade(SUBMISSIONS / "mistake_level2_traversal_name", "--step", "11", seed=31)
    failures = [c["failure"] for s in result["steps"] for c in s["checks"] if c["failure"]]
    commands = [command for failure in failures for command in failure["replay"]]
    sent = re.findall(r"avatar=@([^;']+)", " ".join(commands))
    assert sent and all(name.startswith("docs/student/photos/") or name == "two-mib.png" for name in sent), sent
    assert all((root / name).is_file() for name in sent if name != "two-mib.png")
    assert "filename=../app.py" in " ".join(commands)


def test_a_level1_replay_sends_no_cookie(grade):
    """Step 5 reads the profile back as a new visitor: no jar, no Cookie header, in any command."""
    result = grade(SUBMISSIONS / "mistake_safe_filter", "--step", "5", seed=31)
    post, read = replay_of(result, ESCAPED)
    assert post.startswith("curl -i --data-urlencode username=") and read.startswith("curl -i http://")
    for command in (post, read):
        assert COOKIE_JAR not in command and " -b " not in command and " -c " not in command
        assert "Cookie" not in command


def test_a_jar_is_kept_only_when_asked():
    """curl(): no jar by default, -c alone to start one, -b and -c to go on with it; files stay -F."""
    photo = (io.BytesIO(b"GIF89a"), "me.gif", "image/gif")
    assert curl("GET", "/", None, "pw") == "curl -i http://localhost:5000/"
    assert curl("GET", "/", None, "pw", jar="new") == f"curl -i -c {COOKIE_JAR} http://localhost:5000/"
    assert curl("POST", "/account-details", {"avatar": photo}, "pw", jar="keep") == (
        f"curl -i -b {COOKIE_JAR} -c {COOKIE_JAR} -F 'avatar=@me.gif;type=image/gif' "
        "http://localhost:5000/account-details"
    )


# -- pasted against the app run as `make run` does ------------------------------------------------
@pytest.fixture
def server(tmp_path):
    """The logout mistake served by `flask run` on a free port, from a copy of its folder; yields the port."""
    folder = tmp_path / "app"
    shutil.copytree(SUBMISSIONS / "mistake_level2_logout_keeps_session", folder,
                    ignore=shutil.ignore_patterns("instance", "__pycache__"))
    with flask_run(folder, {"CLUB_PASSWORD": "letmein", "SECRET_KEY": "s" * 32, "PATH": "/usr/bin:/bin"}) as port:
        yield port


def paste(commands: list[str], port: int, folder: Path) -> str:
    """Run the commands one after another in folder, as a student pastes them; the last one's page."""
    env = {"CLUB_PASSWORD": "letmein", "PATH": "/usr/bin:/bin"}
    done = None
    for command in commands:
        command = command.replace("localhost:5000", f"localhost:{port}")
        done = subprocess.run(["sh", "-c", command], cwd=folder, env=env, capture_output=True, text=True, timeout=30)
        assert done.returncode == 0, done.stderr
    return done.stdout.split("\n\n", 1)[-1]  # the page, past the headers


def status(page: str) -> str:
    element = BeautifulSoup(page, "html.parser").find(id="status")
    return element.get_text() if element else ""


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_a_pasted_level2_replay_reproduces_the_failure(logout_replay, server, tmp_path):
    """Pasted, the replay logs in, logs out and still sees the member named, as the check did.

    Without the jar the same commands never log in (each curl is a new browser), and so
    show nothing to fix: this is what the jar is for.
    """
    username = re.search(r"username=(\w+)", logout_replay[0])[1]
    (tmp_path / COOKIE_JAR).write_text("left from another replay\n")  # the jar starts afresh at the login
    assert username in status(paste(logout_replay, server, tmp_path))
    without = [command.replace(f"-b {COOKIE_JAR} ", "").replace(f"-c {COOKIE_JAR} ", "") for command in logout_replay]
    assert username not in status(paste(without, server, tmp_path))


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_a_pasted_restart_replay_reproduces_the_lost_profiles(grade, tmp_path):
    """Step 10's replay says where to restart the server; pasted with a restart there, the profile is gone.

    Profiles kept in memory read back before the restart and not after it: the replay shows the
    failure only because it restarts where the check did.
    """
    result = grade(SUBMISSIONS / "mistake_level2_memory_only", "--step", "10", seed=31)
    commands = replay_of(result, "every profile reads back unchanged after the app is stopped and started again")
    restart = next(i for i, command in enumerate(commands) if command.startswith("# now stop your server"))
    before, after = commands[:restart], commands[restart + 1 :]
    assert before and after and after[-1].startswith("curl -i http://localhost:5000/user/")
    folder = tmp_path / "app"
    shutil.copytree(SUBMISSIONS / "mistake_level2_memory_only", folder, ignore=shutil.ignore_patterns("__pycache__"))
    env = {"CLUB_PASSWORD": "letmein", "SECRET_KEY": "s" * 32, "PATH": "/usr/bin:/bin"}
    with flask_run(folder, env) as port:
        paste(before, port, tmp_path)
        assert "HTTP/1.1 200" in read(after[-1], port, tmp_path)  # before the restart, the profile is there
    with flask_run(folder, env) as port:
        assert "HTTP/1.1 404" in read(after[-1], port, tmp_path)


def read(command: str, port: int, folder: Path) -> str:
    """What one pasted command printed, headers first."""
    command = command.replace("localhost:5000", f"localhost:{port}")
    done = subprocess.run(["sh", "-c", command], cwd=folder, capture_output=True, text=True, timeout=30)
    return done.stdout
