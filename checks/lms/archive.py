"""Zips from a download, read as hostile input: one budget for a download and every zip nested in it.

A member whose path would leave the target, or a symbolic link, is left out and reported.
Sizes are counted twice: as the zip declares them, before anything is written (a zip
bomb with honest headers costs nothing), and as the bytes come out (one that lies stops
at the cap). A zip inside a student's zip is unpacked in place of itself, into a folder of
its name, up to the budget's depth.
"""

from __future__ import annotations

import re
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

SKIPPED = {"__MACOSX", ".DS_Store", "Thumbs.db"}


class DownloadError(ValueError):
    """Something can't be imported; the message says why, in one line."""


@dataclass(frozen=True)
class DownloadLimits:
    """What a download may unpack to, every nested zip included: files, bytes in all and per file, zip depth."""

    members: int = 50_000
    total: int = 1 << 30  # 1 GiB unpacked
    file: int = 100 << 20  # 100 MiB
    depth: int = 3  # the download, a student's zip, one zip inside that


DOWNLOAD_LIMITS = DownloadLimits()


class DownloadBudget:
    """What is left of a download's DownloadLimits: every archive unpacked from it, at any depth, draws on it."""

    def __init__(self, limits: DownloadLimits = DOWNLOAD_LIMITS):
        self.limits = limits
        self.files = 0
        self.bytes = 0

    def snapshot(self) -> tuple[int, int]:
        return self.files, self.bytes

    def restore(self, snapshot: tuple[int, int]) -> None:
        """Give back what a refused archive took (its files are removed with it)."""
        self.files, self.bytes = snapshot

    def declare(self, name: str, members: list[zipfile.ZipInfo]) -> None:
        """DownloadError when what a zip declares would pass the limits, before a byte is written."""
        if self.files + len(members) > self.limits.members:
            raise DownloadError(f"{name} holds {len(members)} files, more than {self.limits.members}")
        declared = sum(info.file_size for info in members)
        if self.bytes + declared > self.limits.total:
            raise DownloadError(f"{name} unpacks past {mebibytes(self.limits.total)} in all (with what it is in)")

    def take(self, name: str, member: str, written: int, chunk: int) -> None:
        """Count a chunk as it comes out; DownloadError past a limit."""
        self.bytes += chunk
        if written > self.limits.file:
            raise DownloadError(f"{name}: {member} unpacks past {mebibytes(self.limits.file)}")
        if self.bytes > self.limits.total:
            raise DownloadError(f"{name} unpacks past {mebibytes(self.limits.total)} in all (with what it is in)")


def mebibytes(size: int) -> str:
    return f"{size >> 20} MiB"


def safe_member(name: str) -> PurePosixPath | None:
    """A member's path inside the target, or None when it would leave it (absolute, `..`, a drive)."""
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or not path.parts or ".." in path.parts or re.match(r"^[A-Za-z]:", path.parts[0]):
        return None
    parts = [part for part in path.parts if part not in ("", ".")]
    return PurePosixPath(*parts) if parts else None


def is_zip_name(name: str) -> bool:
    return name.lower().endswith(".zip")


def extract(archive: Path, target: Path, budget: DownloadBudget | DownloadLimits | None = None, depth: int = 1,
            nested: bool = False, label: str | None = None) -> list[str]:
    """Unpack a zip into target, member by member; return what was left out and why.

    `depth` is this zip's (1 for the download itself); with `nested`, a zip inside is unpacked
    in place of itself. Raise DownloadError for a file that is not a zip, one past the budget,
    or zips nested deeper than the budget allows.
    """
    budget = budget if isinstance(budget, DownloadBudget) else DownloadBudget(budget or DOWNLOAD_LIMITS)
    name = label or archive.name
    if depth > budget.limits.depth:
        raise DownloadError(f"{name}: zips nested more than {budget.limits.depth} deep")
    left_out: list[str] = []
    inner: list[Path] = []
    try:
        with zipfile.ZipFile(archive) as bundle:
            members = bundle.infolist()
            budget.declare(name, members)
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
                budget.files += 1
                destination = target.joinpath(*path.parts)
                if destination.is_symlink() or (destination.exists() and not destination.is_file()):
                    left_out.append(f"{info.filename}: a name already taken in the folder")
                    continue
                destination.parent.mkdir(parents=True, exist_ok=True)
                written = 0
                with bundle.open(info) as source, open(destination, "wb") as sink:
                    while chunk := source.read(1 << 16):
                        written += len(chunk)
                        budget.take(name, info.filename, written, len(chunk))
                        sink.write(chunk)
                if nested and is_zip_name(path.name):
                    inner.append(destination)
    except zipfile.BadZipFile as error:
        raise DownloadError(f"{name} is not a zip file, or a damaged one ({error})") from None
    except (zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError, OSError, ValueError) as error:
        if isinstance(error, DownloadError):
            raise
        raise DownloadError(f"{name} cannot be unpacked: {error}") from None
    for path in inner:
        folder = path.with_name(path.name[: -len(".zip")] or "zip")
        if folder.exists():
            continue  # a folder of that name came in the zip too: the inner zip stays as it is
        folder.mkdir()
        left_out += extract(path, folder, budget, depth + 1, nested=True, label=f"{name}: {path.name}")
        path.unlink()
    return left_out
