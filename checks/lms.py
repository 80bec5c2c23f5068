"""`python -m checks import FROM --out DIR`: an LMS's bulk download made into a class folder.

FROM is what the LMS gives, as a zip or unpacked into a folder:

- Canvas, "Download Submissions": flat files named `lastfirst_userid_submissionid_name.ext`
  (`lastfirst_LATE_userid_…` for a late one). Canvas drops folders (templates/user.html
  comes as user.html) and numbers a re-uploaded file (app-1.py); a student's own zip is unpacked.
- Moodle, "Download all submissions": a folder per submission,
  `Full Name_12345_assignsubmission_file` (or flat files with that prefix, from Moodle before 3.1),
  12345 being the participant id its grading worksheet matches on.
- Gradescope, "Export Submissions": submission_metadata.yml and a folder per submission.
- A folder of git clones, one repository per student (`assignment-username`, as GitHub
  Classroom's `gh classroom clone student-repos` or ghclass give).

DIR gets one folder per student and students.csv, which keeps each student's LMS id for the
gradebook files (see checks/outputs/gradebooks.py). Everything that could not be placed is
reported. A zip is untrusted input: no member may leave DIR, symlinks are left out, and sizes
are capped.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import stat
import sys
import tempfile
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from checks.run import folders

ROSTER = "students.csv"
ROSTER_COLUMNS = ["student", "lms", "lms_id", "name", "email", "late"]
LMS_NAMES = {"canvas": "Canvas", "moodle": "Moodle", "gradescope": "Gradescope", "git": "git clones"}

CANVAS = re.compile(r"^(?P<name>[^_/]+)_(?:(?P<late>LATE|late)_)?(?P<id>\d+)_(?P<submission>\d+)_(?P<file>.+)$")
MOODLE = re.compile(r"^(?P<name>.+?)_(?P<id>\d+)_assign(?:submission|feedback)_(?P<plugin>[a-z]+)_?(?P<rest>.*)$")
RENUMBERED = re.compile(r"^(?P<stem>.+)-(?P<n>\d+)(?P<suffix>\.[A-Za-z0-9]+)$")
SKIPPED = {"__MACOSX", ".DS_Store", "Thumbs.db"}
LEFT_BEHIND = SKIPPED | folders.SKIPPED  # not copied into the class folder: version control, virtualenvs, caches


class DownloadError(ValueError):
    """FROM can't be imported; the message says why, in one line."""


@dataclass(frozen=True)
class Limits:
    """What an archive may hold: members, bytes in all, bytes per file."""

    members: int = 50_000
    total: int = 1 << 30  # 1 GiB unpacked
    file: int = 100 << 20  # 100 MiB


LIMITS = Limits()
STUDENT_ZIP = Limits(members=5_000, total=100 << 20, file=50 << 20)


@dataclass
class Entry:
    """One student of a class folder: their folder's name and who they are in the LMS."""

    student: str
    lms: str
    lms_id: str
    name: str = ""
    email: str = ""
    late: bool = False


@dataclass
class Roster:
    """A class folder's students.csv: the LMS it came from and each student's entry, by folder name."""

    lms: str
    students: dict[str, Entry]


@dataclass
class Imported:
    """What an import made: the students, and what it could not place (with why)."""

    lms: str
    entries: list[Entry] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# -- archives, read as hostile input ------------------------------------------------------
def safe_member(name: str) -> PurePosixPath | None:
    """A member's path inside the target, or None when it would leave it (absolute, `..`, a drive)."""
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or not path.parts or ".." in path.parts or re.match(r"^[A-Za-z]:", path.parts[0]):
        return None
    parts = [part for part in path.parts if part not in ("", ".")]
    return PurePosixPath(*parts) if parts else None


def extract(archive: Path, target: Path, limits: Limits = LIMITS) -> list[str]:
    """Unpack a zip into target, member by member; return what was left out and why.

    Raise DownloadError for a file that is not a zip, or one past the limits.
    """
    left_out: list[str] = []
    try:
        with zipfile.ZipFile(archive) as bundle:
            members = bundle.infolist()
            if len(members) > limits.members:
                raise DownloadError(f"{archive.name} holds {len(members)} files, more than {limits.members}")
            total = 0
            for info in members:
                path = safe_member(info.filename)
                if path is None:
                    left_out.append(f"{info.filename}: a path outside the folder")
                    continue
                if set(path.parts) & SKIPPED or info.is_dir():
                    continue
                if stat.S_ISLNK(info.external_attr >> 16):
                    left_out.append(f"{info.filename}: a symbolic link")
                    continue
                destination = target.joinpath(*path.parts)
                destination.parent.mkdir(parents=True, exist_ok=True)
                written = 0
                with bundle.open(info) as source, open(destination, "wb") as sink:
                    while chunk := source.read(1 << 16):
                        written += len(chunk)
                        total += len(chunk)
                        if written > limits.file:
                            raise DownloadError(f"{archive.name}: {info.filename} unpacks past {limits.file >> 20} MiB")
                        if total > limits.total:
                            raise DownloadError(f"{archive.name} unpacks past {limits.total >> 20} MiB in all")
                        sink.write(chunk)
    except zipfile.BadZipFile as error:
        raise DownloadError(f"{archive.name} is not a zip file, or a damaged one ({error})") from None
    except (zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError, OSError) as error:
        if isinstance(error, DownloadError):
            raise
        raise DownloadError(f"{archive.name} cannot be unpacked: {error}") from None
    return left_out


