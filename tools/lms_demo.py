"""A made-up LMS download to try `python -m checks import` on: a class of N, as Canvas or Moodle zips it.

    python -m tools.lms_demo canvas --students 200 canvas-submissions.zip
    python -m tools.lms_demo moodle --students 12 moodle-submissions.zip

The students' work is the kit's own: the reference solution, the untouched starter, and
the sample submissions of tests/submissions/ (each with a known verdict), dealt out in
turn. The names follow each LMS's documented naming (see checks/lms.py): Canvas's flat
`lastfirst_userid_submissionid_file` (some LATE, some re-uploads numbered app-1.py, some
a zip of their folder), Moodle's `Full Name_12345_assignsubmission_file/` folders.
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


def canvas(archive: zipfile.ZipFile, count: int, seed: int) -> None:
    pool = sources()
    chooser = random.Random(seed)
    for index, (first, last) in enumerate(people(count, seed)):
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


def moodle(archive: zipfile.ZipFile, count: int, seed: int) -> None:
    pool = sources()
    for index, (first, last) in enumerate(people(count, seed)):
        folder = f"{first} {last}_{70000 + index}_assignsubmission_file"
        for name, data in files(pool[index % len(pool)]):
            archive.writestr(f"{folder}/{name}", data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.lms_demo", description=__doc__.splitlines()[0])
    parser.add_argument("lms", choices=["canvas", "moodle"])
    parser.add_argument("target", metavar="ZIP")
    parser.add_argument("--students", type=int, default=200, metavar="N", help="the class's size (default 200)")
    parser.add_argument("--seed", type=int, default=1, help="which names (default 1)")
    args = parser.parse_args(argv)
    target = Path(args.target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        (canvas if args.lms == "canvas" else moodle)(archive, args.students, args.seed)
    print(f"Wrote {target}: a {args.lms.capitalize()} download of {args.students} students.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
