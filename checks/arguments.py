"""The command line's words, shared by `python -m checks` and `make watch`: its parser, and the
`Options` a parsed command line asks for."""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

from checks.options import Options
from checks.outputs import deliver
from checks.outputs.formats import RENDERERS
from checks.rubric import ALL_STEP_IDS, LEVELS, parse_steps
from checks.sandbox.limits import Limits


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


def own_work(args: argparse.Namespace, whole_class: bool = False) -> bool:
    """Whether a student grades their own work: a `--student` run on their own machine, and nothing else.

    CI (the handout's workflow, --github), Gradescope and a whole class grade others' work.
    """
    ci = any(os.environ.get(name, "").lower() not in ("", "0", "false") for name in ("CI", "GITHUB_ACTIONS"))
    return bool(args.student) and not (args.github or args.format == "gradescope" or ci or whole_class)


def options_of(args: argparse.Namespace, whole_class: bool = False) -> Options:
    """The grading options a parsed command line asks for."""
    # The rubric by its whole path: a class's workers start in the kit's folder, not this one.
    return Options(
        steps=tuple(args.step or ()),
        seed=args.seed,
        rubric=Path(args.rubric).resolve() if getattr(args, "rubric", None) else None,
        limits=limits_of(args),
        sandbox=not args.no_sandbox,
        own_work=own_work(args, whole_class),
    )


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


def student_error(message: str) -> None:
    """In the handout (`--student`), a bad option is one line in make's words, not the whole usage."""
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
