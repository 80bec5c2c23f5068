"""Where a graded result goes: standard output or a file, more files, GitHub, and the exit status.

`add_arguments` adds the options, `deliver` acts on them once the grade is computed:
`--student` masks hidden checks, `--output FILE` writes the chosen format instead of
printing it, `--report FORMAT=FILE` writes more formats from the same run, `--github`
reports to GitHub Actions (see checks/outputs/github.py), and `--fail-under N` makes the exit
status 1 below N points. In GitHub Actions, whatever is printed has passed through
checks/outputs/workflow.py (the CLI guards its streams), so the only workflow commands in
the output are the grader's own.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from checks import rubric
from checks.outputs import github, workflow
from checks.outputs.formats import RENDERERS, Format
from checks.outputs.wording import below
from checks.results import Grade, number

STREAM_FORMATS = {Format.TEXT, Format.MARKDOWN}


def rubric_file(text: str) -> str:
    """--rubric FILE: a rubric that loads, checked before any grading starts."""
    try:
        rubric.load(text)
    except rubric.RubricError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text


def report_file(text: str) -> tuple[str, Path]:
    """--report FORMAT=FILE."""
    name, equals, path = text.partition("=")
    if not equals or not path:
        raise argparse.ArgumentTypeError(f"{text!r}: give FORMAT=FILE, such as junit=grades/junit.xml")
    if name not in RENDERERS:
        raise argparse.ArgumentTypeError(f"{name!r} is not a format: one of {', '.join(sorted(RENDERERS))}")
    return name, Path(path)


def points_at_least_zero(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of points") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 points or more")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options for the rubric, the outputs and CI."""
    group = parser.add_argument_group("rubric, outputs and CI")
    group.add_argument(
        "--rubric", type=rubric_file, metavar="FILE", help="grade with this rubric (default: checks/rubric.toml)"
    )
    group.add_argument("--output", metavar="FILE", help="write the --format output to FILE instead of printing it")
    group.add_argument(
        "--report",
        type=report_file,
        action="append",
        default=[],
        metavar="FORMAT=FILE",
        help="also write this run's result in FORMAT to FILE (repeatable), e.g. junit=grades/junit.xml",
    )
    group.add_argument(
        "--student", action="store_true", help="show hidden checks only as a count, as students see them"
    )
    group.add_argument(
        "--github",
        action="store_true",
        help="report to GitHub Actions: step outputs (score, max_score), job summary, an annotation per failing check",
    )
    group.add_argument(
        "--fail-under",
        type=points_at_least_zero,
        metavar="N",
        help="exit with status 1 when the score is under N points (or the checks were modified)",
    )


def write(path: Path, text: str) -> None:
    """Write a file whole or not at all: a temporary file beside it, then renamed over it.

    Only ever called once grading is over, when every process of the submission is dead.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def deliver(args: argparse.Namespace, grade: Grade) -> int:
    """Render and write the grade as the options say; return the exit status."""
    if grade.void:
        print(f"python -m checks: warning: {grade.void}", file=sys.stderr)
    if args.student:
        grade = grade.for_students()
    fail_under = args.fail_under
    to_stdout = not args.output
    color = args.format == Format.TEXT and to_stdout and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    try:
        # The grade's own step outputs first, before anything else can fail.
        notes = github.report(grade, fail_under) if args.github else ""
        main = RENDERERS[args.format](grade, color=color, fail_under=fail_under)
        if args.output:
            write(Path(args.output), main)
        for name, path in args.report:
            write(path, RENDERERS[name](grade, fail_under=fail_under))
    except OSError as error:
        print(f"python -m checks: cannot write {error.filename or 'the output'}: {error.strerror}", file=sys.stderr)
        return 2
    if to_stdout:
        sys.stdout.write(main)
    # Workflow commands go to stdout unless it carries a machine-readable document.
    stream = sys.stdout if not to_stdout or args.format in STREAM_FORMATS else sys.stderr
    workflow.own(notes, stream)  # the grader's own commands: the only ones in its output
    sys.stdout.flush()
    if below(grade, fail_under):
        score = number(grade.score)
        print(f"python -m checks: {score:g} points, under the pass mark of {number(fail_under):g}", file=sys.stderr)
        return 1
    return 0
