"""`python -m checks DIR`: grade one submission and print the result."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from pathlib import Path

from checks import integrity
from checks.outputs import deliver, github, workflow
from checks.outputs.formats import RENDERERS
from checks.rubric import ALL_STEP_IDS, LEVELS, RubricError, parse_steps
from checks.run.workspace import SubmissionError
from checks.sandbox.isolation import Isolation, NoSandbox, choose
from checks.sandbox.limits import Limits
from checks.version import graded_with

CHECKS = Path(__file__).resolve().parent


def positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be more than 0 seconds")
    return value


# The time limits: option, field of Limits, and what it bounds.
TIME_LIMITS = [
    ("--timeout", "request_timeout", "seconds the app may take to answer one request"),
    ("--check-timeout", "check_timeout", "seconds one check may take, all its requests together"),
    ("--import-timeout", "import_timeout", "seconds app.py may take to import"),
    ("--submission-timeout", "submission_timeout", "seconds for the whole submission; checks left then fail"),
]


def limits_of(args: argparse.Namespace) -> Limits:
    """The time limits the command line asks for (a request never more than the contract's 10 s)."""
    chosen = {field: getattr(args, field) for _, field, _ in TIME_LIMITS}
    chosen["request_timeout"] = min(chosen["request_timeout"], 10.0)
    return Limits(**chosen)


def limit_options(args: argparse.Namespace) -> list[str]:
    """The same limits as options, for a class's workers (and --no-sandbox, where given)."""
    options = [part for flag, field, _ in TIME_LIMITS for part in (flag, str(getattr(args, field)))]
    return options + (["--no-sandbox"] if getattr(args, "no_sandbox", False) else [])


def others_work(args: argparse.Namespace) -> bool:
    """Whether this run grades someone else's work: anything but a student's `--student` run on their own machine.

    CI (the handout's workflow, --github), Gradescope and a whole class grade others' work.
    """
    ci = any(os.environ.get(name, "").lower() not in ("", "0", "false") for name in ("CI", "GITHUB_ACTIONS"))
    return not args.student or args.github or args.format == "gradescope" or ci


def isolation_of(args: argparse.Namespace, whole_class: bool = False) -> Isolation:
    """How the app will run (the sandbox, or process limits); raise NoSandbox where others' work can't be sandboxed."""
    return choose(args.no_sandbox, whole_class or others_work(args), limits_of(args))


def parser() -> argparse.ArgumentParser:
    defaults = Limits()
    parser = argparse.ArgumentParser(
        prog="python -m checks",
        description="Grade a Flask Club submission: the folder that holds app.py and templates/user.html.",
        epilog="The exit status is 0 whenever grading ran, whatever the score (1 under --fail-under N, or for a "
        "class where nothing could be graded); 2 for a bad command line. An LMS's bulk download (Canvas, Moodle, "
        "Gradescope) becomes a class folder with: python -m checks import FROM --out DIR (see its --help).",
    )
    parser.add_argument("submission", metavar="DIR", nargs="?", help="the submission's folder (not with --hint)")
    parser.add_argument("--format", choices=sorted(RENDERERS), default="text", help="output format (default: text)")
    parser.add_argument(
        "--step",
        type=steps_asked,
        metavar="N",
        help="grade only these steps: one (9), a range (8-11) or a list (9,10), even of a level the rubric leaves off",
    )
    parser.add_argument(
        "--level", type=int, choices=sorted(LEVELS), metavar="L", help="grade only level L's steps (1, 2 or 3)"
    )
    parser.add_argument("--seed", type=int, metavar="N", help="repeat a run: same random data and password")
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="show each failure whole: every request sent and every replay command (by default a long one is cut)",
    )
    for flag, field, what in TIME_LIMITS:
        default = getattr(defaults, field)
        cap = ", at most 10" if flag == "--timeout" else ""
        parser.add_argument(
            flag, dest=field, type=positive, default=default, metavar="S", help=f"{what} (default: {default:g}{cap})"
        )
    parser.add_argument(
        "--no-sandbox",
        action="store_true",
        help="run the app with process limits only, without the bubblewrap sandbox: it can then read and write "
        "whatever you can (for a machine without it; see the instructor's guide)",
    )
    whole = parser.add_argument_group(
        "grading a whole class (DIR holds no app.py, and a folder per student: two or more, or --class)"
    )
    whole.add_argument("--class", dest="whole_class", action="store_true", help="grade DIR as a class folder")
    whole.add_argument(
        "--jobs", type=int, default=0, metavar="N", help="submissions graded at once (default: one per core)"
    )
    whole.add_argument("--out", metavar="OUT", help="where grades go (default: grades/ in the current folder)")
    whole.add_argument("--force", action="store_true", help="regrade every submission, changed or not")
    deliver.add_arguments(parser)
    hints = parser.add_argument_group("hints (no grading; the level shown is kept in .flask-club-hints.json)")
    hints.add_argument("--hint", choices=ALL_STEP_IDS, metavar="N", help="show step N's next hint (1, then 2, then 3)")
    hints.add_argument(
        "--hint-level", type=int, choices=[1, 2, 3], metavar="K", help="with --hint: show hint K (1-3) of the step"
    )
    return parser


