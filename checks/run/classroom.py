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
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from checks.run.folders import class_folder, digest, not_submitted, remove_tree, shown, student_folders, work_folder
from checks.run.workspace import SCRATCH, new_scratch

KIT = Path(__file__).resolve().parents[2]
STATE = "state.json"
STARTER = KIT / "starter"
FAILED = "the grader failed on this submission"
__all__ = ["class_folder", "student_folders", "work_folder"]


def is_class_folder(folder: Path, forced: bool = False) -> bool:
    """Whether DIR is graded as a class: a folder of student folders, or a folder holding one (see class_folder)."""
    return class_folder(folder, forced) is not None


def content_hash(folder: Path) -> str:
    """A hash of every file a grade depends on (virtualenvs and caches left out)."""
    return digest(folder)


def checks_version() -> str:
    """The kit's version and a hash of the checks' code: a grade made by other checks is not reused."""
    from checks.version import KIT_VERSION

    hashed = hashlib.sha256(KIT_VERSION.encode())
    checks = KIT / "checks"
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
        from checks.rubric import LEVEL_2, RubricError, load

        try:
            return LEVEL_2[0] in load(self.path)
        except RubricError:
            return False

    @property
    def level3(self) -> bool:
        """Whether it grades level 3 (`level3 = true`), whose step 16 takes up to 5 minutes of its own."""
        from checks.rubric import LEVEL_3, RubricError, load

        try:
            return LEVEL_3[0] in load(self.path)
        except RubricError:
            return False

    def __str__(self) -> str:
        return f"{self.name} ({self.sha256[:12]})"


def student_seed(class_seed: int, student: str) -> int:
    """The seed of one student's run: fixed by the class seed and the student's id."""
    digest = hashlib.sha256(f"{class_seed}:{student}".encode()).digest()
    return 100000 + int.from_bytes(digest[:4], "big") % 900000


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


@dataclass
class Options:
    """How to grade a class."""

    folder: Path
    out: Path
    seed: int | None = None
    jobs: int = 0
    force: bool = False
    limits: list[str] = field(default_factory=list)  # the CLI's time-limit options (and --rubric), passed on
    submission_timeout: float = 120.0
    students: list[Path] | None = None  # these folders rather than the class folder's (a class of one)
    starter: Path | None = STARTER  # the kit's starter: a copy of it, untouched, is not a submission

    @property
    def rubric(self) -> Rubric:
        """The rubric the options name (--rubric FILE), or checks/rubric.toml."""
        if "--rubric" in self.limits:
            return Rubric(Path(self.limits[self.limits.index("--rubric") + 1]))
        return Rubric(KIT / "checks" / "rubric.toml")

    def fingerprint(self) -> str:
        """What a grade depends on besides the submission: the rubric's content, the checks, the options."""
        options = list(self.limits)
        if "--rubric" in options:
            where = options.index("--rubric")
            del options[where : where + 2]
        parts = [self.rubric.sha256, checks_version(), json.dumps(options)]
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()


class Tail:
    """The end of what a worker wrote on its standard error (4 KiB at most), for the error of a failed job."""

    def __init__(self, size: int = 4096):
        self.size = size
        self.text = ""
        self.lock = threading.Lock()
        self.finished = threading.Event()  # the stream has ended: everything written on it is in `text`

    def read(self, stream) -> None:
        try:
            while chunk := stream.read(4096):
                with self.lock:
                    self.text = (self.text + chunk)[-self.size :]
        except (OSError, ValueError):
            pass
        finally:
            self.finished.set()

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
        self.left: list[str] = []  # what could not be removed of its copies (said at the end of the run)

    def start(self) -> subprocess.Popen:
        if self.process is None or self.process.poll() is not None:
            self.stop()
            self.scratch = str(new_scratch("worker-"))
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
            self.errors.finished.wait(2)  # what it wrote on stderr up to its end, before the pipe is closed
            for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
                try:
                    stream.close()
                except OSError:
                    pass
            self.process = None
        if self.scratch is not None:
            problems = []
            for _ in range(50):  # a sandbox may still be dying, and writing
                problems = remove_tree(self.scratch)
                if not problems:
                    break
                time.sleep(0.1)
            self.left += [f"{shown(self.scratch)}: {problem}" for problem in problems[:1]]
            self.scratch = None

    def grade(self, student: Path, seed: int) -> Outcome:
        """Grade one student's folder; a worker that dies or overruns is replaced, and the student told why.

        Each job carries a random token that only the worker sees, never the student's app: an answer
        without it is not this job's, and counts as an error for this student alone.
        """
        started = time.monotonic()
        name = student_id(student)
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
        own_budget = 300 if self.options.rubric.level3 else 0  # step 16's 5 minutes, past the submission's time
        asking.join(self.options.submission_timeout + 60 + own_budget)
        seconds = time.monotonic() - started
        if asking.is_alive() or not answer or not answer[0]:
            self.stop()
            said = self.errors.said()  # read once the worker is gone: all it wrote, not what had arrived so far
            log = self.errors.text or None
            return Outcome(name, None, seconds, f"the grader did not finish this submission{said}", log=log)
        try:
            answered = json.loads(answer[0])
            if not isinstance(answered, dict) or answered.get("token") != token:
                raise ValueError("not this job's token")
        except ValueError:
            self.stop()  # what the worker says next can't be trusted to be in step
            return Outcome(name, None, seconds, "the grader's answer for this submission was not its own")
        if "error" in answered:
            return Outcome(name, None, seconds, str(answered["error"]), log=answered.get("log"))
        result, view = answered["result"], answered["student"]
        result["submission"] = view["submission"] = name
        return Outcome(name, result, seconds, student_view=view)


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


