"""A made-up LMS download to try `python -m checks import` on: a class of N, as Canvas, Moodle or Gradescope zips it.

    python -m tools.lms_demo canvas --students 200 canvas-submissions.zip
    python -m tools.lms_demo moodle --students 12 moodle-submissions.zip
    python -m tools.lms_demo gradescope --students 6 gradescope-export.zip
    python -m tools.lms_demo canvas --students 30 --odd odd-submissions.zip

The students' work is the kit's own: the reference solution, the untouched starter, and
the sample submissions of tests/submissions/ (each with a known verdict), dealt out in
turn. The names follow each LMS's documented naming (see checks/lms/): Canvas's flat
`lastfirst_userid_submissionid_file` (some LATE, some re-uploads numbered app-1.py, some
a zip of their folder), Moodle's `Full Name_12345_assignsubmission_file/` folders, Gradescope's
submission_metadata.yml with a folder per submission (the last two students a group).

With --odd, the last students of the class are the cases a real download holds: on Canvas a
text entry, a website URL, a damaged zip, a name with an underscore and a digit, an app
uploaded nine times (Canvas renames the ninth app-<uuid>.py); on Moodle an online text
only, a folder with nothing runnable, a name ending like another participant's folder.
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIRST = ["Ada", "Bo", "Cy", "Dee", "Eli", "Fay", "Gus", "Hal", "Ines", "Jo", "Kai", "Lea", "Mo", "Noor", "Oli",
         "Pia", "Quin", "Ravi", "Sol", "Tess", "Uma", "Vik", "Wen", "Xia", "Yara", "Zoë"]
LAST = ["Lovelace", "Hopper", "Turing", "Noether", "Ng", "Okafor", "Silva", "Tanaka", "Müller", "Haddad",
        "Kowalski", "Novak", "Rossi", "Dubois", "Jensen", "Costa", "Moreau", "Ibrahim", "Park", "Singh"]
LEFT_OUT = {"instance", "__pycache__", ".venv"}


def sources() -> list[Path]:
    """The submissions dealt out: the solution, the starter, then every sample submission, by name."""
    samples = sorted(path for path in (ROOT / "tests" / "submissions").iterdir() if path.is_dir())
    return [ROOT / "solution", ROOT / "starter", *samples]


def files(folder: Path) -> list[tuple[str, bytes]]:
    """A submission's files, as (path inside it, bytes)."""
    found = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if path.is_file() and not set(relative.parts) & LEFT_OUT and path.suffix != ".pyc":
            found.append((relative.as_posix(), path.read_bytes()))
    return found


def people(count: int, seed: int) -> list[tuple[str, str]]:
    """count distinct (first, last) names."""
    chooser = random.Random(seed)
    pairs = [(first, last) for last in LAST for first in FIRST]
    chooser.shuffle(pairs)
    while len(pairs) < count:
        pairs += [(first, f"{last}-{len(pairs)}") for first, last in pairs[: count - len(pairs)]]
    return pairs[:count]


CANVAS_ODD = ["text", "link", "damaged", "underscore", "nine_uploads"]
MOODLE_ODD = ["onlinetext", "nothing_runnable", "lookalike"]


def canvas_odd(archive: zipfile.ZipFile, case: str, index: int) -> None:
    """One of Canvas's odd cases, as student `index`."""
    user, solution = 40000 + index, files(ROOT / "solution")
    prefix = {"text": "smithjonesmary", "link": "leeann", "damaged": "ngandrew", "underscore": "o_brien_2",
              "nine_uploads": "tanakayui"}[case] + f"_{user}"
    if case in ("text", "link"):
        archive.writestr(f"{prefix}_{case}.html", "<p>my app is on my laptop</p>" if case == "text" else
                         "<a href='https://example.com/flask-club'>my repl</a>")
    elif case == "damaged":
        archive.writestr(f"{prefix}_{900000 + index}_flask-club.zip", b"PK\x03\x04 cut short by a bad connection")
    else:
        for number, (name, data) in enumerate(solution):
            flat = Path(name).name
            if case == "nine_uploads" and flat == "app.py":
                for upload in range(1, 9):
                    archive.writestr(f"{prefix}_{800000 + upload}_app-{upload}.py", b"# an earlier try\n")
                flat = "app-3f2b8c1e-9a4d-4e6f-8b7a-0c1d2e3f4a5b.py"
            archive.writestr(f"{prefix}_{900000 + 100 * index + number}_{flat}", data)


