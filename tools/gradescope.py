"""`make gradescope`: build dist/gradescope.zip, the autograder to upload to Gradescope.

The zip holds, at its root as Gradescope's autograder specification asks,
setup.sh and run_autograder (from templates/gradescope/, with autograde.py),
the checks with checks/MANIFEST.sha256, and the pinned requirements.

    python -m tools.gradescope [ZIP] [--rubric FILE]    # default: dist/gradescope.zip, checks/rubric.toml
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

from checks import rubric
from checks.integrity import write_manifest
from tools.handout import arguments, copy, use_rubric

ROOT = Path(__file__).resolve().parent.parent
EXECUTABLE = {"setup.sh", "run_autograder"}
STAMP = (1980, 1, 1, 0, 0, 0)  # fixed times: the same kit gives the same zip


def stage(folder: Path, root: Path = ROOT, rubric_file: Path | None = None) -> None:
    """Lay out the autograder's files in folder."""
    copy(root / "templates" / "gradescope", folder)
    copy(root / "checks", folder / "checks")
    copy(root / "requirements.txt", folder / "requirements.txt")
    use_rubric(folder / "checks", rubric_file)
    write_manifest(folder / "checks")


def build(target: Path, root: Path = ROOT, rubric_file: Path | None = None) -> Path:
    """Write the autograder zip to target and return it."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="flask-club-gradescope-") as temporary:
        folder = Path(temporary)
        stage(folder, root, rubric_file)
        partial = target.with_name(target.name + ".part")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(folder.rglob("*")):
                if not path.is_file():
                    continue
                name = path.relative_to(folder).as_posix()
                info = zipfile.ZipInfo(name, STAMP)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = (0o100755 if name in EXECUTABLE else 0o100644) << 16
                archive.writestr(info, path.read_bytes())
        shutil.move(partial, target)
    return target


def main(argv: list[str] | None = None) -> int:
    args = arguments("python -m tools.gradescope", "dist/gradescope.zip", __doc__, argv)
    try:
        target = build(Path(args.target), rubric_file=args.rubric)
    except rubric.RubricError as error:
        raise SystemExit(f"python -m tools.gradescope: {error}") from None
    with zipfile.ZipFile(target) as archive:
        count = len(archive.namelist())
    print(f"Built {target}: {count} files. Upload it as the autograder: docs/instructor/gradescope.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
