"""Grading a whole class: one folder per student, graded in parallel, resumable.

Each submission is graded by its own `python -m checks SUB --format json`
process, so nothing one student's code does can reach another's grade. A
student's seed is derived from the class seed and the student's id, so the
grades do not depend on the order or the number of jobs. Every finished grade
is written at once (atomically), with the hash of what was graded: a second
run regrades only what changed, and a crash loses nothing finished.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from checks.run.workspace import SCRATCH, SKIPPED, scratch_base

KIT = Path(__file__).resolve().parents[2]
STATE = "state.json"
NOT_SUBMISSIONS = {"templates", "static", "instance", *SKIPPED}


def is_class_folder(folder: Path, forced: bool = False) -> bool:
    """A folder of submissions: no app.py of its own, and two student folders or more.

    A folder with a single subfolder is taken for one submission nested a level
    down (its messages then say where app.py is), unless `forced` (--class).
    """
    if (folder / "app.py").exists():
        return False
    return len(student_folders(folder)) >= (1 if forced else 2)


def student_folders(folder: Path) -> list[Path]:
    """The student folders of a class folder, sorted by name (virtual environments left out)."""
    return sorted(
        path
        for path in folder.iterdir()
        if path.is_dir()
        and path.name not in NOT_SUBMISSIONS
        and not path.name.startswith(".")
        and not (path / "pyvenv.cfg").exists()
    )


def work_folder(student: Path) -> Path:
    """Where a student's app is: their folder, or its starter/ (a repository made from the handout)."""
    if not (student / "app.py").exists() and (student / "starter" / "app.py").exists():
        return student / "starter"
    return student


def content_hash(folder: Path) -> str:
    """A hash of every file a grade depends on (virtualenvs and caches left out)."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if set(relative.parts) & SKIPPED or not path.is_file() or path.is_symlink():
            continue
        digest.update(relative.as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def student_seed(class_seed: int, student: str) -> int:
    """The seed of one student's run: fixed by the class seed and the student's id."""
    digest = hashlib.sha256(f"{class_seed}:{student}".encode()).digest()
    return 100000 + int.from_bytes(digest[:4], "big") % 900000


def write_atomically(path: Path, text: str) -> None:
    """Write a file so that a crash leaves the old one or the new one, never half of either."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        file.write(text)
    os.replace(temporary, path)


@dataclass
class Outcome:
    """One student's grading: the contract's JSON, or why there is none."""

    student: str
    result: dict | None
    seconds: float
    error: str | None = None
    reused: bool = False
    student_view: dict | None = None  # the result as the student may see it (hidden checks masked)


@dataclass
class Options:
    """How to grade a class."""

    folder: Path
    out: Path
    seed: int | None = None
    jobs: int = 0
    force: bool = False
    limits: list[str] = field(default_factory=list)  # the CLI's time-limit options, passed on
    submission_timeout: float = 120.0


class Tail:
    """The end of what a worker wrote on its standard error (4 KiB at most), for the error of a failed job."""

    def __init__(self, size: int = 4096):
        self.size = size
        self.text = ""
        self.lock = threading.Lock()

    def read(self, stream) -> None:
        try:
            while chunk := stream.read(4096):
                with self.lock:
                    self.text = (self.text + chunk)[-self.size :]
        except (OSError, ValueError):
            pass

    def said(self, limit: int = 600) -> str:
        """'; the grader said: …' with the last lines it wrote, or ''."""
        with self.lock:
            text = " ".join(self.text.split())[-limit:]
        return f"; the grader said: …{text}" if text else ""


