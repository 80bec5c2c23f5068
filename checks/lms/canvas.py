"""Canvas's "Download Submissions": flat files, one prefix per student, read back without trusting a name.

Canvas names each file `name[_LATE]_id_fileid_upload.ext` (name: the student's sortable name
squashed, lowercase, word characters only, no `_digits_` inside it; id: the user id, or
`anon_xxxxx` when grading is anonymous, with no name at all), a text entry
`name[_LATE]_id_text.html` and a website URL `name[_LATE]_id_link.html`. It drops folders and
renames a re-upload (app-1.py … app-8.py, then app-<uuid>.py). Names and file names may hold
underscores and digits, so a file can often be read two ways: each file takes the reading
that the most files of the download share (the same student on every file), else the one
with the longest name.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from checks.lms.archive import DownloadBudget
from checks.lms.placement import Entry, Imported, Namer, build, place_flat


@dataclass(frozen=True)
class Reading:
    """One way to read a Canvas file name."""

    name: str
    lms_id: str
    late: bool
    kind: str  # "upload", "text" or "link"
    file_id: int = 0
    upload: str = ""


def readings(filename: str) -> list[Reading]:
    """Every way the file name fits Canvas's naming."""
    tokens = filename.split("_")
    found = []
    for cut in range(len(tokens)):
        name_tokens, rest = tokens[:cut], tokens[cut:]
        if any(token.isdigit() or not token for token in name_tokens[1:-1]) or (name_tokens and not name_tokens[0]):
            continue  # Canvas takes `_digits_` out of a name: digits end a name, never sit inside it
        if name_tokens and name_tokens[-1] in ("LATE", "late"):
            continue  # Canvas's late mark, not the name's
        late = bool(rest) and rest[0] in ("LATE", "late")
        rest = rest[1:] if late else rest
        if len(rest) >= 2 and rest[0] == "anon" and rest[1].isalnum():
            lms_id, rest = f"anon_{rest[1]}", rest[2:]
        elif rest and rest[0].isdigit():
            lms_id, rest = rest[0], rest[1:]
        else:
            continue
        if not name_tokens and not lms_id.startswith("anon_"):
            continue
        name = "_".join(name_tokens)
        if rest in (["text.html"], ["link.html"]):
            found.append(Reading(name, lms_id, late, rest[0][:4]))
        elif len(rest) >= 2 and rest[0].isdigit() and "_".join(rest[1:]).strip("."):
            found.append(Reading(name, lms_id, late, "upload", int(rest[0]), "_".join(rest[1:])))
    return found


def from_canvas(source: Path, out: Path, namer: Namer, budget: DownloadBudget, paths: list[Path]) -> Imported:
    report = Imported("canvas")
    files = [path for path in paths if path.is_file()]
    options = {path: readings(path.name) for path in files}
    votes: Counter = Counter()
    for found in options.values():
        votes.update({(reading.name, reading.lms_id) for reading in found})
    students: dict[str, dict] = {}
    for path in paths:
        found = options.get(path)
        if not found:
            what = "a folder" if path.is_dir() else "a file"
            report.unplaced.append(f"{path.name}: {what} not named as Canvas names a student's files")
            continue
        best = max(found, key=lambda reading: (votes[(reading.name, reading.lms_id)], len(reading.name)))
        student = students.setdefault(best.lms_id, {"name": best.name, "late": False, "uploads": [], "kinds": set()})
        student["late"] = student["late"] or best.late
        student["kinds"].add(best.kind)
        if best.kind == "upload":
            student["uploads"].append((best.upload, best.file_id, path))
    for lms_id, student in sorted(students.items(), key=lambda item: (item[1]["name"], item[0])):
        anonymous = lms_id.startswith("anon_")
        folder = namer.name(student["name"] or lms_id, lms_id, prefer_id=anonymous)
        entry = Entry(folder, "canvas", lms_id, "", late=student["late"])
        if student["uploads"]:
            build(out / folder, budget, entry, lambda target, uploads=student["uploads"], e=entry:
                  place_flat(uploads, target, e))
        elif "text" in student["kinds"]:
            entry.status = "not placed: a text entry submission (Canvas's online text box), nothing to run"
        else:
            entry.status = "not placed: a website URL submission, nothing to run"
        report.entries.append(entry)
    return report
