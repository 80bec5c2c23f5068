"""`make classroom50`: build dist/classroom50/, the autograder bundle for a Classroom 50 assignment.

Copy the folder into your organization's classroom50 repository as
CLASSROOM/autograders/ASSIGNMENT/ (docs/instructor/classroom50.md). It holds
autograder.py (from templates/classroom50/), the checks it runs with
checks/MANIFEST.sha256, and the pinned requirements. Classroom 50 records whole points
only, so a rubric whose checks are worth fractions (after their step's weight) is refused.

    python -m tools.classroom50 [DIR] [--rubric FILE]    # default: dist/classroom50, checks/rubric.toml
"""

from __future__ import annotations

import sys
from pathlib import Path

from checks import rubric
from checks.integrity import MANIFEST, write_manifest
from checks.outputs.classroom50 import unwhole_points
from tools.handout import arguments, copy, replace_folder, use_rubric

ROOT = Path(__file__).resolve().parent.parent


def check_whole(rubric_file: Path | None) -> None:
    """RubricError unless every check of the rubric is worth a whole number of points."""
    steps = rubric.load(rubric_file) if rubric_file else rubric.load()
    fractions = unwhole_points(steps)
    if fractions:
        raise rubric.RubricError(
            f"Classroom 50 records whole points only, and these checks are worth fractions: {', '.join(fractions)}. "
            "Give them whole points (and weights that keep them whole)"
        )


def build(target: Path, root: Path = ROOT, rubric_file: Path | None = None) -> Path:
    """Build the bundle in target (replacing a previous build) and return it."""
    target = Path(target)
    check_whole(rubric_file)
    replace_folder(target, Path("checks") / MANIFEST)
    copy(root / "templates" / "classroom50", target)
    copy(root / "checks", target / "checks")
    copy(root / "requirements.txt", target / "requirements.txt")
    use_rubric(target / "checks", rubric_file)
    write_manifest(target / "checks")
    return target


def main(argv: list[str] | None = None) -> int:
    args = arguments("python -m tools.classroom50", "dist/classroom50", __doc__, argv)
    try:
        target = build(Path(args.target), rubric_file=args.rubric)
    except rubric.RubricError as error:
        raise SystemExit(f"python -m tools.classroom50: {error}") from None
    files = sum(1 for path in target.rglob("*") if path.is_file())
    print(
        f"Built {target}/: {files} files. Copy it into your classroom50 repository as "
        "CLASSROOM/autograders/ASSIGNMENT/: docs/instructor/classroom50.md"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