# The files that show a student started a level (the names its steps and hints give), for the report's
# "stuck" and "never tried": a level is tried where one of them exists or one of its checks passed.
LEVEL_FILES = {
    "2": ["templates/base.html", "templates/login.html"],
    "3": ["config.py", "tests", "templates/register.html"],
}


def level_files(student: Path) -> dict[str, list[str]]:
    """Which of each level's LEVEL_FILES a student's folder holds (links are not followed: one counts as missing)."""
    work = work_folder(student)
    found = {}
    for level, names in LEVEL_FILES.items():
        found[level] = [name for name in names if (work / name).exists() and not (work / name).is_symlink()]
    return found


def stamp(options: Options) -> dict:
    """What graded a class, for every JSON file and report: the rubric (name, hash), the kit, when."""
    from checks.version import graded_with

    return graded_with(options.rubric.path)


# -- a new rubric's run is graded beside the gradebook, and swapped in whole ---------------------------------
STAGED = ".flask-club-regrade"  # in a folder the kit made to grade a new rubric's run in: it may remove it
COMPLETE = ".flask-club-regrade-complete"  # every student of that run is graded: it replaces the gradebook
OWN_FILES = {"json", "feedback", "logs", STATE, "grades.csv", "report.html"}  # what a run writes in --out


def staging_path(out: Path) -> Path:
    """Where a run with another rubric (or seed, checks, options) is graded until it is complete: beside --out."""
    return out.parent / f".{out.name}.regrade"


def replaced_path(out: Path) -> Path:
    """Where the gradebook's previous run goes for the moment of the swap, before it is removed."""
    return out.parent / f".{out.name}.replaced"


def own_names() -> set[str]:
    """The names a run writes in --out (the LMS's gradebook files included); everything else is the instructor's."""
    from checks.outputs.gradebooks import EXPORTS

    return OWN_FILES | {name for name, _ in EXPORTS.values()} | {STAGED, COMPLETE}


def identity(options: Options, seed: int) -> dict:
    """What makes one run of a class: its seed, the rubric's hash, and the fingerprint of checks and options."""
    return {"seed": seed, "rubric": options.rubric.sha256, "fingerprint": options.fingerprint()}


def retire(folder: Path, out: Path) -> list[str]:
    """Remove a run the kit no longer needs: its own files go; anything else in it is moved to --out (kept).

    Returns what could not be removed or moved (said as a note, never fatal).
    """
    problems = []
    if not folder.is_dir() or folder.is_symlink():
        return problems
    names = own_names()
    for entry in sorted(folder.iterdir()):
        try:
            if entry.name in names:
                problems += remove_tree(entry) if entry.is_dir() and not entry.is_symlink() else [entry.unlink()]
            elif not (out / entry.name).exists() and not (out / entry.name).is_symlink():
                os.rename(entry, out / entry.name)
            else:
                problems.append(f"{shown(str(entry))} was kept: {shown(str(out / entry.name))} exists")
        except OSError as error:
            problems.append(f"{shown(str(entry))}: {error.strerror or error}")
    problems = [problem for problem in problems if problem]
    if not problems:
        try:
            folder.rmdir()
        except OSError as error:
            problems.append(f"{shown(str(folder))}: {error.strerror or error}")
    return problems


