"""`make watch` (`python -m checks.watch DIR`): regrade every time a file of the submission is saved.

The grader stays up between runs (pytest, Flask and BeautifulSoup imported once, like a
class's workers), so a rerun costs only the checks themselves. The folder is polled for
changed modification times (no extra dependency, the same on every system); each run
keeps the first run's seed, so the data stays the same and only your change makes a
difference. After the first full report, a run shows only what changed: the checks that
now pass, the ones that now fail (with their messages), and the new total. Ctrl-C stops.

Takes the options of `python -m checks` (`--step N`, `--seed N`, `--student`...).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from checks.arguments import options_of, parser, student_error
from checks.data import new_seed
from checks.grade import grade
from checks.outputs.items import failed_items, item_lines, things_to_fix
from checks.outputs.text import render_text
from checks.outputs.wording import counted, points, visible
from checks.results import Grade
from checks.run.workspace import (
    DEEPEST,  # folders deeper are not watched: the grader's copy leaves them out too
    SubmissionError,
)
from checks.sandbox.isolation import NoSandbox

SKIPPED = {".git", ".venv", "venv", "__pycache__", ".pytest_cache", "node_modules", "instance"}
POLL_SECONDS = 0.3
SETTLE_SECONDS = 0.15  # an editor may write a file in several steps: wait until it holds still


def files(folder: Path) -> Iterator[Path]:
    """Every file of the submission that a grade may depend on (virtualenvs, caches and instance/ left out)."""
    for root, dirs, names in os.walk(folder):
        deep = len(Path(root).relative_to(folder).parts) >= DEEPEST
        dirs[:] = [] if deep else [name for name in dirs if name not in SKIPPED and not name.startswith(".")]
        for name in names:
            if not name.endswith((".pyc", ".db", ".sqlite", ".sqlite3", ".json", "~")) and not name.startswith("."):
                yield Path(root) / name


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Each file's modification time and size: what a save changes."""
    found = {}
    for path in files(folder):
        try:
            info = path.stat()
        except OSError:
            continue
        found[str(path.relative_to(folder))] = (info.st_mtime_ns, info.st_size)
    return found


def changed_files(before: dict, after: dict) -> list[str]:
    return sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))


def verdicts(grade: Grade) -> dict[str, tuple[str, str, bool]]:
    """Each check the reader sees: its label, name and whether it passed."""
    return {check.id: (step.label, check.name, check.passed) for step, check in grade.checks if visible(grade, check)}


def failures(grade: Grade) -> dict[str, tuple[str, str]]:
    """Each failed check the reader sees: what its failure says (the problem and the hint)."""
    return {
        check.id: (check.details.problem, check.details.hint or "")
        for _, check in grade.checks
        if visible(grade, check) and not check.passed
    }


def difference(before: Grade, after: Grade, saved: list[str]) -> str:
    """What changed from one run to the next, for a person: fixed checks, new failures, the total."""
    old, new = verdicts(before), verdicts(after)
    fixed = [new[key] for key in new if new[key][2] and key in old and not old[key][2]]
    broke = {key for key in new if not new[key][2] and (key not in old or old[key][2])}
    said_before, said_now = failures(before), failures(after)
    moved = {key for key in said_now if key in said_before and said_now[key] != said_before[key]}
    delta = after.score - before.score
    change = f" ({'+' if delta >= 0 else ''}{delta:g})" if delta else ""
    lines = [f"{time.strftime('%H:%M:%S')}  saved {', '.join(saved[:3]) or 'files'}"
             f"{' …' if len(saved) > 3 else ''}: {points(after.score, after.max_score)}{change}"]
    lines += [f"  ✓ now passes: {label}  {name}" for label, name, _ in fixed]
    for item in failed_items(after):
        blocked = [check.id for _, check in item.blocked] or [item.check.id]
        if broke & set(blocked):
            lines.append(f"  ✗ now fails: {item.heading}")
        elif moved & set(blocked):
            lines.append(f"  ✗ still fails, with another message: {item.heading}")
        else:
            continue
        lines += [f"      {line}" for line in item_lines(after, item)]
    if not fixed and not broke and not moved:
        things = things_to_fix(failed_items(after))
        still = f"  no check changed ({counted(things, 'thing')} still to fix)"
        lines.append(still if things else "  every check passes")
    return "\n".join(lines) + "\n"


def watch(folder: Path, run: Callable[[], Grade], render: Callable[[Grade], str], out=sys.stdout,
          polls: int | None = None) -> int:
    """Grade, print the full report, then regrade on every save and print what changed. Ctrl-C stops.

    `polls` limits the number of polls (for tests); None watches until interrupted.
    """
    try:
        seen = snapshot(folder)  # before the first run: a file saved while it runs is regraded next
        last = run()
        out.write(render(last))
        out.write(f"\nWatching {folder} for saved files (Ctrl-C stops).\n")
        out.flush()
        count = 0
        while polls is None or count < polls:
            count += 1
            time.sleep(POLL_SECONDS)
            now = snapshot(folder)
            if now == seen:
                continue
            time.sleep(SETTLE_SECONDS)
            now = snapshot(folder)
            saved, seen = changed_files(seen, now), now
            started = time.monotonic()
            grade = run()
            out.write("\n" + difference(last, grade, saved).rstrip("\n"))
            out.write(f"  [{time.monotonic() - started:.2f} s]\n")
            out.flush()
            last = grade
    except KeyboardInterrupt:
        out.write("\nStopped watching.\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    words = parser()
    words.prog = "python -m checks.watch"
    if "--student" in argv:
        words.error = student_error
    args = words.parse_args(argv)
    if args.submission is None or not Path(args.submission).is_dir():
        print(f"{words.prog}: give the folder to watch (the one that holds app.py)", file=sys.stderr)
        return 2
    args.seed = args.seed if args.seed is not None else new_seed()  # one seed for every run: the same data
    options = options_of(args)
    try:
        isolation = options.isolation()
    except NoSandbox as error:
        print(f"{words.prog}: {error}", file=sys.stderr)
        return 2
    if isolation.note:
        print(f"{words.prog}: note: {isolation.note}", file=sys.stderr)

    def run() -> Grade:
        graded = grade(args.submission, options)
        if not args.verbose:
            graded.brief = "V=1" if args.student else "-v"
        return graded.for_students() if args.student else graded

    color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
    try:
        return watch(Path(args.submission), run, lambda graded: render_text(graded, color=color))
    except SubmissionError as error:
        print(f"{words.prog}: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
