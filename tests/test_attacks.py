"""Attacks on the grader: each earns only what the submission honestly does, in every setting.

One regression test per class of attack a dishonest student might try (the kit's
issue on forged grades lists them). Each submission is the valid app of
test_sandbox.py less its password check (so it honestly earns less than 100: a
forged 100 shows), plus one hostile act. Where the act succeeds, the app says so
by exiting at import with "REACHED …" in the message; each test asserts that the
score is the honest twin's (the same app without the act), that REACHED and any
forged text appear nowhere, that an honest classmate's grade is unchanged where
classmates are involved, and that no file outside the submission's copy changed.

Every test runs in three settings: as root, as root without CAP_SYS_ADMIN (a
typical container), and as an ordinary user (a throwaway user made for the
session when the tests run as root; its kit and virtual environment are built
once per session in a world-readable folder).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import ROOT, processes_with, write_level2_rubric
from test_sandbox import APP, TEMPLATE

from checks.integrity import write_manifest
from checks.sandbox import bubblewrap

USER = f"flaskclubtest-{uuid.uuid4().hex[:8]}"  # this test process's own: removed when its session ends
SETTINGS = ["root", "root without CAP_SYS_ADMIN", "user"]
PASSWORD_CHECK = '''    if request.form.get("password") != os.environ["CLUB_PASSWORD"]:
        abort(401)
'''
assert PASSWORD_CHECK in APP
WEAK = APP.replace(PASSWORD_CHECK, "")  # honestly less than 100: extra 7 fails
SLOW = APP.replace("# IMPORT", "import time\ntime.sleep(3)  # CLASSMATE-MARKER")  # an honest classmate, slow to load

pytestmark = pytest.mark.skipif(not bubblewrap.available(), reason="the sandbox (bubblewrap) is not available here")


def world(path: Path, mode: int = 0o755) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(mode)
    return path


def write_submission(folder: Path, code: str = WEAK, template: str | None = TEMPLATE, **hooks: str) -> Path:
    """A submission: `code` with hooks put in at its # IMPORT, # HOME, # SAVE or # SHOW marks."""
    for mark, extra in hooks.items():
        indent = "" if mark == "IMPORT" else "    "
        code = code.replace(f"# {mark}", "\n".join(indent + line for line in extra.splitlines()).lstrip())
    world(folder / "templates")
    (folder / "app.py").write_text(code)
    if template is not None:
        (folder / "templates" / "user.html").write_text(template)
    for path in [folder, *folder.rglob("*")]:
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() else 0o644)
    return folder


# -- the settings ------------------------------------------------------------------------------
@dataclass
class Setting:
    """Who grades: root, root without CAP_SYS_ADMIN, or an ordinary user, with their own kit."""

    name: str
    python: Path
    kit: Path
    scratch: Path  # world-readable: submissions and outputs go here
    prefix: list[str] = field(default_factory=list)
    user: str | None = None
    honest: dict[str, float] = field(default_factory=dict)

    def folder(self, name: str) -> Path:
        return world(self.scratch / f"{name}-{uuid.uuid4().hex[:8]}", 0o777)

    def run(self, *args: str | Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(**self.command(*args), capture_output=True, text=True, timeout=timeout)

    def start(self, *args: str | Path) -> subprocess.Popen[str]:
        """The grader started, as this setting's user, to be signalled part-way (Ctrl-C reaches it)."""
        return subprocess.Popen(**self.command(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))

    def command(self, *args: str | Path) -> dict:
        env = {key: value for key, value in os.environ.items() if key not in ("CI", "GITHUB_ACTIONS")}
        env.update(HOME=str(self.scratch), LANG="C.UTF-8")
        env.pop("VIRTUAL_ENV", None)
        return {
            "args": [*self.prefix, str(self.python), "-m", "checks", *map(str, args)],
            "cwd": self.kit,
            "env": env,
            "user": self.user,
            "group": self.user,
            "extra_groups": [] if self.user else None,
            "stdin": subprocess.DEVNULL,
        }

    def grade(self, submission: Path, *args: str | Path) -> tuple[dict, subprocess.CompletedProcess[str]]:
        options = ["--format", "json", "--seed", "99", "--timeout", "5", "--import-timeout", "20"]
        done = self.run(submission, *options, *args)
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout), done

    def twin(self, name: str, **hooks: str) -> float:
        """The honest score of a submission (cached per setting)."""
        if name not in self.honest:
            template = hooks.pop("template", TEMPLATE)
            result, _ = self.grade(write_submission(self.folder(f"twin-{name}"), template=template, **hooks))
            self.honest[name] = result["score"]
        return self.honest[name]

    def venv_site(self) -> Path:
        return next((self.kit / ".venv" / "lib").glob("python3*/site-packages"), self.kit)


