"""Are these the instructor's checks? checks/MANIFEST.sha256 lists every file's hash.

The handout (and the Gradescope autograder) carry a manifest written when they were
built. `python -m checks` verifies it before grading; a check a student changed is
reported, and the grade is marked as not the instructor's. The manifest is in the
`sha256sum` format, so `cd checks && sha256sum -c MANIFEST.sha256` verifies it too.

Only the kit's own repository (recognised by its tools/handout.py and solution/) has no
manifest; anywhere else (a handout, the Gradescope bundle) a missing manifest makes the
grade void, like a modified check: deleting the manifest must not hide an edited check.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

CHECKS = Path(__file__).resolve().parent
MANIFEST = "MANIFEST.sha256"
IGNORED_PARTS = {"__pycache__", ".pytest_cache"}
IGNORED_SUFFIXES = {".pyc", ".pyo"}


def covered(folder: Path) -> list[str]:
    """The files of a checks folder the manifest covers, as sorted POSIX paths relative to it."""
    files = []
    for path in folder.rglob("*"):
        relative = path.relative_to(folder)
        if set(relative.parts) & IGNORED_PARTS or path.suffix in IGNORED_SUFFIXES or relative.name == MANIFEST:
            continue
        if path.is_file() or path.is_symlink():
            files.append(relative.as_posix())
    return sorted(files)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def manifest_text(folder: Path = CHECKS) -> str:
    """The manifest of a checks folder: one `HASH  PATH` line per file."""
    return "".join(f"{digest(folder / name)}  {name}\n" for name in covered(folder))


def write_manifest(folder: Path) -> Path:
    """Write MANIFEST.sha256 into a checks folder (the handout's or the autograder's copy)."""
    path = folder / MANIFEST
    path.write_text(manifest_text(folder), encoding="utf-8")
    return path


def read_manifest(path: Path) -> dict[str, str]:
    entries = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.strip():
            hash_, _, name = line.partition("  ")
            entries[name.strip().removeprefix("*")] = hash_.strip().lower()
    return entries


def is_kit(folder: Path) -> bool:
    """Whether this checks folder is the kit's own (where checks are edited, and no manifest is kept)."""
    root = folder.resolve().parent
    return (root / "tools" / "handout.py").is_file() and (root / "solution").is_dir()


def modified_checks(folder: Path = CHECKS) -> list[str]:
    """What differs from the manifest: 'X modified', 'X missing', 'X added', or 'MANIFEST.sha256 missing'.

    [] when every file matches, or in the kit's own repository, which has no manifest.
    """
    path = folder / MANIFEST
    if not path.is_file():
        return [] if is_kit(folder) else [f"{MANIFEST} missing"]
    expected = read_manifest(path)
    present = covered(folder)
    problems = []
    for name in sorted(expected):
        target = folder / name
        if not target.is_file():
            problems.append(f"{name} missing")
        elif target.is_symlink() or digest(target) != expected[name]:
            problems.append(f"{name} modified")
    problems += [f"{name} added" for name in present if name not in expected]
    return problems
