"""One budget per submission: memory, processes and the copy's size held for all of an app's processes together.

Each attack of this file tries to hold more than a submission may (in memory no folder shows, in
several processes, in files it hid from a walk of its folder) at import, and says "REACHED" if it
held it. In every setting of test_attacks.py (root, root without CAP_SYS_ADMIN, an ordinary user),
the attack must be stopped (no REACHED), earn no point the honest twin does not, name the limit
where it cost the app its import, and leave nothing in /dev/shm or /tmp; a classmate graded beside
it keeps their grade. Then the restarts of level 2 (step 10): profiles kept in SysV semaphores or
shared memory, or in a folder the app chmods 0500, do not survive the app being stopped.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT, grader_copies, processes_with, remove_killed_graders_copies
from test_attacks import (  # noqa: F401 - the settings' fixtures
    APP,
    DETACH,
    failures,
    grade_class,
    level2_rubric,
    reached,
    root_kit,
    setting,
    shared_base,
    throwaway_user,
    user_kit,
    write_submission,
)

from checks.sandbox import bubblewrap, cgroup
from checks.sandbox.guard import Usage, count_folder, count_processes
from checks.sandbox.limits import MAX_FOLDER_ENTRIES
from checks.sandbox.process import Process, read_frames, read_output, stop

needs_sandbox = pytest.mark.skipif(not bubblewrap.available(), reason="the sandbox (bubblewrap) is not available here")

LIMITS = ("MiB of memory", "wrote more into its folder", "nested folders more than")

# Each holds its memory a moment (longer than the grader takes to look), then says REACHED if it still has it all.
MEMFD = """\
import os, time
held = []
try:
    for _ in range(22):  # 22 x 50 MiB = 1,100 MiB, in files no folder shows
        descriptor = os.memfd_create("hog")
        for _ in range(50):
            os.write(descriptor, b"x" * (1 << 20))
        held.append(descriptor)
except OSError:
    held = []
time.sleep(1)
if len(held) == 22:
    raise SystemExit("REACHED 1,100 MiB of memfd")
"""

FORKS = """\
import os, select, subprocess, sys, time
HOG = "import os, time; hog = b'x' * (800 << 20); os.write(1, b'1'); time.sleep(30)"
children = [subprocess.Popen([sys.executable, "-c", HOG], stdout=subprocess.PIPE) for _ in range(3)]
got = []
deadline = time.monotonic() + 12
waiting = [child.stdout for child in children]
while waiting and time.monotonic() < deadline:
    for stream in select.select(waiting, [], [], max(0, deadline - time.monotonic()))[0]:
        got.append(os.read(stream.fileno(), 1))
        waiting.remove(stream)
time.sleep(1)
alive = [child for child in children if child.poll() is None]
for child in children:
    child.kill()
if got == [b"1"] * 3 and len(alive) == 3:
    raise SystemExit("REACHED three processes of 800 MiB")
"""

UNLINKED = """\
import os, time
held = []
try:
    for number in range(12):  # 12 x 50 MiB = 600 MiB, in files removed while open
        name = f"MARKER-{number}"
        descriptor = os.open(name, os.O_RDWR | os.O_CREAT, 0o600)
        os.unlink(name)
        for _ in range(50):
            os.write(descriptor, b"x" * (1 << 20))
        held.append(descriptor)
except OSError:
    held = []
time.sleep(1)
if len(held) == 12:
    raise SystemExit("REACHED 600 MiB unlinked while open")
"""

UNREADABLE = """\
import os, time
os.mkdir("MARKER")
os.chmod("MARKER", 0o300)  # no one may list it: its files are hidden from a walk of the folder
written = 0
try:
    for number in range(12):
        with open(f"MARKER/part-{number}", "wb") as file:
            for _ in range(50):
                file.write(b"x" * (1 << 20))
        written += 1
except OSError:
    pass
time.sleep(1)
if written == 12 and all(os.path.exists(f"MARKER/part-{number}") for number in range(12)):
    raise SystemExit("REACHED 600 MiB in a folder at 0300")
