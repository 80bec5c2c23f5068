"""`make handout`: build dist/handout/, the repository a student receives.

It holds the starter as the student's work folder, the checks (with
checks/MANIFEST.sha256, the hashes the grader verifies), the student guide,
the pinned requirements, and from templates/handout/ a student Makefile and
README and the GitHub Actions workflow that grades every push. Nothing of
solution/ or tests/ goes in.

    python -m tools.handout [DIR] [--rubric FILE]    # default: dist/handout, checks/rubric.toml
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from checks import rubric
from checks.integrity import MANIFEST, write_manifest

ROOT = Path(__file__).resolve().parent.parent
COPIED = ("starter", "checks", "docs/student")
SOLUTION_ONLY = ("waitress",)  # packages only the reference solution uses (solution/serve.py)
IGNORED = ("__pycache__", "*.pyc", ".pytest_cache", "instance", ".DS_Store", MANIFEST)


def replace_folder(target: Path, marker: Path) -> None:
    """Empty target for a new build, refusing to delete a folder that is not a previous build."""
    if target.exists():
        if target.is_dir() and any(target.iterdir()) and not (target / marker).is_file():
            raise SystemExit(f"{target} exists and is not a previous build: not overwriting it")
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink()


def copy(source: Path, target: Path) -> None:
    """A file or a folder, caches and local state left out."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, target, ignore=shutil.ignore_patterns(*IGNORED), dirs_exist_ok=True)
    else:
        shutil.copy2(source, target)


def handout_requirements(text: str) -> str:
    """The kit's requirements.txt less what only the solution uses, and less the comments that name it."""
    kept = []
    for line in text.splitlines():
        name = line.split("==")[0].split(";")[0].strip().lower()
        if name in SOLUTION_ONLY:
            continue
        if line.startswith("#") and ("solution" in line or "make serve" in line or "waitress" in line):
            continue
        kept.append(line)
    return "\n".join(kept).rstrip("\n") + "\n"


def use_rubric(checks: Path, rubric_file: Path | None) -> None:
    """Put the instructor's rubric in a copy of checks/ (after checking it loads)."""
    if rubric_file is not None:
        rubric.load(rubric_file)
        shutil.copyfile(rubric_file, checks / "rubric.toml")


def build(target: Path, root: Path = ROOT, rubric_file: Path | None = None) -> Path:
    """Build the handout in target (replacing a previous build) and return it."""
    target = Path(target)
    replace_folder(target, Path("checks") / MANIFEST)
    copy(root / "templates" / "handout", target)
    for name in COPIED:
        copy(root / name, target / name)
    requirements = (root / "requirements.txt").read_text(encoding="utf-8")
    (target / "requirements.txt").write_text(handout_requirements(requirements), encoding="utf-8")
    use_rubric(target / "checks", rubric_file)
    write_manifest(target / "checks")
    return target


def arguments(prog: str, default: str, doc: str, argv: list[str] | None) -> argparse.Namespace:
    """TARGET and --rubric, for this builder and the Gradescope one."""
    parser = argparse.ArgumentParser(prog=prog, description=doc.split("\n\n")[0])
    parser.add_argument("target", nargs="?", default=default, help=f"where to build it (default: {default})")
    parser.add_argument("--rubric", type=Path, metavar="FILE", help="the rubric to ship (default: checks/rubric.toml)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = arguments("python -m tools.handout", "dist/handout", __doc__, argv)
    try:
        target = build(Path(args.target), rubric_file=args.rubric)
    except rubric.RubricError as error:
        raise SystemExit(f"python -m tools.handout: {error}") from None
    files = sum(1 for path in target.rglob("*") if path.is_file())
    print(
        f"Built {target}/: {files} files. Push it as your template repository: "
        "docs/instructor/classroom50.md or docs/instructor/github-actions.md"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
