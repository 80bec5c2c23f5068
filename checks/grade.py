"""The one entry point of the engine: `grade(submission, …) -> Grade`.

Every front end (the CLI, a class's workers, the Gradescope and Classroom 50
bundles) calls this, then hands the `Grade` to one renderer of checks/outputs/.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from pathlib import Path

from checks import rubric
from checks.data import new_seed
from checks.results import Grade
from checks.run.workspace import prepare
from checks.sandbox.isolation import Isolation, choose
from checks.sandbox.limits import Limits

CHECKS = Path(__file__).resolve().parent


def run_checks(grading, modules: list[Path]) -> tuple[int, str]:
    """Run the check modules under pytest with this run's plugin; return pytest's code and output."""
    # Only the plugins the checks use: whatever else is installed (hypothesis, xdist...) must neither
    # change a grade nor slow it down. Assertion rewriting is off too: checks fail with CheckFailed.
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    import pytest

    args = [*map(str, modules), "-c", str(CHECKS / "pytest.ini"), "--rootdir", str(CHECKS), "-q"]
    args += ["-p", "pytest_flask.plugin", "--assert=plain"]
    for unused in ("unraisableexception", "threadexception", "doctest", "junitxml", "pastebin", "stepwise"):
        args += ["-p", f"no:{unused}"]
    output = io.StringIO()
    with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
        code = pytest.main(args, plugins=[grading])
    return int(code), output.getvalue()


def grade(
    submission: str | Path,
    *,
    seed: int | None = None,
    step: str | list[str] | None = None,
    limits: Limits | None = None,
    rubric_file: str | Path | None = None,
    isolation: Isolation | None = None,
) -> Grade:
    """Grade one submission folder; raise SubmissionError if it can't be graded at all.

    `step` grades that step alone (or a list of steps, in rubric order); `seed` repeats a run's
    data; `rubric_file` replaces checks/rubric.toml. Notes about the copy (a virtualenv left out...) go to stderr.
    `isolation` is how the app runs (see checks.sandbox.isolation.choose): by default in the
    sandbox, and NoSandbox is raised where there is none.
    """
    from checks.run.pytest_plugin import Grading

    steps = rubric.load(rubric_file or rubric.RUBRIC, every_step=True)
    asked = [step] if isinstance(step, str) else list(step or [])
    for wanted in asked:
        if wanted not in steps:
            where = rubric_file or rubric.RUBRIC
            raise rubric.RubricError(f"{where}: there is no [steps.{wanted}] to grade step {wanted}")
    # The levels the rubric turns on; a step asked for is graded either way.
    selected = [step_id for step_id in steps if step_id in asked] or [
        step_id for step_id, chosen in steps.items() if chosen.on
    ]
    limits = limits or Limits()
    isolation = isolation or choose(limits=limits)
    seed = seed if seed is not None else new_seed()
    workspace = prepare(submission)
    for note in workspace.notes:
        print(f"python -m checks: note: {note}", file=sys.stderr)
    grading = None
    try:
        grading = Grading(workspace, seed, limits, steps, isolation=isolation)
        if any(steps[chosen].needs_app for chosen in selected):
            grading.sandbox()  # start importing the student's app now: it loads while pytest does
        code, output = run_checks(grading, [steps[chosen].module for chosen in selected])
        if grading.interrupted:
            raise KeyboardInterrupt  # the checks left were not run: a grade now would be wrong
        if code not in (0, 1) and not grading.results:
            raise RuntimeError(f"pytest could not run the checks (exit {code}):\n{output}")
        return grading.grade(selected)
    finally:
        if grading is not None:
            grading.close()
        workspace.cleanup()