class Worker:
    """A `python -m checks.run.worker` process, grading one submission at a time for one job slot.

    Each worker copies submissions into a folder of its own (FLASK_CLUB_SCRATCH), removed when it is
    stopped: a worker killed on its time limit leaves nothing behind, and its sandbox dies with it.
    """

    def __init__(self, options: Options):
        self.options = options
        self.process: subprocess.Popen | None = None
        self.errors = Tail()
        self.scratch: str | None = None

    def start(self) -> subprocess.Popen:
        if self.process is None or self.process.poll() is not None:
            self.stop()
            self.scratch = tempfile.mkdtemp(prefix="flask-club-worker-", dir=scratch_base())
            self.errors = Tail()
            self.process = subprocess.Popen(
                [sys.executable, "-m", "checks.run.worker"],
                cwd=KIT,
                env={**os.environ, SCRATCH: self.scratch},
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                encoding="utf-8",
                errors="replace",
            )
            threading.Thread(target=self.errors.read, args=(self.process.stderr,), daemon=True).start()
        return self.process

    def stop(self) -> None:
        """Kill the worker (its sandboxes die with it) and remove its copies."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None
        if self.scratch is not None:
            for _ in range(50):  # a sandbox may still be dying, and writing
                shutil.rmtree(self.scratch, ignore_errors=True)
                if not os.path.exists(self.scratch):
                    break
                time.sleep(0.1)
            self.scratch = None

    def grade(self, student: Path, seed: int) -> Outcome:
        """Grade one student's folder; a worker that dies or overruns is replaced, and the student told why.

        Each job carries a random token that only the worker sees, never the student's app: an answer
        without it is not this job's, and counts as an error for this student alone.
        """
        started = time.monotonic()
        token = secrets.token_hex(16)
        job = {"submission": str(work_folder(student)), "seed": seed, "args": self.options.limits, "token": token}
        answer: list[str] = []
        process = self.start()

        def ask() -> None:
            process.stdin.write(json.dumps(job) + "\n")
            process.stdin.flush()
            answer.append(process.stdout.readline())

        asking = threading.Thread(target=ask, daemon=True)
        asking.start()
        asking.join(self.options.submission_timeout + 60)
        seconds = time.monotonic() - started
        if asking.is_alive() or not answer or not answer[0]:
            said = self.errors.said()
            self.stop()
            return Outcome(student.name, None, seconds, f"the grader did not finish this submission{said}")
        try:
            answered = json.loads(answer[0])
            if not isinstance(answered, dict) or answered.get("token") != token:
                raise ValueError("not this job's token")
        except ValueError:
            self.stop()  # what the worker says next can't be trusted to be in step
            return Outcome(student.name, None, seconds, "the grader's answer for this submission was not its own")
        if "error" in answered:
            return Outcome(student.name, None, seconds, str(answered["error"]))
        result, view = answered["result"], answered["student"]
        result["submission"] = view["submission"] = student.name
        return Outcome(student.name, result, seconds, student_view=view)


class State:
    """What was graded last time: each student's content hash, seed and time taken."""

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

    def fresh(self, student: str, digest: str, seed: int, out: Path) -> bool:
        entry = self.data["students"].get(student)
        same = bool(entry) and entry.get("hash") == digest and entry.get("seed") == seed
        return same and result_path(out, student).exists() and view_path(out, student).exists()

    def record(self, student: str, digest: str, seed: int, seconds: float) -> None:
        with self.lock:
            self.data["students"][student] = {"hash": digest, "seed": seed, "seconds": round(seconds, 3)}
            write_atomically(self.path, json.dumps(self.data, indent=1, sort_keys=True))

    def seconds(self, student: str) -> float:
        return float(self.data["students"].get(student, {}).get("seconds", 0.0))


def result_path(out: Path, student: str) -> Path:
    """The instructor's full result (written last: its presence means the student is done)."""
    return out / "json" / f"{student}.json"


def view_path(out: Path, student: str) -> Path:
    """The result as the student may see it, beside their feedback."""
    return out / "feedback" / f"{student}.json"


def grade_class(options: Options, progress=None) -> tuple[int, list[Outcome]]:
    """Grade every student folder; return the class seed and each student's outcome, by student id."""
    out = options.out
    out.mkdir(parents=True, exist_ok=True)
    state = State(out)
    if options.seed is not None:
        seed = options.seed
    elif state.seed is not None:
        seed = state.seed  # a second run without --seed keeps the first run's data, so it can resume
    else:
        from checks.data import new_seed

        seed = new_seed()
    if state.seed != seed:
        state.data = {"seed": seed, "students": {}}
    state.data["seed"] = seed

    students = student_folders(options.folder)
    outcomes: dict[str, Outcome] = {}
    todo = []
    for student in students:
        digest = content_hash(student)
        own_seed = student_seed(seed, student.name)
        if not options.force and state.fresh(student.name, digest, own_seed, out):
            result = json.loads(result_path(out, student.name).read_text())
            view = json.loads(view_path(out, student.name).read_text())
            outcomes[student.name] = Outcome(
                student.name, result, state.seconds(student.name), reused=True, student_view=view
            )
        else:
            todo.append((student, digest, own_seed))
    if progress:
        progress.start(len(students), len(students) - len(todo))

    jobs = options.jobs or os.cpu_count() or 1
    slots = threading.local()
    workers: list[Worker] = []

    def grade_one(student: Path, own_seed: int) -> Outcome:
        if not hasattr(slots, "worker"):
            slots.worker = Worker(options)
            workers.append(slots.worker)
        return slots.worker.grade(student, own_seed)

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {
            pool.submit(grade_one, student, own_seed): (student, digest, own_seed)
            for student, digest, own_seed in todo
        }
        for future in as_completed(futures):
            student, digest, own_seed = futures[future]
            outcome = future.result()
            outcomes[student.name] = outcome
            if outcome.result is not None:
                view = json.dumps(outcome.student_view, indent=2, ensure_ascii=False)
                write_atomically(view_path(out, student.name), view)
                text = json.dumps(outcome.result, indent=2, ensure_ascii=False)
                write_atomically(result_path(out, student.name), text)
                state.record(student.name, digest, own_seed, outcome.seconds)
            if progress:
                progress.advance(outcome)
    for worker in workers:
        worker.stop()
    if progress:
        progress.stop()
    return seed, [outcomes[student.name] for student in students]