def ensure_user() -> str | None:
    """The throwaway user's name, made once (root only); None where it cannot be."""
    try:
        pwd.getpwnam(USER)
        return USER
    except KeyError:
        pass
    if shutil.which("useradd") is None:
        return None
    done = subprocess.run(
        ["useradd", "--system", "--no-create-home", "--user-group", "--shell", "/usr/sbin/nologin", USER],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0 and "already exists" not in done.stderr:
        return None
    return USER


def copy_kit(kit: Path) -> Path:
    """A private copy of the kit's grader (nothing else edits it while the tests run), readable by every user."""
    world(kit)
    for name in ("checks", "solution", "starter", "templates"):
        shutil.copytree(ROOT / name, kit / name, ignore=shutil.ignore_patterns("__pycache__", "instance"))
    for name in ("requirements.txt", "pyproject.toml"):
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, kit / name)
    write_manifest(kit / "checks")  # as a handout carries one: these are the instructor's checks
    return kit


def build_user_kit(base: Path) -> Path:
    """A copy of the kit with a virtual environment of Debian's python3, readable by every user: once per session."""
    kit = copy_kit(base / "kit")
    python = shutil.which("python3", path="/usr/bin:/bin") or sys.executable
    subprocess.run([python, "-m", "venv", str(kit / ".venv")], check=True, capture_output=True, timeout=300)
    subprocess.run(
        [str(kit / ".venv" / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "-r", str(kit / "requirements.txt")],
        check=True, capture_output=True, timeout=900,
    )
    for path in [kit, *kit.rglob("*")]:
        if not path.is_symlink():
            path.chmod(path.stat().st_mode | stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH
                       | (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH if path.is_dir() else 0))
    return kit


@pytest.fixture(scope="session")
def shared_base(tmp_path_factory) -> Iterator[Path]:
    """A world-readable folder shared by every test worker of this session (pytest's own is private).

    The last worker to be done with it removes it, with the throwaway user (made by ensure_user),
    whether its tests passed or not.
    """
    root = tmp_path_factory.getbasetemp()
    if root.name.startswith("popen-gw"):
        root = root.parent  # this session's, shared by its xdist workers (never another session's)
    record, users = root / "attacks.base", root / "attacks.users"
    with open(root / "attacks.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if record.exists():
            base = Path(record.read_text())
        else:
            base = world(Path(tempfile.mkdtemp(prefix="flask-club-attacks-")))
            record.write_text(str(base))
        users.write_text(str(int(users.read_text() or 0) + 1 if users.exists() else 1))
    try:
        yield base
    finally:
        with open(root / "attacks.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            left = int(users.read_text() or 1) - 1
            users.write_text(str(left))
            if left == 0:
                remove_tree(base)
                record.unlink(missing_ok=True)


def remove_tree(folder: Path) -> None:
    """Remove a folder an attack may have left odd (modes 0300 or 0500, trees too deep for a path)."""
    subprocess.run(["chmod", "-R", "u+rwx", str(folder)], capture_output=True, timeout=120)
    subprocess.run(["rm", "-rf", "--one-file-system", str(folder)], capture_output=True, timeout=120)


@pytest.fixture(scope="session")
def throwaway_user() -> Iterator[str | None]:
    """This test process's own ordinary user (root only; None where none can be made), removed at the end."""
    user = ensure_user()
    try:
        yield user
    finally:
        if user is not None:
            # Whatever of theirs is left (a failed test's grader) goes first: userdel refuses a user still running.
            subprocess.run(["pkill", "-KILL", "-u", user], capture_output=True, timeout=30)
            subprocess.run(["userdel", user], capture_output=True, timeout=30)


@pytest.fixture(scope="session")
def user_kit(request, shared_base) -> tuple[str, Path]:
    """(the ordinary user, a kit they can run), built once for the session's workers."""
    if os.geteuid() != 0:
        return pwd.getpwuid(os.getuid()).pw_name, ROOT
    user = request.getfixturevalue("throwaway_user")
    if user is None:
        pytest.skip("no ordinary user to grade as (useradd is missing or failed)")
    with open(shared_base / "kit.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (shared_base / "kit" / ".ready").exists():
            shutil.rmtree(shared_base / "kit", ignore_errors=True)
            try:
                build_user_kit(shared_base)
            except (subprocess.SubprocessError, OSError) as error:
                pytest.skip(f"could not build a kit for the ordinary user: {error}")
            (shared_base / "kit" / ".ready").write_text("")
    return user, shared_base / "kit"


@pytest.fixture(scope="session")
def root_kit(shared_base) -> Path:
    """A private copy of the kit for root's settings, graded with the kit's own virtual environment."""
    with open(shared_base / "rootkit.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        kit = shared_base / "rootkit"
        if not (kit / ".ready").exists():
            shutil.rmtree(kit, ignore_errors=True)
            copy_kit(kit)
            (kit / ".ready").write_text("")
    return kit


@pytest.fixture(scope="session", params=SETTINGS)
def setting(request, shared_base) -> Setting:
    scratch = world(shared_base / request.param.replace(" ", "-"), 0o777)
    if request.param == "user":
        user, kit = request.getfixturevalue("user_kit")
        python = kit / ".venv" / "bin" / "python" if kit != ROOT else Path(sys.executable)
        return Setting("user", python, kit, scratch, user=user if os.geteuid() == 0 else None)
    if os.geteuid() != 0:
        pytest.skip("the tests do not run as root here")
    prefix = []
    if request.param == "root without CAP_SYS_ADMIN":
        if shutil.which("setpriv") is None:
            pytest.skip("setpriv (util-linux) is missing: cannot drop CAP_SYS_ADMIN")
        prefix = ["setpriv", "--bounding-set=-sys_admin", "--inh-caps=-sys_admin", "--"]
    return Setting(request.param, Path(sys.executable), request.getfixturevalue("root_kit"), scratch, prefix)


# -- what must not change ----------------------------------------------------------------------
def fingerprint(setting: Setting, *extra: Path) -> dict[str, str]:
    """A digest of every file outside the copy an attack could touch: the kit, its environment, /dev."""
    found: dict[str, str] = {}
    for folder in ("checks", "solution"):
        for path in sorted((setting.kit / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                found[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    for site in {Path(sys.prefix), setting.kit / ".venv"}:
        for folder in site.glob("lib/python3*/site-packages"):
            found[str(folder)] = " ".join(sorted(os.listdir(folder)))
    found["/dev"] = " ".join(sorted(os.listdir("/dev")))
    for path in extra:
        found[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else str(path.exists())
    return found


def failures(result: dict) -> str:
    """The failed checks' messages, for an assertion's message."""
    failed = [check for step in result["steps"] for check in step["checks"] if not check["passed"]]
    return "\n".join(check["message"][:500] for check in failed)


def reached(result: dict | str) -> None:
    text = result if isinstance(result, str) else json.dumps(result)
    assert "REACHED" not in text, text[text.find("REACHED") - 200 : text.find("REACHED") + 300]


def attack(setting: Setting, name: str, payload: str, *args: str, template: str | None = TEMPLATE) -> dict:
    """Grade the weak app with the payload at import; check the honest score, REACHED, and the files outside."""
    before = fingerprint(setting)
    path = write_submission(setting.folder(name), template=template, IMPORT=payload)
    before_submission = fingerprint(setting, *sorted(path.rglob("*")))
    result, done = setting.grade(path, *args)
    reached(result)
    reached(done.stderr)
    honest = setting.twin("weak" if template else "weak-no-template", template=template)
    assert result["score"] == honest, failures(result)
    assert result["isolation"].startswith("bubblewrap")
    assert fingerprint(setting) == before
    assert fingerprint(setting, *sorted(path.rglob("*"))) == before_submission
    return result


# -- the attacks ----------------------------------------------------------------------------------
def test_the_reference_solution_and_the_kit_are_out_of_reach(setting):
    """sys.prefix, the working folder's parents and the kit's own path lead nowhere near the solution or checks."""
    targets = [ROOT / "solution" / "app.py", ROOT / "checks" / "rubric.toml", setting.kit / "solution" / "app.py"]
    payload = f"""\
import os, sys
candidates = [os.path.join(os.path.dirname(sys.prefix), "solution", "app.py")]
here = os.getcwd()
while here != os.path.dirname(here):
    here = os.path.dirname(here)
    candidates.append(os.path.join(here, "solution", "app.py"))
for path in candidates + {[str(target) for target in targets]!r}:
    try:
        open(path).read()
    except OSError:
        continue
    raise SystemExit("REACHED " + path)
for name in ("bs4", "checks"):  # pytest is offered to every app (level 3's step 16)
    try:
        __import__(name)
    except ImportError:
        continue
    raise SystemExit("REACHED import " + name)
"""
    attack(setting, "reference", payload)


def test_a_template_linked_into_the_kit_counts_as_missing(setting):
    """templates/user.html as a link to the reference solution's template: missing, with a note naming the link."""
    path = write_submission(setting.folder("link-kit"), template=None)
    target = setting.kit / "solution" / "templates" / "user.html"
    (path / "templates" / "user.html").symlink_to(target)
    result, done = setting.grade(path)
    assert result["score"] == setting.twin("weak-no-template", template=None)
    assert f"left out templates/user.html: a link to {target}, outside the submission" in done.stderr


def test_a_link_to_a_root_only_file_shows_nothing_of_it(setting):
    """A link to a file only root may read: missing, and its text reaches no output."""
    secret = world(setting.scratch / "secret", 0o700) / f"{uuid.uuid4().hex}.html"
    secret.write_text(TEMPLATE + "<p>SECRET-TEXT</p>\n")
    secret.chmod(0o600)
    path = write_submission(setting.folder("link-root"), template=None)
    (path / "templates" / "user.html").symlink_to(secret)
    result, done = setting.grade(path)
    assert "SECRET-TEXT" not in done.stdout + done.stderr
    assert result["score"] == setting.twin("weak-no-template", template=None)


def test_a_pth_file_cannot_be_planted_in_the_grader(setting):
    """Writing a .pth into the grader's environment (any site-packages it can name) fails."""
    prefixes = {Path(sys.prefix), setting.kit / ".venv"}
    sites = [str(path) for prefix in prefixes for path in prefix.glob("lib/python3*/site-packages")]
    payload = f"""\
import glob, os, site, sys, sysconfig
folders = {sites!r} + glob.glob(os.path.dirname(sys.prefix) + "/.venv/lib/python3*/site-packages")
folders += site.getsitepackages() + [sysconfig.get_paths()["purelib"], os.path.join(sys.prefix, "lib")]
for folder in folders:
    try:
        with open(os.path.join(folder, "zz_flask_club_attack.pth"), "w") as file:
            file.write("# a harmless marker of a test\\n")
    except OSError:
        continue
    raise SystemExit("REACHED " + folder)
"""
    try:
        attack(setting, "pth", payload)
    finally:
        for site in sites:
            Path(site, "zz_flask_club_attack.pth").unlink(missing_ok=True)


DETACH = """\
import os, sys
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        {child}
        os._exit(0)
    os._exit(0)
"""


def test_a_detached_process_cannot_rewrite_the_output(setting):
    """A double-forked setsid process that waits for the grader to end, then rewrites --output: it is dead by then."""
    out = setting.folder("output") / "result.json"
    child = (
        "import time, glob\n"
        "        time.sleep(4)\n"
        f"        targets = [{str(out)!r}]\n"
        "        for cmdline in glob.glob('/proc/*/cmdline'):\n"
        "            try:\n"
        "                words = open(cmdline, 'rb').read().split(b'\\0')\n"
        "                targets.append(words[words.index(b'--output') + 1].decode())\n"
        "            except (OSError, ValueError, IndexError):\n"
        "                pass\n"
        "        for target in targets:\n"
        "            try:\n"
        "                open(target, 'w').write('{\"score\": 100, \"FORGED\": true}')\n"
        "            except OSError:\n"
        "                pass"
    )
    path = write_submission(setting.folder("detach"), IMPORT=DETACH.format(child=child))
    done = setting.run(path, "--format", "json", "--seed", "99", "--output", out)
    assert done.returncode == 0, done.stderr
    time.sleep(6)
    result = json.loads(out.read_text())
    assert "FORGED" not in result and result["score"] == setting.twin("weak")


def test_no_process_of_a_submission_outlives_its_grading(setting):
    """A setsid double fork holding the sandbox's pipes neither stalls the grader nor survives it."""
    marker = f"flask-club-leftover-{uuid.uuid4().hex}"
    child = f"os.execv(sys.executable, [sys.executable, '-c', 'import time; time.sleep(600)', {marker!r}])"
    started = time.monotonic()
    attack(setting, "leftover", DETACH.format(child=child))
    assert time.monotonic() - started < 90
    deadline = time.monotonic() + 5
    while processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert processes_with(marker) == []


def test_proc_shows_no_grader_memory(setting):
    """The sandbox's /proc holds its own processes only: the grader's memory cannot be opened."""
    payload = """\
import os
for pid in os.listdir("/proc"):
    if not pid.isdigit() or int(pid) == os.getpid():
        continue
    try:
        words = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\\0")
        if b"checks" in words or b"checks.run.worker" in words or any(b"pytest" in word for word in words):
            open(f"/proc/{pid}/mem", "r+b").close()
            raise SystemExit("REACHED /proc/" + pid + "/mem")
    except OSError:
        pass
"""
    attack(setting, "procmem", payload)


def test_the_machines_loopback_is_out_of_reach(setting):
    """A listener on the grading machine's 127.0.0.1 gets no connection from the app."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    connected: list[object] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connected.append(listener.accept())
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    payload = f"""\
import socket
for host in ("127.0.0.1", "localhost", "::1"):
    try:
        socket.create_connection((host, {port}), timeout=2).sendall(b"hello")
    except OSError:
        continue
    raise SystemExit("REACHED " + host)
"""
    try:
        attack(setting, "network", payload)
    finally:
        stop.set()
        thread.join()
        listener.close()
    assert connected == []


def test_dev_is_read_only(setting):
    """Files cannot be made in /dev or /dev/shm (where the grader's copies are)."""
    name = f"flask-club-attack-{uuid.uuid4().hex}"
    payload = f"""\
for folder in ("/dev", "/dev/shm"):
    try:
        open(folder + "/{name}", "w").write("x")
    except OSError:
        continue
    raise SystemExit("REACHED " + folder)
"""
    attack(setting, "dev", payload)
    assert not Path("/dev", name).exists() and not Path("/dev/shm", name).exists()


def test_links_planted_in_its_copy_change_nothing(setting):
    """An app that turns its copy's files into links to the machine's root and the kit changes nothing outside it."""
    payload = f"""\
import os, shutil
for name, target in (("everything", "/"), ("kit", {str(setting.kit)!r}), ("static", "/usr")):
    try:
        os.symlink(target, name)
    except OSError:
        pass
try:
    os.rename(os.getcwd(), os.getcwd() + ".moved")
    raise SystemExit("REACHED rename")
except OSError:
    pass
"""
    attack(setting, "links", payload)


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
def test_a_device_node_in_the_submission_is_left_out(setting):
    """/dev/zero's node and a fifo in a submission are left out of its copy, with a note: grading goes on."""
    path = write_submission(setting.folder("device"), code=APP)
    os.mknod(path / "zero", 0o666 | stat.S_IFCHR, os.makedev(1, 5))
    os.mkfifo(path / "fifo", 0o666)
    started = time.monotonic()
    result, done = setting.grade(path)
    assert time.monotonic() - started < 120
    assert result["score"] == 100
    assert "note: left out zero: not a regular file or folder" in done.stderr
    assert "note: left out fifo: not a regular file or folder" in done.stderr


# -- classmates -----------------------------------------------------------------------------------
def grade_class(setting: Setting, students: dict[str, Path]) -> dict[str, dict]:
    """Grade a class folder of these students (two at a time); each one's JSON, by name."""
    folder = setting.folder("class")
    for name, source in students.items():
        shutil.copytree(source, folder / name, symlinks=True)
    out = setting.folder("grades")
    done = setting.run(folder, "--class", "--seed", "5", "--jobs", "2", "--out", out, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    reached(done.stdout + done.stderr)
    results = {}
    for name in students:
        path = out / "json" / f"{name}.json"
        results[name] = json.loads(path.read_text()) if path.exists() else {"score": None}
    return results


def test_writing_into_the_workers_pipes_forges_nothing(setting):
    """An app writing a perfect answer into every pipe it can find gets its own grade; its classmate keeps theirs."""
    forged = json.dumps({"result": {"score": 100, "FORGED": True}, "student": {"score": 100}})
    payload = f"""\
import os
line = ({forged!r} + "\\n").encode()
own = set()
for fd in os.listdir("/proc/self/fd"):
    try:
        own.add(os.readlink(f"/proc/self/fd/{{fd}}"))
    except OSError:
        pass
for pid in os.listdir("/proc"):
    if not pid.isdigit() or int(pid) == os.getpid():
        continue
    try:
        fds = os.listdir(f"/proc/{{pid}}/fd")
    except OSError:
        continue
    for fd in fds:
        try:
            target = os.readlink(f"/proc/{{pid}}/fd/{{fd}}")
            if target.startswith("pipe:") and target not in own:
                with open(f"/proc/{{pid}}/fd/{{fd}}", "wb") as pipe:
                    pipe.write(line * 3)
        except OSError:
            pass
"""
    attacker = write_submission(setting.folder("pipes"), IMPORT=payload)
    honest = write_submission(setting.folder("honest"), code=APP)
    results = grade_class(setting, {"attacker": attacker, "honest": honest})
    assert "FORGED" not in json.dumps(results)
    assert results["attacker"]["score"] == setting.twin("weak")
    assert results["honest"]["score"] == 100


def test_a_classmates_copy_is_out_of_reach(setting):
    """An app searching the machine for a classmate's app.py (their copy, their folder) finds nothing."""
    payload = f"SCRATCH = {str(setting.scratch)!r}\n" + """\
import glob, os
for pattern in ("/dev/shm/**/app.py", "/tmp/**/app.py", "/run/**/app.py", "/app/../*/app.py", SCRATCH + "/**/app.py"):
    for path in glob.glob(pattern, recursive=True):
        try:
            if "CLASSMATE" + "-MARKER" in open(path).read():
                raise SystemExit("REACHED " + path)
        except OSError:
            pass
"""
    attacker = write_submission(setting.folder("reader"), IMPORT=payload)
    honest = write_submission(setting.folder("slow"), code=SLOW)
    results = grade_class(setting, {"attacker": attacker, "zz-honest": honest})
    assert results["attacker"]["score"] == setting.twin("weak")
    assert results["zz-honest"]["score"] == 100


def test_binding_many_ports_costs_a_classmate_nothing(setting):
    """A submission that binds thousands of ports at import leaves its classmates' live-HTTP check alone."""
    payload = """\
import resource, socket
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 40000), hard))
held = []
for _ in range(30000):
    try:
        held.append(socket.socket())
        held[-1].bind(("127.0.0.1", 0))
    except OSError:
        break
"""
    attacker = write_submission(setting.folder("ports"), IMPORT=payload)
    honest = write_submission(setting.folder("honest"), code=SLOW)
    results = grade_class(setting, {"attacker": attacker, "b-honest": honest, "c-honest": honest})
    assert results["b-honest"]["score"] == 100 and results["c-honest"]["score"] == 100


# -- level 2: apps forked by one nursery -----------------------------------------------------------
def level2_rubric(setting: Setting) -> Path:
    """The kit's rubric with level 2 turned on, where the setting's user can read it."""
    path = write_level2_rubric(setting.folder("rubric"))
    path.chmod(0o644)
    return path


def test_a_process_left_behind_keeps_no_profile_across_a_restart(setting):
    """Level 2: profiles held by a process the app leaves running do not survive step 10's restart.

    Every app of level 2 is forked by one nursery; stopping an app stops every process of the
    nursery but its first and empties /tmp, as a sandbox of its own would be stopped.
    """
    samples = ROOT / "tests" / "submissions"
    scores = {}
    for name in ("cheat_level2_store_in_a_leftover_process", "mistake_level2_memory_only"):
        path = setting.folder(name)
        shutil.copytree(samples / name, path, dirs_exist_ok=True)
        for item in [path, *path.rglob("*")]:
            item.chmod(0o755 if item.is_dir() else 0o644)
        result, done = setting.grade(path, "--step", "10", "--rubric", level2_rubric(setting))
        assert result["isolation"].startswith("bubblewrap")
        checks = {check["name"]: check["passed"] for step in result["steps"] for check in step["checks"]}
        restart = next(name for name in checks if "stopped and started again" in name)
        assert checks[restart] is False, failures(result)
        scores[name] = result["score"]
    assert scores["cheat_level2_store_in_a_leftover_process"] == scores["mistake_level2_memory_only"]
