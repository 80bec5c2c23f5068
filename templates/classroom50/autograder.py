"""Flask Club's autograder for Classroom 50: grade the student's checkout, write result.json.

Classroom 50's runner runs this file once per submission, with the student's checkout as
the working directory and CLASSROOM, ASSIGNMENT, SUBMISSION_TAG, COMMIT_URL, RELEASE_URL,
REVIEW_URL and CLASSROOM50_BUNDLE_DIR set. This folder (the bundle `make classroom50`
builds) holds the instructor's checks, pinned by checks/MANIFEST.sha256, and the pinned
requirements. In order:

1. result.json and release-body.md of the checkout are removed at once, and replaced by
   a result that grades nothing (0 of 0): no file the student committed can stand for a
   grade;
2. bubblewrap (Debian's package) is installed where it is missing and this runner can
   (root, or sudo without a password), and the pinned requirements into a virtual
   environment in RUNNER_TEMP (pip's cache makes the next run quicker);
3. a second process, with that environment's Python, grades the work folder (the
   checkout itself where it holds app.py, else its starter/) with this bundle's checks,
   never the checkout's, through `checks.grade.grade`, in the kit's sandbox;
4. everything that process prints is relayed neutralized (checks/outputs/workflow.py):
   nothing the submission wrote becomes a workflow command in the log;
5. result.json (one test per check, whole points adding up to the kit's total) and
   release-body.md (the student's view: hidden checks as a count, failures with their
   hints) replace the placeholder.

Exit status 0 whenever grading ran, whatever the score; 1 for an infrastructure error
(the runner then records an error, never a score). FLASK_CLUB_PYTHON names a Python that
already has the requirements (a self-hosted runner's, a test's) instead of the virtual
environment; FLASK_CLUB_WORK names the work folder, relative to the checkout.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BUNDLE = Path(__file__).resolve().parent
sys.path.insert(0, str(BUNDLE))

from checks.outputs.workflow import command, neutralize  # noqa: E402  (standard library only)

RESULT, BODY = Path("result.json"), Path("release-body.md")
REQUIRED = ("CLASSROOM", "ASSIGNMENT", "SUBMISSION_TAG", "COMMIT_URL", "RELEASE_URL")
SKIPPED = {".git", ".github", ".venv", "venv", "__pycache__", "node_modules", "checks"}


class Infrastructure(Exception):
    """Grading could not run: the message says why, for the teacher."""


def say(text: str) -> None:
    """A line of this autograder's own, in the log."""
    sys.stdout.write(neutralize(text) + "\n")
    sys.stdout.flush()


def now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def identity() -> dict[str, str]:
    """The submission's identity from the runner's variables; Infrastructure if one is missing."""
    missing = [name for name in REQUIRED if not os.environ.get(name)]
    if missing:
        raise Infrastructure(f"the runner did not set {', '.join(missing)}: run this from Classroom 50's workflow")
    return {
        "classroom": os.environ["CLASSROOM"],
        "assignment": os.environ["ASSIGNMENT"],
        "submission": os.environ["SUBMISSION_TAG"],
        "commit": os.environ["COMMIT_URL"],
        "release": os.environ["RELEASE_URL"],
        "review": os.environ.get("REVIEW_URL") or os.environ["COMMIT_URL"],
    }


def submitted_at() -> str:
    """The submission instant: the graded commit's committer date, in UTC (now, where git can't tell)."""
    try:
        done = subprocess.run(
            ["git", "log", "-1", "--format=%ct", "HEAD"], capture_output=True, text=True, timeout=30, check=True
        )
        stamp = datetime.datetime.fromtimestamp(int(done.stdout.strip()), datetime.timezone.utc)
        return stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OSError, ValueError, subprocess.SubprocessError):
        return now()


def clear() -> None:
    """Remove the checkout's own result.json and release-body.md, even as a link or a folder."""
    for path in (RESULT, BODY):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.is_symlink() or path.exists():
            path.unlink()


def placeholder(who: dict[str, str]) -> None:
    """A result that grades nothing, written before anything else can fail."""
    data = {"schema": "classroom50/result/v1", **who, "datetime": submitted_at(), "graded_at": now()}
    data.update({"score": 0, "max-score": 0, "tests": []})
    RESULT.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    BODY.write_text("Flask Club: this submission was not graded (see the grading log).\n", encoding="utf-8")


def run(command_line: list[str], **options) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command_line, capture_output=True, text=True, stdin=subprocess.DEVNULL, **options)


def install_bubblewrap() -> None:
    """Debian's bubblewrap, where it is missing and this runner may install it (root or sudo -n)."""
    if shutil.which("bwrap") or not sys.platform.startswith("linux") or not shutil.which("apt-get"):
        return
    if os.geteuid() == 0:
        sudo = []
    elif shutil.which("sudo") and run(["sudo", "-n", "true"], timeout=30).returncode == 0:
        sudo = ["sudo", "-n"]
    else:
        say("bubblewrap is missing and cannot be installed here (no root): add it to the assignment's runtime")
        return
    say("Installing Debian's bubblewrap, the sandbox the student's app runs in")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = [*sudo, "apt-get", "install", "-y", "-qq", "--no-install-recommends", "bubblewrap"]
    if run(install, env=env, timeout=600).returncode != 0:
        run([*sudo, "apt-get", "update", "-qq"], env=env, timeout=600)
        run(install, env=env, timeout=600)
    # Ubuntu's runners forbid unprivileged user namespaces to programs without an AppArmor profile.
    switch = Path("/proc/sys/kernel/apparmor_restrict_unprivileged_userns")
    if switch.is_file() and switch.read_text().strip() == "1":
        run([*sudo, "sysctl", "-q", "-w", "kernel.apparmor_restrict_unprivileged_userns=0"], timeout=60)