def exchange(first: Path, second: Path) -> bool:
    """Swap two folders in one step (Linux's renameat2 RENAME_EXCHANGE); False where the system can't."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_cwd, rename_exchange = -100, 2
    done = renameat2(at_cwd, os.fsencode(first), at_cwd, os.fsencode(second), rename_exchange)
    return done == 0


def swap_in(out: Path) -> list[str]:
    """Put a complete regrade (staging_path) in place of --out: every reader sees the old run or the new one.

    Where the system swaps two folders in one step, it does; elsewhere --out is renamed aside and the
    new run renamed in, two steps between which --out is missing (never mixed). Each step can be
    interrupted: recover() finishes the swap at the start of the next run.
    """
    staging = staging_path(out)
    (staging / COMPLETE).write_text("every student of this run is graded: it replaces the gradebook beside it\n")
    (out / STAGED).write_text("the gradebook a complete regrade replaced: python -m checks removes it\n")
    if exchange(staging, out):
        os.rename(staging, replaced_path(out))
    else:
        if out.exists():
            os.rename(out, replaced_path(out))
        os.rename(staging, out)
    return recover(out)


def recover(out: Path) -> list[str]:
    """Finish a swap that was interrupted (see swap_in), and remove the run it replaced; return what is left."""
    staging, replaced = staging_path(out), replaced_path(out)
    try:
        if (staging / COMPLETE).exists():  # complete, not yet in place
            if out.exists() and not replaced.exists():
                os.rename(out, replaced)
            if not out.exists():
                os.rename(staging, out)
        elif (out / COMPLETE).exists() and (staging / STAGED).exists() and not replaced.exists():
            os.rename(staging, replaced)  # swapped in one step: the old run is where the new one was graded
    except OSError as error:
        return [f"the regrade in {shown(str(staging))} could not replace {shown(str(out))}: {error.strerror or error}"]
    problems = []
    if (replaced / STAGED).exists() and out.is_dir():
        problems = retire(replaced, out)
    if (out / COMPLETE).exists() and not replaced.exists():
        for marker in (STAGED, COMPLETE):
            (out / marker).unlink(missing_ok=True)
    return problems


def where_to_grade(options: Options, seed: int, main: State, progress=None) -> Path:
    """--out itself, or staging_path(--out) when --out holds grades of another run (rubric, seed, checks, options).

    A regrade left unfinished with this same run is resumed there; one with another run is removed.
    """
    out, staging = options.out, staging_path(options.out)
    run = identity(options, seed)
    staged = State(staging) if (staging / STAGED).exists() else None
    here = Path.cwd().resolve()
    if here == out or out in here.parents:  # a folder this process works in can't be swapped away
        if progress and main.data["students"] and not main.made_by(run):
            progress.note(f"{changed(main, run, options.rubric)}: every submission is graded again, in {out} "
                          "itself (the folder this command runs in can't be replaced whole).")
        return out
    if not main.data["students"] or main.made_by(run):
        if staged is not None:
            retire(staging, out)  # a regrade given up: the gradebook's own run goes on
        return out
    if staged is not None and staged.made_by(run):
        if progress:
            progress.note(
                f"Going on with the regrade with {options.rubric} in {staging}: {len(staged.data['students'])} "
                f"graded already; {out} keeps its earlier grades until every student is graded."
            )
        return staging
    if staged is not None:
        retire(staging, out)
    try:
        staging.mkdir()
        (staging / STAGED).write_text("a new rubric's run of the gradebook beside it, until it is complete\n")
    except OSError as error:
        if progress:
            progress.note(f"{staging} can't be made ({error.strerror or error}): the class is graded again in {out}.")
        return out
    if progress:
        progress.note(
            f"{changed(main, run, options.rubric)}: every submission is graded again, in {staging}; {out} keeps "
            "its earlier grades until every student is graded, then the new run replaces it whole."
        )
    return staging


def changed(main: State, run: dict, rubric: Rubric) -> str:
    """What makes this run another than the gradebook's: its rubric, its seed, or the checks and options."""
    before = main.data.get("rubric") or {}
    if before.get("sha256") != run["rubric"]:
        return (f"The rubric is not the one this gradebook was graded with ({before.get('name')} "
                f"{str(before.get('sha256'))[:12]}, now {rubric})")
    if main.seed != run["seed"]:
        return f"The seed is not the one this gradebook was graded with ({main.seed}, now {run['seed']})"
    return "The checks' code, the kit's version or the grading options changed since this gradebook was graded"


