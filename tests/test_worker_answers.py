"""A class worker's answer counts only with its job's token; a worker's stderr is kept in its error."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from checks.options import Options
from checks.run import workers
from checks.run.class_run import ClassRun
from checks.sandbox.limits import Limits

# A grade of `points` out of 100, as a worker writes it (Grade.to_dict()).
GRADE = """
def grade(points):
    check = {"name": "It answers", "passed": points == 100, "score": points, "max_score": 100, "message": "",
             "hidden": False, "blocked_by": None, "failure": None}
    step = {"id": "1", "title": "Step 1", "score": points, "max_score": 100, "passed": points == 100,
            "counted": True, "checks": [check]}
    return {"submission": "x", "score": points, "max_score": 100, "seed": 1, "isolation": "", "void": None,
            "student_view": False, "steps": [step], "causes": {}}
"""
FORGER = GRADE + """
import json, sys
for line in sys.stdin:
    # A perfect grade, but without the job's token: what an app writing into the worker's pipe could send.
    print(json.dumps({"grade": grade(100)}), flush=True)
"""
HONEST = GRADE + """
import json, sys
for line in sys.stdin:
    job = json.loads(line)
    print(json.dumps({"grade": grade(40), "token": job["token"]}), flush=True)
"""
REPLAYER = GRADE + """
import json, sys
first = None
for line in sys.stdin:
    # The first job's answer is honest; each later one replays the first job's token with a perfect grade:
    # what an app could send that had seen one token go by (or read a constant one in the kit's source).
    job = json.loads(line)
    first = first or job["token"]
    points = 40 if job["token"] == first else 100
    print(json.dumps({"grade": grade(points), "token": first}), flush=True)
"""
SILENT = """\
import sys
sys.stderr.write("Traceback: something in the grader broke\\n")
sys.stderr.flush()
sys.stdin.readline()
"""


class FakeWorker(workers.Worker):
    """A worker that runs the given script instead of `python -m checks.run.worker`."""

    script = ""

    def start(self) -> subprocess.Popen:
        if self.process is None or self.process.poll() is not None:
            self.errors = workers.Tail()
            self.process = subprocess.Popen(
                [sys.executable, "-c", self.script],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            workers.threading.Thread(target=self.errors.read, args=(self.process.stderr,), daemon=True).start()
        return self.process


def worker(tmp_path: Path, script: str, timeout: float = 30) -> FakeWorker:
    fake = FakeWorker(ClassRun(tmp_path, tmp_path / "out", Options(limits=Limits(submission_timeout=timeout))).options)
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


def test_a_token_is_good_for_one_job_only(tmp_path):
    """Each job has a token of its own: an answer replaying an earlier job's token is an error, not 100."""
    fake = worker(tmp_path, REPLAYER)
    first, second = fake.grade(tmp_path, 1), fake.grade(tmp_path, 2)
    fake.stop()
    assert first.error is None and first.result["score"] == 40
    assert second.result is None and "not its own" in second.error


def test_an_answer_that_is_not_a_grade_is_an_error_for_that_student(tmp_path):
    """A worker's answer with its token but no grade in the one form a grade travels in is an error."""
    fake = worker(tmp_path, HONEST.replace('{"grade": grade(40)', '{"grade": {"score": 100}'))
    outcome = fake.grade(tmp_path, 1)
    fake.stop()
    assert outcome.result is None and "not a grade" in outcome.error


def test_a_stuck_worker_says_what_it_printed(tmp_path):
    """A worker that never answers is stopped, and its error quotes the end of its stderr."""
    fake = worker(tmp_path, SILENT, timeout=-58)  # the time limit is submission_timeout + 60 s: 2 s here
    outcome = fake.grade(tmp_path, 1)
    assert fake.process is None
    assert "did not finish" in outcome.error and "something in the grader broke" in outcome.error
