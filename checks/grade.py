"""The one entry point of the engine: `grade(submission, options) -> Grade`.

Every front end (the CLI, a class's workers, the Gradescope and Classroom 50
bundles) calls this, then hands the `Grade` to one renderer of checks/outputs/.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from pathlib import Path

from checks import rubric, stopping
from checks.data import new_seed
from checks.options import Options
from checks.results import Grade
from checks.run.workspace import prepare
from checks.sandbox.isolation import probe_soon

CHECKS = Path(__file__).resolve().parent
# pytest's own plugins the checks do without (they use `request` and `pytestconfig`, and pytest-flask's
# `monkeypatch`): each one costs every grade its loading and its hooks around every check.
UNUSED_PLUGINS = (
    "unraisableexception", "threadexception", "doctest", "junitxml", "pastebin", "stepwise", "logging",
    "warnings", "tmpdir", "legacypath", "recwarn", "setuponly", "setupplan", "unittest", "faulthandler",
    "python_path",
)


def run_checks(grading, modules: list[Path]) -> tuple[int, str]:
    """Run the check modules under pytest with this run's plugin; return pytest's code and output."""
    # Only the plugins the checks use: whatever else is installed (hypothesis, xdist...) must neither
    # change a grade nor slow it down. Assertion rewriting is off too: checks fail with CheckFailed.
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    import pytest  # here, once the variable above is set: pytest reads it as it loads
    from pytest_flask import plugin as pytest_flask  # handed over as a module: `-p name` reads every package's
    # entry points to look for the name (a tenth of a level-1 grade's own time went there)

    args = [*map(str, modules), "-c", str(CHECKS / "pytest.ini"), "--rootdir", str(CHECKS), "-q", "--assert=plain"]
    for unused in UNUSED_PLUGINS:
        args += ["-p", f"no:{unused}"]
    output = io.StringIO()
    with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
        code = pytest.main(args, plugins=[grading, pytest_flask])
    return int(code), output.getvalue()


def grade(submission: str | Path, options: Options | None = None) -> Grade:
    """Grade one submission folder as `options` ask; raise SubmissionError if it can't be graded at all.

    Every front end calls this: the CLI, a class's workers, `make watch`, Classroom 50's and
    Gradescope's bundles. Notes about the copy (a virtualenv left out...) go to stderr. Where
    others' work would be graded without a sandbox, NoSandbox is raised (see Options.isolation).
    """
    options = options or Options()
    if options.sandbox:
        probe_soon(options.limits)  # the sandbox's probe runs while pytest and the checks' modules load
    from checks.run.pytest_plugin import Grading  # imports pytest: only once a grade is asked for

    steps = rubric.load(options.rubric_file(), every_step=True)
    for wanted in options.steps:
        if wanted not in steps:
            raise rubric.RubricError(f"{options.rubric_file()}: there is no [steps.{wanted}] to grade step {wanted}")
    # The levels the rubric turns on; a step asked for is graded either way.
    selected = [step_id for step_id in steps if step_id in options.steps] or [
        step_id for step_id, chosen in steps.items() if chosen.on
    ]
    isolation = options.isolation()
    seed = options.seed if options.seed is not None else new_seed()
    workspace = prepare(submission)
    for note in workspace.notes:
        print(f"python -m checks: note: {note}", file=sys.stderr)
    grading = None
    try:
        grading = Grading(workspace, seed, options.limits, steps, isolation=isolation)
        if any(steps[chosen].needs_app for chosen in selected):
            grading.sandbox()  # start importing the student's app now: it loads while pytest does
        if any(steps[chosen].fresh for chosen in selected):
            grading.nursery()  # levels 2 and 3 fork their fresh apps from it: it loads Flask while pytest does
        code, output = run_checks(grading, [steps[chosen].module for chosen in selected])
        if grading.interrupted or stopping.requested():
            raise KeyboardInterrupt  # the checks left were not run: a grade now would be wrong
        if code not in (0, 1) and not grading.results:
            raise RuntimeError(f"pytest could not run the checks (exit {code}):\n{output}")
        return grading.grade(selected)
    finally:
        if grading is not None:
            grading.close()
        workspace.cleanup()
