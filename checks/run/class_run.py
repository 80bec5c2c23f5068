"""Grading a whole class: one folder per student, graded in parallel, resumable.

Each submission is graded in a worker process of its own job slot (workers.py), so nothing one
student's code does can reach another's grade. A student's seed is derived from the class seed
and the student's id, so the grades do not depend on the order or the number of jobs. Every
finished grade is written at once (atomically), with the hash of what was graded: a second run
regrades only what changed, and a crash loses nothing finished (class_files.py). A run with
another rubric, seed or checks is graded beside the gradebook and swapped in whole (regrade.py).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from checks import stopping
from checks.data import new_seed
from checks.options import Options
from checks.run.class_files import (
    Outcome,
    Rubric,
    State,
    checks_version,
    failure,
    keep_log,
    log_path,
    result_path,
    student_id,
    view_path,
    write_atomically,
)
from checks.run.folders import digest, not_submitted, student_folders, work_folder
from checks.run.regrade import STAGED, recover, retire, staging_path, swap_in
from checks.run.tree import shown
from checks.run.workers import Worker
from checks.sandbox.limits import share_of
from checks.version import graded_with

KIT = Path(__file__).resolve().parents[2]
STARTER = KIT / "starter"


def content_hash(folder: Path) -> str:
    """A hash of every file a grade depends on (virtualenvs and caches left out)."""
    return digest(folder)


def student_seed(class_seed: int, student: str) -> int:
    """The seed of one student's run: fixed by the class seed and the student's id."""
    digest = hashlib.sha256(f"{class_seed}:{student}".encode()).digest()
    return 100000 + int.from_bytes(digest[:4], "big") % 900000


@dataclass
class ClassRun:
    """How to grade a class: where from, where to, and the Options every student is graded with.

    The options' seed is the class's (None: the earlier run's, else a new one); each student is
    graded with a seed drawn from it (student_seed).
    """

    folder: Path
    out: Path
    options: Options = field(default_factory=Options)
    jobs: int = 0
    force: bool = False
    students: list[Path] | None = None  # these folders rather than the class folder's (a class of one)
    starter: Path | None = STARTER  # the kit's starter: a copy of it, untouched, is not a submission

    @property
    def rubric(self) -> Rubric:
        """The rubric the options name (--rubric FILE), or checks/rubric.toml."""
        return Rubric(self.options.rubric_file())

    def fingerprint(self) -> str:
        """What a grade depends on besides the submission: the rubric's content, the checks, the options."""
        options = self.options.replace(seed=None, rubric=None).to_dict()  # the seed and the rubric are keyed apart
        parts = [self.rubric.sha256, checks_version(), json.dumps(options, sort_keys=True)]
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()


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


def stamp(class_run: ClassRun) -> dict:
    """What graded a class, for every JSON file and report: the rubric (name, hash), the kit, when."""
    return graded_with(class_run.rubric.path)


def identity(class_run: ClassRun, seed: int) -> dict:
    """What makes one run of a class: its seed, the rubric's hash, and the fingerprint of checks and class_run."""
    return {"seed": seed, "rubric": class_run.rubric.sha256, "fingerprint": class_run.fingerprint()}


def where_to_grade(class_run: ClassRun, seed: int, main: State, progress=None) -> Path:
    """--out itself, or staging_path(--out) when --out holds grades of another run (rubric, seed, checks, options).

    A regrade left unfinished with this same run is resumed there; one with another run is removed.
    """
    out, staging = class_run.out, staging_path(class_run.out)
    run = identity(class_run, seed)
    staged = State(staging) if (staging / STAGED).exists() else None
    here = Path.cwd().resolve()
    if here == out or out in here.parents:  # a folder this process works in can't be swapped away
        if progress and main.data["students"] and not main.made_by(run):
            progress.note(f"{changed(main, run, class_run.rubric)}: every submission is graded again, in {out} "
                          "itself (the folder this command runs in can't be replaced whole).")
        return out
    if not main.data["students"] or main.made_by(run):
        if staged is not None:
            retire(staging, out)  # a regrade given up: the gradebook's own run goes on
        return out
    if staged is not None and staged.made_by(run):
        if progress:
            progress.note(
                f"Going on with the regrade with {class_run.rubric} in {staging}: {len(staged.data['students'])} "
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
            f"{changed(main, run, class_run.rubric)}: every submission is graded again, in {staging}; {out} keeps "
            "its earlier grades until every student is graded, then the new run replaces it whole."
        )
    return staging


def changed(main: State, run: dict, rubric: Rubric) -> str:
    """What makes this run another than the gradebook's: its rubric, its seed, or the checks and class_run."""
    before = main.data.get("rubric") or {}
    if before.get("sha256") != run["rubric"]:
        return (f"The rubric is not the one this gradebook was graded with ({before.get('name')} "
                f"{str(before.get('sha256'))[:12]}, now {rubric})")
    if main.seed != run["seed"]:
        return f"The seed is not the one this gradebook was graded with ({main.seed}, now {run['seed']})"
    return "The checks' code, the kit's version or the grading options changed since this gradebook was graded"


def grade_class(class_run: ClassRun, progress=None) -> tuple[int, list[Outcome]]:
    """Grade every student folder; return the class seed and each student's outcome, by student id.

    A folder that holds nothing to grade (empty, or the kit's starter untouched) is not
    graded: its outcome says why. Every other grade is reused when its key is unchanged
    (see State), so a changed rubric, checks or options grade everyone again.
    """
    # the folder itself, never a link to it ("." included): a regrade is made and swapped in beside the folder
    class_run.out = class_run.out.resolve()
    left = recover(class_run.out)  # before --out is made: where a swap was cut short, --out may be missing
    class_run.out.mkdir(parents=True, exist_ok=True)
    main = State(class_run.out)
    staging = staging_path(class_run.out)
    staged_seed = State(staging).seed if (staging / STAGED).exists() else None
    if class_run.options.seed is not None:
        seed = class_run.options.seed
    elif staged_seed is not None or main.seed is not None:
        seed = staged_seed or main.seed  # a run without --seed keeps the earlier run's data, so it can resume
    else:
        seed = new_seed()
    out = where_to_grade(class_run, seed, main, progress)
    state = main if out == class_run.out else State(out)
    if state.seed != seed:
        state.data = {"seed": seed, "students": {}}
    state.data["seed"] = seed
    rubric = class_run.rubric
    state.data["rubric"] = {"name": rubric.name, "sha256": rubric.sha256}
    fingerprint = state.data["fingerprint"] = class_run.fingerprint()
    graded_with = stamp(class_run)

    students = class_run.students if class_run.students is not None else student_folders(class_run.folder)
    names = {student: student_id(student) for student in students}
    outcomes: dict[str, Outcome] = {}
    todo = []
    for student in students:
        name = names[student]
        try:
            missing = not_submitted(student, class_run.starter)
            if missing:
                outcomes[name] = Outcome(name, None, 0.0, missing=missing)
                continue
            key = hashlib.sha256(f"{content_hash(student)}:{fingerprint}".encode()).hexdigest()
            own_seed = student_seed(seed, name)
            if not class_run.force and state.fresh(name, key, own_seed, out):
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

    jobs = class_run.jobs or os.cpu_count() or 1
    slots = threading.local()
    workers: list[Worker] = []
    # Each submission's apps get an equal share of the cores (a grade's time, never its verdict: not in the key).
    shared = class_run.options.replace(limits=dataclasses.replace(class_run.options.limits, cores=share_of(jobs)))

    def grade_one(student: Path, own_seed: int) -> Outcome:
        if not hasattr(slots, "worker"):
            slots.worker = Worker(shared)
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
            stopping.raise_if_requested()  # Ctrl-C or SIGTERM that Python lost: this grade is kept, the rest wait
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
    if out != class_run.out:  # every student of the new run is graded: it replaces the gradebook whole
        try:
            state.record_all()
            left += swap_in(class_run.out)
        except OSError as error:
            left.append(f"the new run could not replace {shown(str(class_run.out))} ({error.strerror or error}): it is "
                        f"complete in {shown(str(out))}, and the next run puts it in place")
    if progress:
        progress.stop()
    for problem in left:  # never fatal: the next run's sweep tries again
        print(f"python -m checks: note: a copy could not be removed: {problem}", file=sys.stderr)
    return seed, [outcomes[names[student]] for student in students]
