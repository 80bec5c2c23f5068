"""Gradescope's side of the grader: find the student's app, grade it, write results.json.

`run_autograder` runs this with the Python setup.sh installed, from /autograder/source
(where Gradescope unpacks the zip). AUTOGRADER_ROOT stands in for /autograder. Whatever
happens, results.json is written: a submission that can't be graded gets 0 points and
an output saying why.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SOURCE = Path(__file__).resolve().parent
sys.path.insert(0, str(SOURCE))

# The one rule for where a student's app is, shared with class grading: the upload itself, its
# starter/ (a whole repository), or the shallowest folder holding app.py (a zip of a folder).
from checks.run.folders import work_folder  # noqa: E402 - found through SOURCE, just above

PREFIX = "python -m checks: "  # how the grader's own messages start


def fallback(results: Path, why: str) -> None:
    """A results.json for a submission the grader could not grade."""
    data = {
        "score": 0,
        "execution_time": 0,
        "output": f"The autograder could not grade this submission: {why}",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [],
    }
    results.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def main() -> int:
    root = Path(os.environ.get("AUTOGRADER_ROOT", "/autograder"))
    submission = root / "submission"
    results = root / "results" / "results.json"
    results.parent.mkdir(parents=True, exist_ok=True)
    results.unlink(missing_ok=True)
    work = work_folder(submission)
    if not (work / "app.py").is_file() and not (work / "templates" / "user.html").is_file():
        fallback(results, "it holds no app.py (upload app.py and templates/user.html, or your repository)")
        return 0
    print(f"Grading {work}", flush=True)
    command = [sys.executable, "-m", "checks", str(work), "--format", "gradescope", "--output", str(results)]
    done = subprocess.run(command, cwd=SOURCE, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    sys.stdout.write(done.stdout + done.stderr)
    try:
        json.loads(results.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        fallback(results, f"{reason(done)} (see the autograder's output)")
    return 0


def reason(done: subprocess.CompletedProcess) -> str:
    """Why the grader wrote no results: its own one-line message (no sandbox here...), else its exit status.

    Nothing the student's app prints reaches the grader's standard error, so the line is the grader's.
    """
    said = [line for line in done.stderr.splitlines() if line.startswith(PREFIX)]
    if said:
        return said[-1][len(PREFIX):].strip()[:500]
    return f"the grader stopped with exit status {done.returncode}"


if __name__ == "__main__":
    sys.exit(main())