def canvas(archive: zipfile.ZipFile, count: int, seed: int, odd: bool = False) -> None:
    pool = sources()
    chooser = random.Random(seed)
    odd_cases = CANVAS_ODD[: count] if odd else []
    for index, (first, last) in enumerate(people(count - len(odd_cases), seed)):
        lastfirst = "".join(ch for ch in f"{last}{first}".lower() if ch.isalpha())
        late = "LATE_" if chooser.random() < 0.1 else ""
        prefix = f"{lastfirst}_{late}{40000 + index}_{900000 + index}_"
        submission = files(pool[index % len(pool)])
        if index % 17 == 5:  # a student who hands in a zip of their folder
            inner = io.BytesIO()
            with zipfile.ZipFile(inner, "w") as own:
                for name, data in submission:
                    own.writestr(f"flask-club/{name}", data)
            archive.writestr(prefix + "flask-club.zip", inner.getvalue())
            continue
        taken: set[str] = set()
        for name, data in submission:
            flat = Path(name).name  # Canvas keeps no folders, and numbers a second file of the same name
            stem, suffix, number = Path(flat).stem, Path(flat).suffix, 0
            while flat in taken or (flat == "app.py" and index % 13 == 3):  # or one uploaded again
                number += 1
                flat = f"{stem}-{number}{suffix}"
            taken.add(flat)
            archive.writestr(prefix + flat, data)
    for number, case in enumerate(odd_cases):
        canvas_odd(archive, case, count - len(odd_cases) + number)


def moodle(archive: zipfile.ZipFile, count: int, seed: int, odd: bool = False) -> None:
    pool = sources()
    odd_cases = MOODLE_ODD[: count] if odd else []
    for index, (first, last) in enumerate(people(count - len(odd_cases), seed)):
        folder = f"{first} {last}_{70000 + index}_assignsubmission_file"
        for name, data in files(pool[index % len(pool)]):
            archive.writestr(f"{folder}/{name}", data)
    for number, case in enumerate(odd_cases):
        participant = 70000 + count - len(odd_cases) + number
        if case == "onlinetext":
            archive.writestr(f"Alan Turing_{participant}_assignsubmission_onlinetext/onlinetext.html", "<p>done</p>")
        elif case == "nothing_runnable":
            archive.writestr(f"Emmy Noether_{participant}_assignsubmission_file/notes.txt", "no time, sorry")
        else:  # a full name that ends like the first participant's folder
            folder = f"Eve_70000_assignsubmission_file_{participant}_assignsubmission_file"
            for name, data in files(pool[1]):
                archive.writestr(f"{folder}/{name}", data)


def gradescope(archive: zipfile.ZipFile, count: int, seed: int, odd: bool = False) -> None:
    """Gradescope's export: each upload as the student made it (loose files, a zip, a folder); the last two a group."""
    pool = sources()
    metadata = ["---"]
    people_list = people(count, seed)
    groups = [[person] for person in people_list[:-2]] + ([people_list[-2:]] if count >= 2 else [])
    for index, members in enumerate(groups):
        key = f"submission_{500000 + index}"
        metadata += [f"{key}:", "  :submitters:"]
        for number, (first, last) in enumerate(members):
            metadata += [f"  - :name: {first} {last}", f"    :sid: '{8000 + index * 10 + number}'",
                         f"    :email: {first.lower()}.{last.lower()}@example.edu"]
        metadata.append(f"  :created_at: 2026-11-29 1{index % 10}:00:00.000000000 -08:00")
        submission = files(pool[index % len(pool)])
        if index % 3 == 1:  # loose files, as a drag-and-drop upload makes them (the first of each name)
            loose = {}
            for name, data in submission:
                loose.setdefault(Path(name).name, data)
            for name, data in loose.items():
                archive.writestr(f"export/{key}/{name}", data)
        elif index % 3 == 2:  # a zip of their folder
            inner = io.BytesIO()
            with zipfile.ZipFile(inner, "w") as own:
                for name, data in submission:
                    own.writestr(f"flask-club/{name}", data)
            archive.writestr(f"export/{key}/flask-club.zip", inner.getvalue())
        else:
            for name, data in submission:
                archive.writestr(f"export/{key}/{name}", data)
    archive.writestr("export/submission_metadata.yml", "\n".join(metadata) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.lms_demo", description=__doc__.splitlines()[0])
    parser.add_argument("lms", choices=["canvas", "moodle", "gradescope"])
    parser.add_argument("target", metavar="ZIP")
    parser.add_argument("--students", type=int, default=200, metavar="N", help="the class's size (default 200)")
    parser.add_argument("--seed", type=int, default=1, help="which names (default 1)")
    parser.add_argument("--odd", action="store_true", help="the last students are the odd cases real downloads hold")
    args = parser.parse_args(argv)
    target = Path(args.target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        {"canvas": canvas, "moodle": moodle, "gradescope": gradescope}[args.lms](
            archive, args.students, args.seed, args.odd)
    print(f"Wrote {target}: a {args.lms.capitalize()} download of {args.students} students.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