def steps_asked(text: str) -> list[str]:
    """--step's value as step ids (see rubric.parse_steps), or argparse's error with the sentence."""
    try:
        return parse_steps(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def grade_whole_class(args: argparse.Namespace) -> int:
    """Grade every student folder of a class folder; write grades, feedback, the report and the LMS's gradebook.

    DIR may be the class folder, a folder holding only the class folder (an unpacked download),
    or, with --out, one submission (a class of one). The exit status is 1 when nothing could be
    graded (no student folder, or none with work to grade), with the reason.
    """
    from checks.lms import read_roster
    from checks.outputs.class_report import write_reports
    from checks.outputs.progress import Progress
    from checks.run.classroom import Options, class_folder, grade_class

    given = Path(args.submission)
    folder = class_folder(given, args.whole_class)
    students = None
    if folder is None:
        folder, students = given.parent, [given]  # a single submission with --out: a class of one
    elif folder != given:
        print(f"python -m checks: note: {given} holds only {folder.name}/: grading the class in it", file=sys.stderr)
    limits = limit_options(args)
    if getattr(args, "rubric", None):
        limits += ["--rubric", str(Path(args.rubric).resolve())]
    out = Path(args.out or "grades")
    options = Options(folder, out, args.seed, max(args.jobs, 0), args.force, limits, args.submission_timeout)
    options.students = students
    seed, outcomes = grade_class(options, Progress())
    written = write_reports(out, outcomes, seed, roster=read_roster(folder), level2=options.rubric.level2)
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


def grade(args: argparse.Namespace):
    """Grade the submission the arguments name; raise SubmissionError if it can't be."""
    from checks.grade import grade as grade_submission

    result = grade_submission(
        args.submission,
        seed=args.seed,
        step=args.step,
        limits=limits_of(args),
        rubric_file=getattr(args, "rubric", None),
        isolation=getattr(args, "isolation", None) or isolation_of(args),
    )
    if not args.verbose:
        result.brief = "V=1" if args.student else "-v"
    return result


def show_hint(args: argparse.Namespace) -> int:
    """--hint N: print step N's next hint from its page of the student guide; no grading."""
    from checks.hints import HintError, next_hint

    try:
        command = f"make hint STEP={args.hint}" if args.student else None  # the handout speaks make
        rubric_file = getattr(args, "rubric", None)
        sys.stdout.write(next_hint(args.hint, args.hint_level, rubric_file=rubric_file, command=command))
    except HintError as error:
        print(f"python -m checks: {error}", file=sys.stderr)
        return 2
    return 0


def student_error(message: str) -> None:
    """In the handout (`--student`), a bad option is one line in make's words, not the whole usage."""
    import re

    step = re.search(r"argument --hint: invalid choice: '([^']*)'", message)
    steps = re.search(r"argument --step: (.*)", message)
    level = re.search(r"argument --level: invalid (?:choice|int value): '?([^' ]*)", message)
    seed = re.search(r"argument --seed: invalid int value: '([^']*)'", message)
    if step:
        message = f"there is no step {step[1]!r}: STEP is one of {', '.join(ALL_STEP_IDS)} (such as make hint STEP=2)"
    elif steps:
        message = f"STEP: {steps[1]} (such as make check STEP=2, STEP=8-11 or STEP=9,10)"
    elif level:
        message = f"there is no level {level[1]!r}: LEVEL is 1, 2 or 3 (such as make check LEVEL=2)"
    elif seed:
        message = f"SEED={seed[1]} is not a seed: a seed is a whole number, such as make check SEED=123456"
    print(f"make: {message}", file=sys.stderr)
    sys.exit(2)


def sweep_leftovers() -> None:
    """Remove the copies and pids cgroups of graders that were killed (kill -9, a crash) ten minutes ago or more."""
    from checks.run.workspace import sweep_leftovers as sweep_folders
    from checks.sandbox.cgroup import sweep as sweep_cgroups

    sweep_folders()
    sweep_cgroups()


def stop_on_sigterm() -> None:
    """SIGTERM (a CI job cancelled, `kill`) stops grading as Ctrl-C does: sandboxes and copies are removed."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, interrupt)


def main(argv: list[str] | None = None) -> int:
    """`python -m checks`: an interrupted run (Ctrl-C, SIGTERM) writes no grade and exits with 130."""
    stop_on_sigterm()
    try:
        return run(argv)
    except KeyboardInterrupt:
        print("\npython -m checks: interrupted: no grade was written for the submission being graded "
              "(a class keeps every grade written before; run again to go on)", file=sys.stderr)
        return 130


def run(argv: list[str] | None = None) -> int:
    if "--github" in (sys.argv[1:] if argv is None else argv) or workflow.in_ci():
        workflow.guard()  # in a CI log, nothing the submission wrote may become a workflow command
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["import"]:
        from checks.lms import main as import_main

        return import_main(argv[1:])
    options = parser()
    if "--student" in (sys.argv[1:] if argv is None else argv):
        options.error = student_error
    args = options.parse_args(argv)
    if args.hint:
        if args.level:
            options.error(
                "--level is the exercise's level (1, 2 or 3), for grading; the hint's number is --hint-level K "
                "(make hint STEP=n HINT=k)"
            )
        return show_hint(args)
    if args.hint_level:
        options.error("--hint-level goes with --hint N")
    if args.level and args.step:
        options.error("--step and --level: give one of them (--step 8-11 is level 2's steps)")
    if args.level:
        args.step = list(LEVELS[args.level])
    if args.submission is None:
        options.error("the following arguments are required: DIR (or --hint N)")
    from checks.run.classroom import is_class_folder

    folder = Path(args.submission)
    whole_class = folder.is_dir() and is_class_folder(folder, args.whole_class)
    whole_class = whole_class or bool(args.out and folder.is_dir())  # --out: one submission as a class of one
    try:
        args.isolation = isolation_of(args, whole_class)
    except NoSandbox as error:
        print(f"python -m checks: {error}", file=sys.stderr)
        return 2
    if args.isolation.note:
        print(f"python -m checks: note: {args.isolation.note}", file=sys.stderr)
    sweep_leftovers()  # what graders killed before they could clean up (SIGKILL) left behind
    if whole_class:
        return grade_whole_class(args)
    if args.github:
        github.start()  # outputs that say "not graded" until the grade is written
    modified = integrity.modified_checks()  # before grading: are these the instructor's checks?
    try:
        result = grade(args)
    except (SubmissionError, RubricError) as error:
        print(f"python -m checks: {error}", file=sys.stderr)
        return 2
    except Exception as error:  # noqa: BLE001 - a bug of the grader's: one line, the whole of it with -v
        if args.verbose:
            import traceback

            traceback.print_exc()
        print(f"python -m checks: the grader failed on this submission: {type(error).__name__}: {error} "
              "(no grade was written; -v shows where; please report it with the submission)", file=sys.stderr)
        return 1
    result.modified = modified
    result.graded_with = graded_with(getattr(args, "rubric", None))  # rubric, kit version and time, for the CSV
    return deliver.deliver(args, result)

