"""`python -m checks DIR`: grade one submission (or a class folder) and hand the result to its renderer.

Parsing is checks/arguments.py; grading is checks.grade.grade (a class: checks/run/class_run.py);
what is printed or written is checks/outputs/.
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from pathlib import Path

from checks import integrity
from checks.arguments import options_of, parser, student_error
from checks.grade import grade
from checks.options import Options
from checks.outputs import deliver, github, workflow
from checks.rubric import LEVELS, RubricError
from checks.run.folders import class_folder
from checks.run.scratch import sweep_leftovers as sweep_folders
from checks.run.workspace import SubmissionError
from checks.sandbox.cgroup import sweep as sweep_cgroups
from checks.sandbox.isolation import NoSandbox
from checks.stopping import say_interrupted, stop_on_signals
from checks.version import graded_with


def grade_whole_class(args: argparse.Namespace, options: Options) -> int:
    """Grade every student folder of a class folder; write grades, feedback, the report and the LMS's gradebook.

    DIR may be the class folder, a folder holding only the class folder (an unpacked download),
    or, with --out, one submission (a class of one). The exit status is 1 when nothing could be
    graded (no student folder, or none with work to grade), with the reason.
    """
    # A class's modules (the report, the roster, rich's progress): loaded only where a class is graded.
    from checks.lms.roster import read_roster
    from checks.outputs.class_report import write_reports
    from checks.outputs.progress import Progress
    from checks.run.class_run import ClassRun, grade_class

    given = Path(args.submission)
    folder = class_folder(given, args.whole_class)
    students = None
    if folder is None:
        folder, students = given.parent, [given]  # a single submission with --out: a class of one
    elif folder != given:
        print(f"python -m checks: note: {given} holds only {folder.name}/: grading the class in it", file=sys.stderr)
    out = Path(args.out or "grades")
    run = ClassRun(folder, out, options, jobs=max(args.jobs, 0), force=args.force, students=students)
    seed, outcomes = grade_class(run, Progress())
    written = write_reports(out, outcomes, seed, roster=read_roster(folder), level2=run.rubric.level2)
    graded = [outcome for outcome in outcomes if outcome.result is not None]
    if args.format == "json":
        results = [outcome.result or {"submission": outcome.student, "status": outcome.status} for outcome in outcomes]
        sys.stdout.write(json.dumps({"class": str(folder), "seed": seed, "students": results}, indent=2) + "\n")
    else:
        regraded = sum(1 for outcome in graded if not outcome.reused)
        parts = [f"{regraded} graded" if regraded == len(graded) else f"{regraded} regraded"]
        if len(graded) > regraded:
            parts.append(f"{len(graded) - regraded} unchanged")
        missing = [outcome for outcome in outcomes if outcome.missing]
        errors = [outcome for outcome in outcomes if outcome.result is None and not outcome.missing]
        if missing:
            parts.append(f"{len(missing)} not submitted")
        if errors:
            parts.append(f"{len(errors)} could not be graded")
        print(f"{len(outcomes)} submissions in {folder} (seed {seed}): {', '.join(parts)}.")
        for outcome in missing:
            print(f"  not submitted: {outcome.student} ({outcome.missing})")
        for outcome in errors:
            print(f"  could not grade {outcome.student}: {outcome.error}")
        print("Written: " + "   ".join(str(path) for path in written) + f"   feedback: {out / 'feedback'}/")
    if not outcomes:
        print(f"python -m checks: nothing to grade: {folder} holds no student folder", file=sys.stderr)
        return 1
    if not graded:
        print(f"python -m checks: nothing could be graded in {folder}: see the reasons above", file=sys.stderr)
        return 1
    return 0


def show_hint(args: argparse.Namespace) -> int:
    """--hint N: print step N's next hint from its page of the student guide; no grading."""
    from checks.hints import HintError, next_hint  # only for --hint: it reads the student guide's pages

    try:
        command = f"make hint STEP={args.hint}" if args.student else None  # the handout speaks make
        rubric_file = getattr(args, "rubric", None)
        sys.stdout.write(next_hint(args.hint, args.hint_level, rubric_file=rubric_file, command=command))
    except HintError as error:
        print(f"python -m checks: {error}", file=sys.stderr)
        return 2
    return 0


def sweep_leftovers() -> None:
    """Remove the copies and pids cgroups of graders that were killed (kill -9, a crash) ten minutes ago or more."""
    sweep_folders()
    sweep_cgroups()


def main(argv: list[str] | None = None) -> int:
    """`python -m checks`: an interrupted run (Ctrl-C, SIGTERM) writes no grade and exits with 130."""
    stop_on_signals()
    try:
        return run(argv)
    except KeyboardInterrupt:
        return say_interrupted()


def run(argv: list[str] | None = None) -> int:
    """Parse the command line, grade the submission (or the class) it names, and hand the grade to its renderer."""
    argv = sys.argv[1:] if argv is None else argv
    if "--github" in argv or workflow.in_ci():
        workflow.guard()  # in a CI log, nothing the submission wrote may become a workflow command
    words = parser()
    if "--student" in argv:
        words.error = student_error
    args = words.parse_args(argv)
    if args.hint:
        if args.level:
            words.error(
                "--level is the exercise's level (1, 2 or 3), for grading; the hint's number is --hint-level K "
                "(make hint STEP=n HINT=k)"
            )
        return show_hint(args)
    if args.hint_level:
        words.error("--hint-level goes with --hint N")
    if args.level and args.step:
        words.error("--step and --level: give one of them (--step 8-11 is level 2's steps)")
    if args.level:
        args.step = list(LEVELS[args.level])
    if args.submission is None:
        words.error("the following arguments are required: DIR (or --hint N)")
    folder = Path(args.submission)
    whole_class = folder.is_dir() and class_folder(folder, args.whole_class) is not None
    whole_class = whole_class or bool(args.out and folder.is_dir())  # --out: one submission as a class of one
    options = options_of(args, whole_class)
    if not whole_class:
        import checks.run.pytest_plugin  # noqa: F401 - pytest loads while bubblewrap's probe runs: isolation() waits
    try:
        isolation = options.isolation()  # said now, once: not after a whole class was copied
    except NoSandbox as error:
        print(f"python -m checks: {error}", file=sys.stderr)
        return 2
    if isolation.note:
        print(f"python -m checks: note: {isolation.note}", file=sys.stderr)
    sweep_leftovers()  # what graders killed before they could clean up (SIGKILL) left behind
    if whole_class:
        return grade_whole_class(args, options)
    if args.github:
        github.start()  # outputs that say "not graded" until the grade is written
    modified = integrity.modified_checks()  # before grading: are these the instructor's checks?
    try:
        result = grade(args.submission, options)
    except (SubmissionError, RubricError) as error:
        print(f"python -m checks: {error}", file=sys.stderr)
        return 2
    except Exception as error:  # noqa: BLE001 - a bug of the grader's: one line, the whole of it with -v
        if args.verbose:
            traceback.print_exc()
        print(f"python -m checks: the grader failed on this submission: {type(error).__name__}: {error} "
              "(no grade was written; -v shows where; please report it with the submission)", file=sys.stderr)
        return 1
    if not args.verbose:
        result.brief = "V=1" if args.student else "-v"
    result.modified = modified
    result.graded_with = graded_with(options.rubric)  # rubric, kit version and time, for the CSV
    return deliver.deliver(args, result)
