"""A new rubric's run of a class is graded beside the gradebook, and swapped in whole.

Readers of --out see the old run or the new one, never a mix: the new run is graded in
staging_path(--out) and swapped in once every student is graded (swap_in); an interrupted
swap is finished by the next run (recover).
"""

from __future__ import annotations

import ctypes
import os
from pathlib import Path

from checks.outputs.gradebooks import EXPORTS
from checks.run.class_files import STATE
from checks.run.tree import remove_tree, shown

STAGED = ".flask-club-regrade"  # in a folder the kit made to grade a new rubric's run in: it may remove it

COMPLETE = ".flask-club-regrade-complete"  # every student of that run is graded: it replaces the gradebook

OWN_FILES = {"json", "feedback", "logs", STATE, "grades.csv", "report.html"}  # what a run writes in --out


def staging_path(out: Path) -> Path:
    """Where a run with another rubric (or seed, checks, options) is graded until it is complete: beside --out."""
    return out.parent / f".{out.name}.regrade"


def replaced_path(out: Path) -> Path:
    """Where the gradebook's previous run goes for the moment of the swap, before it is removed."""
    return out.parent / f".{out.name}.replaced"


def own_names() -> set[str]:
    """The names a run writes in --out (the LMS's gradebook files included); everything else is the instructor's."""
    return OWN_FILES | {name for name, _ in EXPORTS.values()} | {STAGED, COMPLETE}


def retire(folder: Path, out: Path) -> list[str]:
    """Remove a run the kit no longer needs: its own files go; anything else in it is moved to --out (kept).

    Returns what could not be removed or moved (said as a note, never fatal).
    """
    problems = []
    if not folder.is_dir() or folder.is_symlink():
        return problems
    names = own_names()
    for entry in sorted(folder.iterdir()):
        try:
            if entry.name in names:
                problems += remove_tree(entry) if entry.is_dir() and not entry.is_symlink() else [entry.unlink()]
            elif not (out / entry.name).exists() and not (out / entry.name).is_symlink():
                os.rename(entry, out / entry.name)
            else:
                problems.append(f"{shown(str(entry))} was kept: {shown(str(out / entry.name))} exists")
        except OSError as error:
            problems.append(f"{shown(str(entry))}: {error.strerror or error}")
    problems = [problem for problem in problems if problem]
    if not problems:
        try:
            folder.rmdir()
        except OSError as error:
            problems.append(f"{shown(str(folder))}: {error.strerror or error}")
    return problems


def exchange(first: Path, second: Path) -> bool:
    """Swap two folders in one step (Linux's renameat2 RENAME_EXCHANGE); False where the system can't."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_cwd, rename_exchange = -100, 2
    done = renameat2(at_cwd, os.fsencode(first), at_cwd, os.fsencode(second), rename_exchange)
    return done == 0


def swap_in(out: Path) -> list[str]:
    """Put a complete regrade (staging_path) in place of --out: every reader sees the old run or the new one.

    Where the system swaps two folders in one step, it does; elsewhere --out is renamed aside and the
    new run renamed in, two steps between which --out is missing (never mixed). Each step can be
    interrupted: recover() finishes the swap at the start of the next run.
    """
    staging = staging_path(out)
    (staging / COMPLETE).write_text("every student of this run is graded: it replaces the gradebook beside it\n")
    (out / STAGED).write_text("the gradebook a complete regrade replaced: python -m checks removes it\n")
    if exchange(staging, out):
        os.rename(staging, replaced_path(out))
    else:
        if out.exists():
            os.rename(out, replaced_path(out))
        os.rename(staging, out)
    return recover(out)


def recover(out: Path) -> list[str]:
    """Finish a swap that was interrupted (see swap_in), and remove the run it replaced; return what is left."""
    staging, replaced = staging_path(out), replaced_path(out)
    try:
        if (staging / COMPLETE).exists():  # complete, not yet in place
            if out.exists() and not replaced.exists():
                os.rename(out, replaced)
            if not out.exists():
                os.rename(staging, out)
        elif (out / COMPLETE).exists() and (staging / STAGED).exists() and not replaced.exists():
            os.rename(staging, replaced)  # swapped in one step: the old run is where the new one was graded
    except OSError as error:
        return [f"the regrade in {shown(str(staging))} could not replace {shown(str(out))}: {error.strerror or error}"]
    problems = []
    if (replaced / STAGED).exists() and out.is_dir():
        problems = retire(replaced, out)
    if (out / COMPLETE).exists() and not replaced.exists():
        for marker in (STAGED, COMPLETE):
            (out / marker).unlink(missing_ok=True)
    return problems