"""

LONG_PATHS = """\
import os, time
os.mkdir("MARKER")
folder = os.open("MARKER", os.O_RDONLY)
for _ in range(25):  # 25 names of 200 bytes: paths past PATH_MAX (4,096 bytes)
    os.mkdir("d" * 200, dir_fd=folder)
    inner = os.open("d" * 200, os.O_RDONLY, dir_fd=folder)
    os.close(folder)
    folder = inner
written = 0
try:
    for number in range(12):
        file = os.open(f"part-{number}", os.O_WRONLY | os.O_CREAT, 0o600, dir_fd=folder)
        for _ in range(50):
            os.write(file, b"x" * (1 << 20))
        os.close(file)
        written += 1
except OSError:
    pass
time.sleep(1)
if written == 12:
    raise SystemExit("REACHED 600 MiB past PATH_MAX")
"""

ATTACKS = {"memfd": MEMFD, "forks": FORKS, "unlinked": UNLINKED, "unreadable": UNREADABLE, "long-paths": LONG_PATHS}


def left_behind(marker: str) -> list[str]:
    """Paths in /dev/shm and /tmp (the grader's folders there, a few levels deep) whose name holds `marker`."""
    found = []
    for base in ("/dev/shm", "/tmp"):
        try:
            tops = [entry.path for entry in os.scandir(base) if marker in entry.name or entry.name.startswith("flask")]
        except OSError:
            continue
        for top in tops:
            if marker in top:
                found.append(top)
            for folder, folders, files in os.walk(top):
                depth = folder[len(top):].count(os.sep)
                if depth >= 4:
                    folders[:] = []
                found += [os.path.join(folder, name) for name in folders + files if marker in name]
    return found


@needs_sandbox
@pytest.mark.parametrize("attack", ATTACKS)
def test_an_app_holding_more_than_its_budget_is_stopped(setting, attack):  # noqa: F811
    """The attack is stopped, earns no point, names the limit where it cost the import, and leaves nothing."""
    marker = f"flask-club-budget-{uuid.uuid4().hex}"
    path = write_submission(setting.folder(attack), IMPORT=ATTACKS[attack].replace("MARKER", marker))
    try:
        result, done = setting.grade(path)
        reached(result)
        reached(done.stderr)
        honest = setting.twin("weak")
        assert result["score"] <= honest, failures(result)
        if result["score"] < honest:
            said = failures(result)
            assert any(limit in said for limit in LIMITS), said
        assert result["isolation"].startswith("bubblewrap")
        assert left_behind(marker) == []
    finally:
        shutil.rmtree(path, ignore_errors=True)


# Empty files take no byte of the folder's size and stay under every memory budget: only the count stops them.
MANY_FILES = """\
import os, time
os.mkdir("MARKER")
for number in range(25_000):
    open(os.path.join("MARKER", str(number)), "w").close()
time.sleep(8)  # long past the grader's next look (every 0.2 s), within the import limit
raise SystemExit("REACHED 25,000 files")
"""


@needs_sandbox
def test_an_app_making_too_many_files_is_stopped_at_the_entry_limit(setting):  # noqa: F811
    """25,000 empty files in the app's copy: it is stopped, the message names the limit, and nothing is left."""
    marker = f"flask-club-many-files-{uuid.uuid4().hex}"
    path = write_submission(setting.folder("many-files"), IMPORT=MANY_FILES.replace("MARKER", marker))
    try:
        result, done = setting.grade(path)
        reached(result)
        reached(done.stderr)
        said = failures(result)
        assert f"{MAX_FOLDER_ENTRIES} files and folders" in said, said
        assert result["isolation"].startswith("bubblewrap")
        assert left_behind(marker) == []
    finally:
        shutil.rmtree(path, ignore_errors=True)


@needs_sandbox
def test_a_class_of_every_attack_keeps_its_honest_grades(setting):  # noqa: F811
    """A class holding every attack above and two honest students: each gets a grade, the honest keep 100."""
    honest = write_submission(setting.folder("honest"), code=APP)
    students = {"a-honest": honest, "z-honest": honest}
    for attack, payload in ATTACKS.items():
        marker = f"flask-club-budget-{uuid.uuid4().hex}"
        students[f"m-{attack}"] = write_submission(setting.folder(attack), IMPORT=payload.replace("MARKER", marker))
    results = grade_class(setting, students)
    assert results["a-honest"]["score"] == 100 and results["z-honest"]["score"] == 100
    for attack in ATTACKS:
        assert results[f"m-{attack}"]["score"] is not None, attack
        assert results[f"m-{attack}"]["score"] <= setting.twin("weak"), attack


# -- a restart is a restart (level 2's step 10) ------------------------------------------------------
RESTART_CHEATS = [
    "cheat_level2_store_in_sysv_semaphores",
    "cheat_level2_store_in_sysv_shared_memory",
    "cheat_level2_store_in_a_0500_folder",
]


@needs_sandbox
@pytest.mark.parametrize("cheat", RESTART_CHEATS)
def test_no_profile_outlives_the_app_outside_its_copy(setting, cheat):  # noqa: F811
    """Profiles kept in SysV IPC or in a folder at 0500 (in /tmp, beside the copy) are gone after the restart."""
    samples = ROOT / "tests" / "submissions"
    scores = {}
    for name in (cheat, "mistake_level2_memory_only"):
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
    assert scores[cheat] == scores["mistake_level2_memory_only"]



# -- nothing hangs, sandboxed or not -----------------------------------------------------------------
def leftover(marker: str) -> str:
    """A payload leaving a process in a session of its own that holds the app's pipes (and sleeps ten minutes)."""
    child = f"os.execv(sys.executable, [sys.executable, '-c', 'import time; time.sleep(600)', {marker!r}])"
    return DETACH.format(child=child)


def gone(marker: str, seconds: float = 10) -> bool:
    """Whether no process holds the marker, waiting a little for the kernel to reap the killed."""
    deadline = threading.Event()
    timer = threading.Timer(seconds, deadline.set)
    timer.start()
    try:
        while processes_with(marker) and not deadline.wait(0.1):
            pass
    finally:
        timer.cancel()
    return processes_with(marker) == []


@needs_sandbox
def test_without_the_sandbox_a_detached_leftover_is_killed(setting):  # noqa: F811
    """--no-sandbox: a setsid double fork is found and killed (a cgroup as root, the reaper as a user)."""
    marker = f"flask-club-no-sandbox-{uuid.uuid4().hex}"
    path = write_submission(setting.folder("no-sandbox"), IMPORT=leftover(marker))
    result, _ = setting.grade(path, "--no-sandbox")
    assert result["isolation"].startswith("process limits")
    assert result["score"] == setting.twin("weak")
    assert gone(marker), "a process of the app outlived the grader"


@needs_sandbox
@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_without_the_sandbox_an_interrupted_grade_leaves_no_process(setting, stop_signal):  # noqa: F811
    """Ctrl-C or SIGTERM while an app graded without the sandbox runs: its detached processes die with the grade."""
    marker = f"flask-club-no-sandbox-stopped-{uuid.uuid4().hex}"
    # GET / takes 2 s: the grade is still running when the signal comes (a quick one could end first, and exit 0).
    path = write_submission(setting.folder("no-sandbox-stopped"), IMPORT=leftover(marker),
                            HOME="import time\ntime.sleep(2)")
    copies = grader_copies()
    grader = setting.start(path, "--no-sandbox", "--format", "json", "--seed", "3")
    try:
        started = threading.Event()
        for _ in range(600):  # the app's import starts the leftover at once
            if processes_with(marker) or started.wait(0.1):
                break
        assert processes_with(marker), "the app never started its leftover"
        grader.send_signal(stop_signal)
        _, err = grader.communicate(timeout=120)
    finally:
        if grader.poll() is None:
            grader.kill()
            grader.communicate()
        remove_killed_graders_copies(copies)  # a grader killed here (the test failed) cleaned up nothing
    assert grader.returncode == 130, err
    assert gone(marker), "a process of the app outlived the grader"


LEFTOVER_HOLDING_PIPES = """\
import os, sys
if os.fork() == 0:
    os.setsid()
    os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(120)", sys.argv[1]])
"""


def test_stopping_an_app_whose_pipes_a_leftover_holds_returns():
    """stop() returns while a reader is blocked on a pipe that a process out of reach still holds open."""
    marker = f"flask-club-held-pipe-{uuid.uuid4().hex}"
    popen = subprocess.Popen([sys.executable, "-c", LEFTOVER_HOLDING_PIPES, marker], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    process = Process(popen)
    for target in (read_frames, read_output):
        process.readers.append(threading.Thread(target=target, args=(process,), daemon=True))
        process.readers[-1].start()
    process.read_streams += [popen.stdout, popen.stderr]
    process.informed.set()
    try:
        popen.wait(timeout=60)  # the leftover, in a session of its own, keeps stdout and stderr open
        stopping = threading.Thread(target=stop, args=(process, None), daemon=True)
        stopping.start()
        stopping.join(timeout=120)  # a deadlock never returns: this bound is no measure of speed
        assert not stopping.is_alive(), "stop() is blocked closing a pipe its reader is reading"
    finally:
        for pid in processes_with(marker):
            os.kill(int(pid), signal.SIGKILL)


# -- the budget and the grader's own count, one at a time ---------------------------------------------
@pytest.fixture
def shared_folder() -> Iterator[Path]:
    """A folder in memory (/dev/shm, or /tmp) that any user may enter, removed with all it holds at the end."""
    base = "/dev/shm" if os.path.isdir("/dev/shm") else None
    folder = Path(tempfile.mkdtemp(prefix="flask-club-budget-test-", dir=base))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        subprocess.run(["chmod", "-R", "u+rwx", str(folder)], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.skipif(not cgroup.parents(), reason="no cgroup this grader may use here")
def test_files_written_in_memory_count_against_the_budget(shared_folder):
    """A process in a 64 MiB budget cannot keep 200 MiB in a file in memory; the budget names the limit."""
    budget = cgroup.Budget(8, 64 << 20)
    try:
        write = f"f = open({str(shared_folder / 'big')!r}, 'wb')\nfor _ in range(200): f.write(b'x' * (1 << 20))"
        done = subprocess.run([sys.executable, "-c", write], preexec_fn=budget.join, capture_output=True)
        assert done.returncode != 0
        assert "64 MiB of memory" in budget.reached()
    finally:
        budget.remove()
    assert budget.folders == []


def test_the_count_reaches_folders_made_unreadable(shared_folder):
    """A folder at 0300 is counted: the grader makes its own folder readable again first."""
    vault = shared_folder / "copy" / "vault"
    vault.mkdir(parents=True)
    for number in range(3):
        (vault / f"part-{number}").write_bytes(b"x" * (1 << 20))
    vault.chmod(0o300)
    user = 65534 if os.geteuid() == 0 else os.geteuid()  # root reads any folder: count as nobody
    if os.geteuid() == 0:
        for path in (shared_folder / "copy", vault, *[vault / f"part-{number}" for number in range(3)]):
            os.chown(path, user, user)
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            if os.geteuid() == 0:
                os.setgid(user)
                os.setuid(user)
            usage = Usage()
            count_folder(shared_folder / "copy", usage)
            os.write(writer, str(usage.size).encode())
        finally:
            os._exit(0)
    os.close(writer)
    counted = int(os.read(reader, 64) or b"0")
    os.close(reader)
    os.waitpid(pid, 0)
    assert counted >= 3 << 20


def test_the_count_reaches_paths_past_path_max(shared_folder):
    """Files under a path of more than 4,096 bytes are counted (the walk goes by folder descriptor)."""
    folder = os.open(shared_folder, os.O_RDONLY)
    for _ in range(25):
        os.mkdir("d" * 200, dir_fd=folder)
        inner = os.open("d" * 200, os.O_RDONLY, dir_fd=folder)
        os.close(folder)
        folder = inner
    file = os.open("deep", os.O_WRONLY | os.O_CREAT, 0o600, dir_fd=folder)
    os.write(file, b"x" * (2 << 20))
    os.close(file)
    os.close(folder)
    usage = Usage()
    count_folder(shared_folder, usage)
    assert usage.size >= 2 << 20 and usage.depth == 26


def test_files_removed_while_open_are_counted(shared_folder):
    """A file a process removed but holds open counts against the copy's size."""
    path = shared_folder / "hidden"
    with open(path, "wb") as file:
        file.write(b"x" * (3 << 20))
        file.flush()
        path.unlink()
        usage = Usage()
        count_processes([os.getpid()], usage, memory=False)
    assert usage.hidden >= 3 << 20
