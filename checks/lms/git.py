"""A folder of git clones, one repository per student (`assignment-username`, as
`gh classroom clone student-repos` or ghclass name them): the username is what follows the
common prefix, and the kit names the student's folder from it."""

from __future__ import annotations

from pathlib import Path

from checks.lms.archive import DownloadBudget
from checks.lms.placement import Entry, Imported, Namer, build, copy_tree


def from_git(source: Path, out: Path, namer: Namer, budget: DownloadBudget, paths: list[Path]) -> Imported:
    report = Imported("git")
    repositories = [path for path in paths if path.is_dir() and (path / ".git").exists()]
    names = [path.name for path in repositories]
    prefix = ""
    if len(names) >= 2:
        common = names[0]
        for name in names[1:]:
            while not name.startswith(common):
                common = common[:-1]
        prefix = common[: common.rfind("-") + 1] if "-" in common else ""
    for path in repositories:
        username = path.name[len(prefix):] or path.name
        folder = namer.name(username, username)
        entry = Entry(folder, "git", username, username)
        build(out / folder, budget, entry, lambda target, path=path: copy_tree(path, target))
        report.entries.append(entry)
    for path in paths:
        if path not in repositories:
            report.unplaced.append(f"{path.name}: not a git repository")
    return report