def slug(text: str) -> str:
    """A folder name from a person's name: 'Zoë Ng-Li' → 'zoë-ng-li' (letters kept, the rest a hyphen)."""
    text = unicodedata.normalize("NFC", text).strip().lower()
    return re.sub(r"[^\w]+", "-", text).strip("-_") or "student"


def unique(name: str, lms_id: str, taken: set[str]) -> str:
    """name, or name-ID when another student already has it (or it is a name the grader skips, like static)."""
    clash = name in taken or name in folders.NOT_STUDENTS or name.startswith(".")
    chosen = f"{name}-{lms_id}" if clash else name
    taken.add(chosen)
    return chosen


# -- the formats --------------------------------------------------------------------------
def detect(folder: Path) -> str | None:
    """Which LMS an unpacked download came from, by its naming; None when it is none of them."""
    names = [path.name for path in folder.iterdir() if path.name not in SKIPPED]
    if "submission_metadata.yml" in names:
        return "gradescope"
    folders = [path for path in folder.iterdir() if path.is_dir() and path.name not in SKIPPED]
    plain = [path for path in folder.iterdir() if path.is_file() and path.name not in SKIPPED]
    if any(MOODLE.match(path.name) for path in folders + plain):
        return "moodle"
    if plain and any(CANVAS.match(path.name) for path in plain):
        return "canvas"
    if folders and all((path / ".git").exists() for path in folders):
        return "git"
    return None


def unwrap(folder: Path) -> Path:
    """The folder a download really starts in: past lone wrapping folders (a zip of a folder)."""
    while True:
        entries = [path for path in folder.iterdir() if path.name not in SKIPPED]
        if len(entries) == 1 and entries[0].is_dir() and detect(folder) is None and not (entries[0] / ".git").exists():
            folder = entries[0]
        else:
            return folder


def place(files: dict[str, Path], student: Path, report: Imported, who: str) -> None:
    """Copy a Canvas student's flat files into their folder: HTML in templates/, zips unpacked, app-1.py → app.py."""
    chosen: dict[str, tuple[int, str]] = {}
    for original in files:
        match = RENUMBERED.match(original)
        target, number = (match["stem"] + match["suffix"], int(match["n"])) if match else (original, 0)
        if target in chosen and chosen[target][0] >= number:
            report.notes.append(f"{who}: kept {chosen[target][1]} as {target}, left out {original}")
            continue
        if target in chosen:
            report.notes.append(f"{who}: kept {original} as {target}, left out {chosen[target][1]}")
        chosen[target] = (number, original)
    for target, (_, original) in sorted(chosen.items()):
        source = files[original]
        suffix = Path(target).suffix.lower()
        if suffix == ".zip":
            for problem in extract(source, student, STUDENT_ZIP):
                report.unplaced.append(f"{who}: {original}: {problem}")
            continue
        folder = {".html": "templates", ".htm": "templates", ".jinja": "templates", ".j2": "templates",
                  ".css": "static", ".js": "static", ".png": "static", ".jpg": "static", ".gif": "static"}
        destination = student / folder.get(suffix, "") / target
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, destination)


def download_files(source: Path, report: Imported) -> Iterator[Path]:
    """The entries of an LMS download, in order, less the system's clutter; a link is reported, never followed."""
    for path in sorted(source.iterdir()):
        if path.name in SKIPPED:
            continue
        if path.is_symlink():
            report.unplaced.append(f"{path.name}: a symbolic link")
            continue
        yield path