def grading_python() -> str:
    """A Python with the pinned requirements: FLASK_CLUB_PYTHON, or a virtual environment made once."""
    if os.environ.get("FLASK_CLUB_PYTHON"):
        return os.environ["FLASK_CLUB_PYTHON"]
    requirements = BUNDLE / "requirements.txt"
    digest = hashlib.sha256(requirements.read_bytes()).hexdigest()
    venv = Path(os.environ.get("RUNNER_TEMP") or tempfile.gettempdir()) / "flask-club-venv"
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    stamp = venv / "requirements.sha256"
    if python.exists() and stamp.is_file() and stamp.read_text().strip() == digest:
        return str(python)
    shutil.rmtree(venv, ignore_errors=True)
    say(f"Installing the pinned requirements for Python {sys.version.split()[0]}")
    done = run([sys.executable, "-m", "venv", str(venv)], timeout=600)
    if done.returncode != 0:
        raise Infrastructure(f"could not create a virtual environment: {done.stderr.strip()[-500:]}")
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", str(requirements)]
    done = run(pip, timeout=1200)
    if done.returncode != 0:
        raise Infrastructure(f"pip could not install the requirements: {(done.stdout + done.stderr).strip()[-800:]}")
    stamp.write_text(digest + "\n")
    return str(python)


def work_folder(checkout: Path) -> Path:
    """The folder holding the student's app.py: FLASK_CLUB_WORK, the checkout, its starter/, or the shallowest one."""
    if os.environ.get("FLASK_CLUB_WORK"):
        return checkout / os.environ["FLASK_CLUB_WORK"]
    for candidate in (checkout, checkout / "starter"):
        if (candidate / "app.py").is_file():
            return candidate
    found = []
    for folder, subfolders, files in os.walk(checkout):
        subfolders[:] = sorted(name for name in subfolders if name not in SKIPPED)  # never into .git, .venv...
        if "app.py" in files and os.path.isfile(os.path.join(folder, "app.py")):
            found.append(Path(folder))
    return min(found, key=lambda path: (len(path.parts), str(path)), default=checkout / "starter")


def relay(process: subprocess.Popen) -> None:
    """Every line the grading process prints, neutralized."""
    assert process.stdout is not None
    for raw in process.stdout:
        sys.stdout.write(neutralize(raw.decode("utf-8", "replace").rstrip("\r\n")) + "\n")
    sys.stdout.flush()


def outside() -> int:
    """What the runner runs: the placeholder, the set-up, the grading process, the result."""
    try:
        clear()  # whatever happens next, no file of the student's stands for a grade
        who = identity()
        placeholder(who)
        install_bubblewrap()
        python = grading_python()
    except Infrastructure as error:
        say(f"Flask Club's autograder could not run: {error}")
        return 1
    checkout = Path.cwd()
    work = work_folder(checkout)
    shown = work.relative_to(checkout).as_posix() if work != checkout else "."
    say(f"Grading {shown}/ with the instructor's checks")
    with tempfile.TemporaryDirectory(prefix="flask-club-result-") as out:
        inner = [python, str(Path(__file__).resolve()), "--grade", str(work), shown, out]
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "FLASK_CLUB_SUBMITTED": who_time(who)}
        process = subprocess.Popen(
            inner, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env
        )
        relay(process)
        code = process.wait()
        produced = Path(out) / "result.json"
        if code != 0 or not produced.is_file():
            say(f"Flask Club's autograder: grading stopped (exit status {code}); no score is recorded")
            return 1
        data = json.loads(produced.read_text(encoding="utf-8"))
        shutil.copyfile(produced, RESULT)
        shutil.copyfile(Path(out) / "release-body.md", BODY)
    total = f"{data['score']}/{data['max-score']} points"
    sys.stdout.write(command("notice", "Flask Club", f"{total}: each check is in the release") + "\n")
    return 0


def who_time(who: dict[str, str]) -> str:
    """The submission instant, read once by the outer process (the placeholder's)."""
    try:
        return json.loads(RESULT.read_text(encoding="utf-8"))["datetime"]
    except (OSError, ValueError, KeyError):
        return submitted_at()


def inside(work: str, shown: str, out: str) -> int:
    """The grading process: grade with this bundle's checks, write result.json and release-body.md to `out`."""
    from checks import integrity
    from checks.grade import grade
    from checks.outputs.classroom50 import release_body, result

    modified = integrity.modified_checks(BUNDLE / "checks")
    if modified:
        raise SystemExit(f"the bundle's checks differ from their manifest ({', '.join(modified)}): build it again")
    folder = Path(work)
    with tempfile.TemporaryDirectory(prefix="flask-club-empty-") as empty:
        # A checkout with no work folder is graded as an empty one: every check then says what is missing.
        graded = grade(folder if folder.is_dir() else Path(empty))
    graded.submission = shown
    data = result(graded, identity(), os.environ.get("FLASK_CLUB_SUBMITTED") or submitted_at(), now())
    Path(out, "result.json").write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    Path(out, "release-body.md").write_text(release_body(graded, shown), encoding="utf-8")
    print(f"Flask Club: {data['score']}/{data['max-score']} points (seed {graded.seed})")
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--grade"]:
        sys.exit(inside(*sys.argv[2:5]))
    sys.exit(outside())
