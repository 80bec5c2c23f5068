"""A class's grading processes: one `python -m checks.run.worker` per job slot, and what it answers.

The worker process (worker.py) grades one submission per job it reads; this side sends each job
(the submission's folder and its Options), waits with a deadline, and reads the grade back.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import threading
import time
from pathlib import Path

from checks.options import Options
from checks.results import Grade
from checks.rubric import LEVEL_3
from checks.run.class_files import Outcome, Rubric, student_id
from checks.run.folders import work_folder
from checks.run.scratch import SCRATCH, new_scratch
from checks.run.tree import remove_tree, shown
from checks.sandbox.cgroup import sweep

KIT = Path(__file__).resolve().parents[2]
STEP16_SECONDS = 300  # step 16's own budget (see checks/test_step16_tests.py), past the submission's time


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
        self.options = options  # every student's, but for the seed: each job carries its own
        self.process: subprocess.Popen | None = None
        self.errors = Tail()
        self.scratch: str | None = None
        self.left: list[str] = []  # what could not be removed of its copies (said at the end of the run)
        self._deadline: float | None = None  # see deadline()

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
        """Stop the worker (SIGTERM: it stops its sandboxes; SIGKILL after 5 s) and remove its copies and cgroups."""
        process, self.process = self.process, None  # stopped once, even when Ctrl-C and a time limit meet
        if process is not None:
            process.terminate()
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            sweep(older_than=0, pid=process.pid)  # what a killed worker could not remove: its budgets
            self.errors.finished.wait(2)  # what it wrote on stderr up to its end, before the pipe is closed
            for stream in (process.stdin, process.stdout, process.stderr):
                try:
                    stream.close()
                except OSError:
                    pass
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
        options = self.options.replace(seed=seed).to_dict()
        job = {"submission": str(work_folder(student)), "options": options, "token": token}
        answer: list[str] = []
        process = self.start()

        def ask() -> None:
            process.stdin.write(json.dumps(job) + "\n")
            process.stdin.flush()
            answer.append(process.stdout.readline())

        asking = threading.Thread(target=ask, daemon=True)
        asking.start()
        asking.join(self.deadline())
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
        try:
            graded = Grade.from_dict(answered["grade"])  # the one form a grade crosses a process boundary in
        except (KeyError, TypeError, ValueError) as error:
            self.stop()
            return Outcome(name, None, seconds, f"the grader's answer for this submission was not a grade ({error})")
        graded.submission = name
        # The instructor's full result, and what the student may see (hidden checks masked).
        return Outcome(name, graded.to_dict(), seconds, student_view=graded.for_students().to_dict())

    def deadline(self) -> float:
        """How long one job may take: the submission's time, a minute for the grader, and step 16's budget."""
        if self._deadline is None:  # the rubric is read once, not once a job
            level3 = Rubric(self.options.rubric_file()).level3 or LEVEL_3[-1] in self.options.steps
            self._deadline = self.options.limits.submission_timeout + 60 + (STEP16_SECONDS if level3 else 0)
        return self._deadline
