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
SKIPPED = {".git", ".venv", "venv", "__pycache__", "node_modules", "__MACOSX"}


def shallowest(paths: list[Path]) -> Path | None:
    return min(paths, key=lambda path: (len(path.parts), str(path)), default=None)


def work_folder(submission: Path) -> Path:
    """The folder holding the student's app.py: the upload itself, its starter/, or the shallowest one.

    Students may upload app.py and templates/ themselves, or their whole repository
    (with starter/app.py), from GitHub or as a zip.
    """
    for candidate in (submission, submission / "starter"):
        if (candidate / "app.py").is_file():
            return candidate

    def found(pattern: str, up: int) -> list[Path]:
        paths = []
        for path in submission.rglob(pattern):
            if not set(path.relative_to(submission).parts) & SKIPPED and path.is_file():
                paths.append(path.parents[up])
        return paths

    return shallowest(found("app.py", 0)) or shallowest(found("templates/user.html", 1)) or submission


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
        fallback(results, f"the grader stopped with exit status {done.returncode} (see the autograder's output)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
