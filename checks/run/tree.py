"""Walking and removing any tree: thousands of folders deep, paths past 4,096 bytes, names that are not UTF-8.

Every call is relative to a folder descriptor and never follows a link; nothing here recurses.
Standard library only, like folders.py (the Gradescope bundle imports both before anything is installed).
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

WINDOW = 48  # folder descriptors a walk keeps open; deeper, it closes the oldest and reopens them through ".."
FOLDER = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def shown(name: str | bytes, limit: int = 160) -> str:
    """A file name as a message shows it: bytes that are not UTF-8 escaped (caf\\xe9.txt), a long path's middle cut."""
    text = (os.fsencode(name) if isinstance(name, str) else name).decode("utf-8", "backslashreplace")
    return text if len(text) <= limit else f"{text[: limit // 2]}…{text[-limit // 2 :]}"


def restore_modes(name: str, dir_fd: int) -> None:
    """Give the grader back read, write and search on a folder an app left at 000, 0300 or 0500 (never via a link)."""
    handle = os.open(name, os.O_PATH | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dir_fd)
    try:
        mode = stat.S_IMODE(os.fstat(handle).st_mode) | stat.S_IRWXU
        try:
            os.chmod(f"/proc/self/fd/{handle}", mode)  # the folder that handle holds, whatever is at `name` now
        except FileNotFoundError:  # no /proc: the name, which was a folder a moment ago
            os.chmod(name, mode, dir_fd=dir_fd)
    finally:
        os.close(handle)


def open_folder(name: str, dir_fd: int, repair: bool = False) -> int:
    """A descriptor of the folder `name` in `dir_fd` (never through a link); with `repair`, its u+rwx restored first."""
    try:
        descriptor = os.open(name, FOLDER, dir_fd=dir_fd)
    except PermissionError:
        if not repair:
            raise
        restore_modes(name, dir_fd)
        return os.open(name, FOLDER, dir_fd=dir_fd)
    if repair and os.fstat(descriptor).st_mode & stat.S_IRWXU != stat.S_IRWXU:
        try:
            os.fchmod(descriptor, stat.S_IMODE(os.fstat(descriptor).st_mode) | stat.S_IRWXU)
        except OSError:
            pass  # root needs none of it; a user's unlink below says what is left
    return descriptor


@dataclass
class Level:
    """One folder of a walk: its descriptor (None while closed), identity, path and names still to visit."""

    fd: int | None
    identity: tuple[int, int]
    relative: str
    names: list[str]


def identity(descriptor: int) -> tuple[int, int]:
    status = os.fstat(descriptor)
    return status.st_dev, status.st_ino


def walk(top: int, repair: bool = False, enter=None, problems: list[str] | None = None) -> Iterator[Entry]:
    """Every entry below the folder open as `top`, depth first and sorted, without recursion and never through a link.

    Yields an Entry for each file, link, fifo... (its lstat in `status`), and for each folder once
    its content has been yielded (`status` None: it can be removed now). A folder that
    `enter(relative, status)` declines is yielded with its status and not entered. Names are
    str with surrogate escapes (os.fsencode gives their bytes back); every call is relative to a
    folder descriptor, so no path is ever longer than one name. At most WINDOW descriptors are
    open at once. A folder that cannot be opened is named in `problems` (or raises, without it).
    `repair` gives the grader back u+rwx on each folder before reading it (see restore_modes).
    """
    levels = [Level(top, identity(top), "", sorted(os.listdir(top), reverse=True))]
    try:
        while levels:
            level = levels[-1]
            if level.names:
                name = level.names.pop()
                relative = f"{level.relative}/{name}" if level.relative else name
                try:
                    status = os.stat(name, dir_fd=level.fd, follow_symlinks=False)
                except FileNotFoundError:
                    continue
                if not stat.S_ISDIR(status.st_mode) or (enter is not None and not enter(relative, status)):
                    yield Entry(relative, level.fd, name, status)
                    continue
                try:
                    descriptor = open_folder(name, level.fd, repair)
                    try:
                        names = sorted(os.listdir(descriptor), reverse=True)
                    except OSError:
                        os.close(descriptor)
                        raise
                except OSError as error:
                    if problems is None:
                        raise
                    if len(problems) < 5:
                        problems.append(f"{shown(relative)}/: {error.strerror or error}")
                    continue
                levels.append(Level(descriptor, identity(descriptor), relative, names))
                if len(levels) > WINDOW + 1 and levels[-WINDOW - 1].fd is not None:
                    os.close(levels[-WINDOW - 1].fd)  # never levels[0]: `top` is the caller's
                    levels[-WINDOW - 1].fd = None
                continue
            levels.pop()
            if not levels:
                break
            parent = levels[-1]
            if parent.fd is None:
                parent.fd = os.open("..", FOLDER, dir_fd=level.fd)
                if identity(parent.fd) != parent.identity:
                    raise OSError(f"{shown(parent.relative)}/ was moved while it was walked")
            try:
                yield Entry(level.relative, parent.fd, level.relative.rpartition("/")[2], None)
            finally:
                os.close(level.fd)
                level.fd = None
    finally:
        for level in levels[1:]:
            if level.fd is not None:
                os.close(level.fd)


@dataclass
class Entry:
    """What walk() yields: a path below the top, the open folder holding it, its name there, its lstat or None."""

    relative: str
    dir_fd: int
    name: str
    status: os.stat_result | None


def remove_tree(path: str | Path) -> list[str]:
    """Remove a folder and all it holds, whatever an app made of it; return what could not be removed.

    Without recursion (a tree 3,000 folders deep is fine), never through a link, with no path
    longer than one name, and giving the grader back its permissions on each folder first
    (modes 000, 0300, 0500). A path that is not there is already removed.
    """
    path = os.fspath(path)
    parent, name = os.path.split(os.path.abspath(path))
    problems: list[str] = []
    try:
        above = os.open(parent, FOLDER)
    except OSError as error:
        return [] if isinstance(error, FileNotFoundError) else [f"{path}: {error.strerror or error}"]
    try:
        try:
            status = os.stat(name, dir_fd=above, follow_symlinks=False)
        except FileNotFoundError:
            return []
        if stat.S_ISDIR(status.st_mode):
            top = open_folder(name, above, repair=True)
            try:
                for entry in walk(top, repair=True, problems=problems):
                    try:
                        if entry.status is None:
                            os.rmdir(entry.name, dir_fd=entry.dir_fd)
                        else:
                            os.unlink(entry.name, dir_fd=entry.dir_fd)
                    except FileNotFoundError:
                        pass
                    except OSError as error:  # a folder left full by what could not go says nothing new
                        if error.errno != errno.ENOTEMPTY and len(problems) < 5:
                            problems.append(f"{shown(entry.relative)}: {error.strerror or error}")
            finally:
                os.close(top)
            if problems:
                return problems
            os.rmdir(name, dir_fd=above)
        else:
            os.unlink(name, dir_fd=above)
    except OSError as error:
        problems.append(f"{shown(path)}: {error.strerror or error}")
    finally:
        os.close(above)
    return problems
