"""`python -m checks --hint N`: the next hint for step N, read from the step's own page.

A step's hints are the `### Hint 1` to `### Hint 3` sections under `## Hints` in
its page of the student guide (the rubric's `doc`, such as docs/student/step-5.md):
the pages are the one place their text lives. Each call shows the level after the
one shown last for that step, remembered in .flask-club-hints.json in the current
folder; `--hint-level K` shows hint K instead. No grading is done.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from checks import rubric

KIT = Path(__file__).resolve().parent.parent
STATE = ".flask-club-hints.json"
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")


class HintError(Exception):
    """The hints can't be shown; the message says why."""


def read_hints(page: Path) -> dict[int, str]:
    """The text of each `### Hint N` under the page's `## Hints`, by N (code blocks kept whole)."""
    try:
        lines = page.read_text(encoding="utf-8").splitlines()
    except OSError:
        raise HintError(f"cannot read {page}: the hints live in the student guide, next to checks/") from None
    hints: dict[int, list[str]] = {}
    in_hints, current, fence = False, None, None
    for line in lines:
        marker = FENCE.match(line)
        if marker and (fence is None or marker.group(1) == fence):
            fence = marker.group(1) if fence is None else None
        heading = HEADING.match(line) if fence is None and not marker else None
        if heading:
            level, title = len(heading.group(1)), heading.group(2)
            number = re.fullmatch(r"Hint (\d+)", title)
            in_hints = (level == 2 and title == "Hints") or (in_hints and level > 2)
            current = int(number.group(1)) if in_hints and level == 3 and number else None
            if current is not None:
                hints[current] = []
            continue
        if current is not None:
            hints[current].append(line)
    return {number: "\n".join(text).strip() for number, text in sorted(hints.items())}


def load_state(folder: Path) -> dict[str, int]:
    """The last level shown for each step; a missing or unreadable file is no hints yet."""
    try:
        data = json.loads((folder / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {step: level for step, level in data.items() if isinstance(level, int) and not isinstance(level, bool)}


def save_state(folder: Path, state: dict[str, int]) -> bool:
    """Remember the levels shown; False if the folder can't be written to."""
    try:
        (folder / STATE).write_text(json.dumps(state, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    except OSError:
        return False
    return True


def next_hint(
    step_id: str, level: int | None = None, folder: Path | None = None, rubric_file=None, command: str | None = None
) -> str:
    """The text to print for `--hint step_id` (and `--level level`), remembering the level shown.

    `command` is how the reader asks for the next one (`make hint STEP=5` in the handout).
    """
    folder = Path.cwd() if folder is None else folder
    step = rubric.load(rubric_file or rubric.RUBRIC, every_step=True)[step_id]
    page = KIT / step.doc
    hints = read_hints(page)
    if not hints:
        raise HintError(f"{step.doc} has no '### Hint 1' under '## Hints'")
    state = load_state(folder)
    last = max(hints)
    shown = min(level if level is not None else state.get(step_id, 0) + 1, last)
    if shown not in hints:
        raise HintError(f"{step.doc} has no '### Hint {shown}'")
    state[step_id] = shown
    saved = save_state(folder, state)

    command = command or f"python -m checks --hint {step_id}"
    lines = [
        f"Hint {shown} of {last} for {step.label}: {step.title}   ({step.doc}#hint-{shown})",
        "",
        hints[shown],
        "",
    ]
    if shown < last:
        lines.append(f"Still stuck? `{command}` again shows hint {shown + 1}, which gives away more.")
    else:
        lines.append(f"That was the last hint. Read the whole page, {step.doc}, and run the checks again.")
    if not saved:
        lines.append(f"(Could not write {STATE} here, so the next call starts again at hint 1.)")
    return "\n".join(lines) + "\n"
