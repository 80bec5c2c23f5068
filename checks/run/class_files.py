"""What a class run keeps in --out: each student's outcome and result files, its logs, and its state.

The state names what a grade was made with (the Rubric, the checks' version), so a grade is
reused only where both are the same.

Every file is written atomically (a crash leaves the old one or the new one); the state says what
was graded with what, so a second run regrades only what changed (see class_run.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
import traceback
from dataclasses import dataclass
from pathlib import Path

from checks.rubric import LEVEL_2, LEVEL_3, RubricError, load
from checks.run.tree import shown
from checks.version import KIT_VERSION

STATE = "state.json"

FAILED = "the grader failed on this submission"


def write_atomically(path: Path, text: str) -> None:
    """Write a file so that a crash leaves the old one or the new one, never half of either."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    os.fchmod(handle, 0o666 & ~UMASK)  # readable as the umask says (mkstemp's 0600 would shut out a TA)
    # errors=: a student folder's name that is not UTF-8 is shown escaped (see student_id), never fatal
    with os.fdopen(handle, "w", encoding="utf-8", errors="backslashreplace", newline="") as file:
        file.write(text)
    os.replace(temporary, path)


def current_umask() -> int:
    """The process's umask (read once, while nothing else runs)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask

UMASK = current_umask()


@dataclass
class Outcome:
    """One student's grading: the contract's JSON, or why there is none."""

    student: str
    result: dict | None
    seconds: float
    error: str | None = None
    reused: bool = False
    student_view: dict | None = None  # the result as the student may see it (hidden checks masked)
    missing: str | None = None  # why there was nothing to grade ("an empty folder", "the untouched starter")
    log: str | None = None  # what the grader said when it failed (a traceback, its stderr): for logs/<student>.log

    @property
    def status(self) -> str:
        """'graded', 'not submitted: …' or 'error: …', as grades.csv says it."""
        if self.missing:
            return f"not submitted: {self.missing}"
        return "graded" if self.result is not None else f"error: {self.error}"


class State:
    """What was graded last time: the class's seed and rubric; each student's key, seed and time taken.

    A student's key is the hash of their files and of everything else the grade depends on
    (the rubric's content, the checks' code and version, the grading options): a grade is
    reused only when the key is the same, so one gradebook never mixes two rubrics.
    """

    def __init__(self, out: Path):
        self.path = out / STATE
        try:
            self.data = json.loads(self.path.read_text())
        except (OSError, json.JSONDecodeError):
            self.data = {}
        self.data.setdefault("students", {})
        self.lock = threading.Lock()

    @property
    def seed(self) -> int | None:
        return self.data.get("seed")

    def made_by(self, run: dict) -> bool:
        """Whether these grades were made by `run` (its seed, rubric hash and fingerprint; see identity)."""
        rubric = (self.data.get("rubric") or {}).get("sha256")
        same = self.data.get("seed") == run["seed"] and rubric == run["rubric"]
        return same and self.data.get("fingerprint", run["fingerprint"]) == run["fingerprint"]

    def fresh(self, student: str, key: str, seed: int, out: Path) -> bool:
        entry = self.data["students"].get(student)
        same = bool(entry) and entry.get("key") == key and entry.get("seed") == seed
        return same and result_path(out, student).exists() and view_path(out, student).exists()

    def record(self, student: str, key: str, seed: int, seconds: float) -> None:
        with self.lock:
            self.data["students"][student] = {"key": key, "seed": seed, "seconds": round(seconds, 3)}
            write_atomically(self.path, json.dumps(self.data, indent=1, sort_keys=True))

    def record_all(self) -> None:
        """Write the state as it is (the run's seed, rubric and fingerprint, where no student was recorded)."""
        with self.lock:
            write_atomically(self.path, json.dumps(self.data, indent=1, sort_keys=True))

    def seconds(self, student: str) -> float:
        return float(self.data["students"].get(student, {}).get("seconds", 0.0))


def student_id(student: Path) -> str:
    """A student's id: their folder's name, bytes that are not UTF-8 escaped (caf\\xe9), as every output shows it."""
    return shown(student.name, limit=1 << 16)


def log_path(out: Path, student: str) -> Path:
    """What the grader said when it failed on a student's submission (a traceback, the end of its stderr)."""
    return out / "logs" / f"{student}.log"


def failure(student: str, seconds: float, error: BaseException) -> Outcome:
    """The outcome of a submission the grader itself failed on: an error, for that student alone, with its log."""
    reason = f"{FAILED}: {type(error).__name__}: {error}"
    log = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    return Outcome(student, None, seconds, " ".join(reason.split())[:300], log=log)


def keep_log(out: Path, outcome: Outcome) -> None:
    """Write a failed outcome's log to logs/<student>.log, and point its error there; a log that can't be, isn't."""
    if outcome.result is not None or not outcome.log:
        return
    path = log_path(out, outcome.student)
    try:
        write_atomically(path, outcome.log if outcome.log.endswith("\n") else outcome.log + "\n")
    except (OSError, ValueError):
        return
    outcome.error = f"{outcome.error} (the grader's log: {path})"


def result_path(out: Path, student: str) -> Path:
    """The instructor's full result (written last: its presence means the student is done)."""
    return out / "json" / f"{student}.json"


def view_path(out: Path, student: str) -> Path:
    """The result as the student may see it, beside their feedback."""
    return out / "feedback" / f"{student}.json"


def checks_version() -> str:
    """The kit's version and a hash of the checks' code: a grade made by other checks is not reused."""
    hashed = hashlib.sha256(KIT_VERSION.encode())
    checks = Path(__file__).resolve().parents[1]  # checks/
    for path in sorted(checks.rglob("*.py")):
        if "__pycache__" not in path.parts:
            hashed.update(path.relative_to(checks).as_posix().encode() + b"\0" + path.read_bytes())
    return hashed.hexdigest()


@dataclass(frozen=True)
class Rubric:
    """Which rubric grades a class: its file's name and the hash of its content."""

    path: Path

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()

    @property
    def level2(self) -> bool:
        """Whether it grades level 2 (`level2 = true`); False for a rubric that can't be used (each grade says why)."""
        try:
            return LEVEL_2[0] in load(self.path)
        except RubricError:
            return False

    @property
    def level3(self) -> bool:
        """Whether it grades level 3 (`level3 = true`), whose step 16 takes up to 5 minutes of its own."""
        try:
            return LEVEL_3[0] in load(self.path)
        except RubricError:
            return False

    def __str__(self) -> str:
        return f"{self.name} ({self.sha256[:12]})"
