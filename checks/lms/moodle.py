"""Moodle's "Download all submissions": a folder per participant and plugin, named by Moodle.

`Full Name_12345_assignsubmission_file/` (flat files `Full Name_12345_assignsubmission_file_app.py`
before Moodle 3.1). 12345 is the participant id, the grading worksheet's `Participant 12345`,
and the only thing the import trusts: a full name may hold underscores and digits
(`Eve_12`), so a folder is read from its right end, and two names for one participant
are reported, never merged into someone else's folder.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from checks.lms.archive import DownloadBudget
from checks.lms.placement import Entry, Imported, Namer, build, copy_tree

FOLDER = re.compile(r"^(?P<name>.+)_(?P<id>\d+)_assign(?:submission|feedback)_(?P<plugin>[a-z]+)$")
FLAT = re.compile(r"^(?P<name>.+?)_(?P<id>\d+)_assign(?:submission|feedback)_(?P<plugin>[a-z]+)_(?P<rest>.+)$")
PLUGINS = {"onlinetext": "an online text submission", "comments": "submission comments"}


def parse(path: Path) -> re.Match | None:
    return FOLDER.match(path.name) if path.is_dir() else FLAT.match(path.name)


def from_moodle(source: Path, out: Path, namer: Namer, budget: DownloadBudget, paths: list[Path]) -> Imported:
    report = Imported("moodle")
    students: dict[str, dict] = {}
    for path in paths:
        match = parse(path)
        if not match:
            report.unplaced.append(f"{path.name}: not named 'Full Name_12345_assignsubmission_file' as Moodle does")
            continue
        student = students.setdefault(match["id"], {"name": match["name"], "parts": [], "other": [], "names": set()})
        student["names"].add(match["name"])
        if match["plugin"] == "file":
            student["parts"].append((path, match.groupdict().get("rest")))
        else:
            student["other"].append(PLUGINS.get(match["plugin"], f"a {match['plugin']} submission"))
    for lms_id, student in sorted(students.items(), key=lambda item: (item[1]["name"], item[0])):
        folder = namer.name(student["name"], lms_id)
        entry = Entry(folder, "moodle", lms_id, student["name"])
        if len(student["names"]) > 1:
            names = " and ".join(sorted(student["names"]))
            entry.notes.append(f"participant {lms_id} is named {names} in the download")
        if student["parts"]:
            entry.notes += [f"{other} left out (nothing to run)" for other in student["other"]]
            def fill(target: Path, parts=student["parts"]) -> None:
                target.mkdir(parents=True, exist_ok=True)
                for path, rest in parts:
                    if path.is_dir():
                        copy_tree(path, target)
                    else:
                        shutil.copyfile(path, target / rest)

            build(out / folder, budget, entry, fill)
        else:
            kinds = " and ".join(sorted(set(student["other"]))) or "no file"
            entry.status = f"not placed: {kinds}, nothing to run"
        report.entries.append(entry)
    return report