def grade_class(options: Options, progress=None) -> tuple[int, list[Outcome]]:
    """Grade every student folder; return the class seed and each student's outcome, by student id.

    A folder that holds nothing to grade (empty, or the kit's starter untouched) is not
    graded: its outcome says why. Every other grade is reused when its key is unchanged
    (see State), so a changed rubric, checks or options grade everyone again.
    """
    # the folder itself, never a link to it ("." included): a regrade is made and swapped in beside the folder
    options.out = options.out.resolve()
    left = recover(options.out)  # before --out is made: where a swap was cut short, --out may be missing
    options.out.mkdir(parents=True, exist_ok=True)
    main = State(options.out)
    staging = staging_path(options.out)
    staged_seed = State(staging).seed if (staging / STAGED).exists() else None
    if options.seed is not None:
        seed = options.seed
    elif staged_seed is not None or main.seed is not None:
        seed = staged_seed or main.seed  # a run without --seed keeps the earlier run's data, so it can resume
    else:
        from checks.data import new_seed

        seed = new_seed()
    out = where_to_grade(options, seed, main, progress)
    state = main if out == options.out else State(out)
    if state.seed != seed:
        state.data = {"seed": seed, "students": {}}
    state.data["seed"] = seed
    rubric = options.rubric
    state.data["rubric"] = {"name": rubric.name, "sha256": rubric.sha256}
    fingerprint = state.data["fingerprint"] = options.fingerprint()
    graded_with = stamp(options)

    students = options.students if options.students is not None else student_folders(options.folder)
    names = {student: student_id(student) for student in students}
    outcomes: dict[str, Outcome] = {}
    todo = []
    for student in students:
        name = names[student]
        try:
            missing = not_submitted(student, options.starter)
            if missing:
                outcomes[name] = Outcome(name, None, 0.0, missing=missing)
                continue
            key = hashlib.sha256(f"{content_hash(student)}:{fingerprint}".encode()).hexdigest()
            own_seed = student_seed(seed, name)
            if not options.force and state.fresh(name, key, own_seed, out):
                result = json.loads(result_path(out, name).read_text())
                view = json.loads(view_path(out, name).read_text())
                outcomes[name] = Outcome(name, result, state.seconds(name), reused=True, student_view=view)
            else:
                todo.append((student, key, own_seed))
        except Exception as error:  # noqa: BLE001 - whatever one folder holds, the rest of the class is graded
            outcomes[name] = failure(name, 0.0, error)
            keep_log(out, outcomes[name])
    if progress:
        kept = sum(outcome.reused for outcome in outcomes.values())
        progress.start(kept + len(todo), kept)

    jobs = options.jobs or os.cpu_count() or 1
    slots = threading.local()
    workers: list[Worker] = []

    def grade_one(student: Path, own_seed: int) -> Outcome:
        if not hasattr(slots, "worker"):
            slots.worker = Worker(options)
            workers.append(slots.worker)
        return slots.worker.grade(student, own_seed)

    pool = ThreadPoolExecutor(max_workers=jobs)
    try:
        futures = {
            pool.submit(grade_one, student, own_seed): (student, key, own_seed) for student, key, own_seed in todo
        }
        for future in as_completed(futures):
            student, key, own_seed = futures[future]
            name = names[student]
            try:
                outcome = future.result()
                if outcome.result is not None:
                    outcome.result["grading"] = outcome.student_view["grading"] = graded_with
                    outcome.result["level_files"] = level_files(student)
                    view = json.dumps(outcome.student_view, indent=2, ensure_ascii=False)
                    write_atomically(view_path(out, name), view)
                    text = json.dumps(outcome.result, indent=2, ensure_ascii=False)
                    write_atomically(result_path(out, name), text)
                    state.record(name, key, own_seed, outcome.seconds)
                    log_path(out, name).unlink(missing_ok=True)  # an earlier run's failure is over
            except Exception as error:  # noqa: BLE001 - one submission's trouble is that student's row alone
                outcome = failure(name, 0.0, error)
            keep_log(out, outcome)
            outcomes[name] = outcome
            if progress:
                progress.advance(outcome)
    except KeyboardInterrupt:
        # Ctrl-C or SIGTERM: the grades written so far stay (a second run resumes); the workers and
        # their sandboxes stop now, and what they were grading is recorded nowhere.
        pool.shutdown(wait=False, cancel_futures=True)
        for worker in list(workers):
            worker.stop()
        raise
    finally:
        pool.shutdown(wait=True)
    for worker in workers:
        worker.stop()
        left += worker.left
    if out != options.out:  # every student of the new run is graded: it replaces the gradebook whole
        try:
            state.record_all()
            left += swap_in(options.out)
        except OSError as error:
            left.append(f"the new run could not replace {shown(str(options.out))} ({error.strerror or error}): it is "
                        f"complete in {shown(str(out))}, and the next run puts it in place")
    if progress:
        progress.stop()
    for problem in left:  # never fatal: the next run's sweep tries again
        print(f"python -m checks: note: a copy could not be removed: {problem}", file=sys.stderr)
    return seed, [outcomes[names[student]] for student in students]