def from_canvas(source: Path, out: Path) -> Imported:
    report = Imported("canvas")
    by_student: dict[str, dict] = {}
    for path in download_files(source, report):
        match = CANVAS.match(path.name) if path.is_file() else None
        if not match:
            report.unplaced.append(f"{path.name}: not named lastfirst_userid_submissionid_file as Canvas names files")
            continue
        entry = by_student.setdefault(match["id"], {"name": match["name"], "late": False, "files": {}})
        entry["late"] = entry["late"] or bool(match["late"])
        entry["files"][match["file"]] = path
    taken: set[str] = set()
    names = Counter(entry["name"] for entry in by_student.values())
    for lms_id, entry in sorted(by_student.items(), key=lambda item: (item[1]["name"], item[0])):
        folder = entry["name"] if names[entry["name"]] == 1 else f"{entry['name']}-{lms_id}"
        folder = unique(slug(folder), lms_id, taken)
        place(entry["files"], out / folder, report, folder)
        report.entries.append(Entry(folder, "canvas", lms_id, entry["name"], late=entry["late"]))
    return report


def from_moodle(source: Path, out: Path) -> Imported:
    report = Imported("moodle")
    students: dict[str, dict] = {}
    for path in download_files(source, report):
        match = MOODLE.match(path.name)
        if not match:
            report.unplaced.append(f"{path.name}: not named 'Full Name_12345_assignsubmission_file' as Moodle does")
            continue
        entry = students.setdefault(match["id"], {"name": match["name"], "parts": []})
        if match["plugin"] != "file":
            report.notes.append(f"{match['name']}: {path.name} ({match['plugin']} submission) left out")
            continue
        entry["parts"].append((path, match["rest"]))
    taken: set[str] = set()
    names = Counter(entry["name"] for entry in students.values())
    for lms_id, entry in sorted(students.items(), key=lambda item: (item[1]["name"], item[0])):
        folder = entry["name"] if names[entry["name"]] == 1 else f"{entry['name']}-{lms_id}"
        folder = unique(slug(folder), lms_id, taken)
        student = out / folder
        student.mkdir(parents=True, exist_ok=True)
        for path, rest in entry["parts"]:
            if path.is_dir():
                copy_tree(path, student)
            elif rest.lower().endswith(".zip"):
                report.unplaced += [f"{folder}: {rest}: {problem}" for problem in extract(path, student, STUDENT_ZIP)]
            else:
                target = student / ("templates" if rest.lower().endswith(".html") else "") / rest
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
        for archive in [path for path in student.iterdir() if path.suffix.lower() == ".zip" and path.is_file()]:
            report.unplaced += [f"{folder}: {archive.name}: {p}" for p in extract(archive, student, STUDENT_ZIP)]
            archive.unlink()
        report.entries.append(Entry(folder, "moodle", lms_id, entry["name"]))
    return report


def copy_tree(source: Path, target: Path) -> None:
    """Copy a folder's regular files (never a symlink, nor .git or a virtualenv) into target."""
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if set(relative.parts) & LEFT_BEHIND or path.is_symlink() or not path.is_file():
            continue
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, destination)


def gradescope_metadata(text: str) -> dict[str, list[dict[str, str]]]:
    """submission_metadata.yml's submitters, by submission folder (the few keys the import needs).

    Gradescope writes it with Ruby symbols as keys (`:submitters:`, `- :name: …`, `:sid: …`).
    """
    found: dict[str, list[dict[str, str]]] = {}
    current: str | None = None
    person: dict[str, str] | None = None
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
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


def from_gradescope(source: Path, out: Path) -> Imported:
    report = Imported("gradescope")
    metadata = gradescope_metadata((source / "submission_metadata.yml").read_text(encoding="utf-8"))
    taken: set[str] = set()
    for folder_name, submitters in sorted(metadata.items()):
        folder = source / folder_name
        if not folder.is_dir() or not submitters:
            report.unplaced.append(f"{folder_name}: named in submission_metadata.yml, but no folder or no submitter")
            continue
        first = submitters[0]
        lms_id = first.get("sid") or first.get("email") or folder_name
        name = unique(slug(first.get("name") or lms_id), lms_id, taken)
        copy_tree(folder, out / name)
        if len(submitters) > 1:
            others = ", ".join(person.get("name", "?") for person in submitters[1:])
            report.notes.append(f"{name}: a group submission, also by {others} (graded once, under {name})")
        report.entries.append(Entry(name, "gradescope", lms_id, first.get("name", ""), first.get("email", "")))
    listed = set(metadata)
    for path in sorted(source.iterdir()):
        if path.is_dir() and path.name not in listed and path.name not in SKIPPED:
            report.unplaced.append(f"{path.name}: a folder submission_metadata.yml does not name")
    return report


