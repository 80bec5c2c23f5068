"""A class worker's answer counts only with its job's token; a worker's stderr is kept in its error."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from checks.run import classroom

FORGER = """\
import json, sys
for line in sys.stdin:
    # A perfect grade, but without the job's token: what an app writing into the worker's pipe could send.
    print(json.dumps({"result": {"score": 100}, "student": {"score": 100}}), flush=True)
"""
HONEST = """\
import json, sys
for line in sys.stdin:
    job = json.loads(line)
    print(json.dumps({"result": {"score": 40}, "student": {"score": 40}, "token": job["token"]}), flush=True)
"""
SILENT = """\
import sys
sys.stderr.write("Traceback: something in the grader broke\\n")
sys.stderr.flush()
sys.stdin.readline()
"""


class FakeWorker(classroom.Worker):
    """A worker that runs the given script instead of `python -m checks.run.worker`."""

    script = ""

    def start(self) -> subprocess.Popen:
        if self.process is None or self.process.poll() is not None:
            self.errors = classroom.Tail()
            self.process = subprocess.Popen(
                [sys.executable, "-c", self.script],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            classroom.threading.Thread(target=self.errors.read, args=(self.process.stderr,), daemon=True).start()
        return self.process


def worker(tmp_path: Path, script: str, timeout: float = 30) -> FakeWorker:
    fake = FakeWorker(classroom.Options(tmp_path, tmp_path / "out", submission_timeout=timeout))
    fake.script = script
    return fake


def test_an_answer_without_the_jobs_token_is_an_error_for_that_student(tmp_path):
    """A forged answer is not counted: the student gets an error, not 100."""
    fake = worker(tmp_path, FORGER)
    outcome = fake.grade(tmp_path, 1)
    fake.stop()
    assert outcome.result is None
    assert "not its own" in outcome.error


def test_an_answer_with_the_jobs_token_counts(tmp_path):
    """The worker's own answer, with the token it was given, is the student's result."""
    fake = worker(tmp_path, HONEST)
    outcome = fake.grade(tmp_path, 1)
    fake.stop()
    assert outcome.error is None and outcome.result["score"] == 40


def test_a_stuck_worker_says_what_it_printed(tmp_path):
    """A worker that never answers is stopped, and its error quotes the end of its stderr."""
    fake = worker(tmp_path, SILENT, timeout=-58)  # the time limit is submission_timeout + 60 s: 2 s here
    outcome = fake.grade(tmp_path, 1)
    assert fake.process is None
    assert "did not finish" in outcome.error and "something in the grader broke" in outcome.error
