"""Gradescope's "Export Submissions": submission_metadata.yml and a folder per submission.

The metadata (YAML with Ruby symbols as keys: `:submitters:`, `- :name: …`, `:sid: …`) names
each submission's folder and its submitters. A submission's folder is read only where the
metadata's key is one plain folder of the export; a student's `sid`, name and email are
data, never part of a path. A group submission is one row and one folder per member.
"""

from __future__ import annotations

import re
from pathlib import Path

from checks.lms.archive import DownloadBudget
from checks.lms.placement import Entry, Imported, Namer, build, copy_tree

METADATA = "submission_metadata.yml"
FOLDER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


def gradescope_metadata(text: str) -> dict[str, list[dict[str, str]]]:
    """submission_metadata.yml's submitters, by submission folder (the few keys the import needs)."""
    found: dict[str, list[dict[str, str]]] = {}
    current: str | None = None
    person: dict[str, str] | None = None
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#") or line.strip() == "---":
            continue
        if not line.startswith((" ", "-")):
            current = line.rstrip().rstrip(":").strip("'\"")
            found[current] = []
            person = None
            continue
        match = re.match(r"^\s*(-\s+)?:(name|sid|email):\s*(.*)$", line)
        if current is None or not match:
            continue
        if match[1] or person is None:
            person = {}
            found[current].append(person)
        value = match[3].strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        elif value in ("~", "null"):
            value = ""  # YAML's null: no student id, say
        person[match[2]] = value
    return found


def from_gradescope(source: Path, out: Path, namer: Namer, budget: DownloadBudget, paths: list[Path]) -> Imported:
    report = Imported("gradescope")
    try:
        metadata = gradescope_metadata((source / METADATA).read_text(encoding="utf-8", errors="replace"))
    except OSError as error:
        report.unplaced.append(f"{METADATA}: cannot be read ({error.strerror})")
        metadata = {}
    for key, submitters in sorted(metadata.items()):
        folder = source / key
        usable = FOLDER.match(key) and folder.is_dir() and not folder.is_symlink()
        people = submitters or [{}]
        members = [person.get("name") or person.get("sid") or "?" for person in people]
        group = ", ".join(members) if len(people) > 1 else ""
        for person in people:
            lms_id = person.get("sid") or person.get("email") or key
            name = namer.name(person.get("name") or "", f"{key}-{lms_id}" if len(people) > 1 else key)
            entry = Entry(name, "gradescope", lms_id, person.get("name", ""), person.get("email", ""),
                          group=f"{key}: {group}" if group else "")
            if not usable:
                entry.status = f"not placed: {METADATA} names {key!r}, but the export has no such folder"
            else:
                build(out / name, budget, entry, lambda target, folder=folder: copy_tree(folder, target))
            report.entries.append(entry)
    listed = set(metadata)
    for path in paths:
        if path.is_dir() and path.name not in listed:
            report.unplaced.append(f"{path.name}: a folder {METADATA} does not name")
    return report