def from_git(source: Path, out: Path) -> Imported:
    report = Imported("git")
    repositories = sorted(path for path in source.iterdir() if path.is_dir() and (path / ".git").exists())
    names = [path.name for path in repositories]
    prefix = ""
    if len(names) >= 2:
        common = names[0]
        for name in names[1:]:
            while not name.startswith(common):
                common = common[:-1]
        prefix = common[: common.rfind("-") + 1] if "-" in common else ""
    taken: set[str] = set()
    for path in repositories:
        username = path.name[len(prefix):] or path.name
        folder = unique(username, username, taken)
        copy_tree(path, out / folder)
        report.entries.append(Entry(folder, "git", username, username))
    for path in sorted(source.iterdir()):
        if path not in repositories and path.name not in SKIPPED:
            report.unplaced.append(f"{path.name}: not a git repository")
    return report


IMPORTERS = {"canvas": from_canvas, "moodle": from_moodle, "gradescope": from_gradescope, "git": from_git}


# -- the roster -------------------------------------------------------------------------
def write_roster(out: Path, entries: list[Entry]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(ROSTER_COLUMNS)
    for entry in entries:
        writer.writerow([entry.student, entry.lms, entry.lms_id, entry.name, entry.email, "yes" if entry.late else ""])
    (out / ROSTER).write_text(buffer.getvalue(), encoding="utf-8")


def read_roster(folder: Path) -> Roster | None:
    """A class folder's students.csv, or None when it has none (it was not imported)."""
    try:
        text = (folder / ROSTER).read_text(encoding="utf-8-sig")
    except OSError:
        return None
    rows = list(csv.DictReader(io.StringIO(text)))
    if not rows or not set(ROSTER_COLUMNS[:3]) <= set(rows[0]):
        return None
    students = {
        row["student"]: Entry(row["student"], row["lms"], row["lms_id"], row.get("name") or "",
                              row.get("email") or "", row.get("late") == "yes")
        for row in rows
    }
    return Roster(rows[0]["lms"], students)


def import_class(source: Path, out: Path, lms: str | None = None) -> Imported:
    """Make the class folder out from an LMS download (a zip or a folder); return what was done."""
    if not source.exists():
        raise DownloadError(f"{source} does not exist")
    if out.exists() and any(out.iterdir()) and not (out / ROSTER).is_file():
        raise DownloadError(f"{out} is not empty: give a new folder (or one an earlier import made)")
    with tempfile.TemporaryDirectory(prefix="flask-club-import-") as temporary:
        unpacked = Path(temporary) / "download"
        unpacked.mkdir()
        problems: list[str] = []
        if source.is_file():
            problems = extract(source, unpacked)
            folder = unwrap(unpacked)
        else:
            folder = unwrap(source)
        kind = lms or detect(folder)
        if kind is None:
            raise DownloadError(
                f"{source} is not a download this import knows: a Canvas or Moodle submissions zip, "
                "a Gradescope export, or a folder of git clones (--lms says which)"
            )
        staging = Path(temporary) / "class"
        staging.mkdir()
        report = IMPORTERS[kind](folder, staging)
        report.unplaced = [f"{source.name}: {problem}" for problem in problems] + report.unplaced
        if out.exists():
            old = read_roster(out)
            for student in old.students if old else ():
                shutil.rmtree(out / student, ignore_errors=True)
        out.mkdir(parents=True, exist_ok=True)
        for student in staging.iterdir():
            shutil.copytree(student, out / student.name, dirs_exist_ok=True)
    write_roster(out, report.entries)
    return report


def main(argv: list[str]) -> int:
    """`python -m checks import FROM --out DIR [--lms NAME]`."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m checks import",
        description="Turn an LMS's bulk download (Canvas, Moodle, Gradescope, or a folder of git clones) into a "
        "class folder: one folder per student, and students.csv with each student's LMS id.",
    )
    parser.add_argument("source", metavar="FROM", help="the download: a zip, or the folder it unpacks to")
    parser.add_argument("--out", metavar="DIR", default="class", help="the class folder to make (default: class)")
    parser.add_argument("--lms", choices=sorted(IMPORTERS), help="the download's kind, when it is not recognised")
    args = parser.parse_args(argv)
    out = Path(args.out)
    try:
        report = import_class(Path(args.source), out, args.lms)
    except DownloadError as error:
        print(f"python -m checks import: {error}", file=sys.stderr)
        return 2
    late = sum(entry.late for entry in report.entries)
    print(
        f"Imported {len(report.entries)} students from {args.source} ({LMS_NAMES[report.lms]}) into {out}/"
        + (f", {late} late" if late else "")
        + f"; their LMS ids are in {out / ROSTER}."
    )
    for note in report.notes:
        print(f"  note: {note}")
    if report.unplaced:
        print(f"Could not place {len(report.unplaced)}:")
        for problem in report.unplaced:
            print(f"  {problem}")
    if not report.entries:
        print(f"python -m checks import: no student found in {args.source}", file=sys.stderr)
        return 1
    print(f"Grade them: python -m checks {out} --out grades")
    return 0
