"""Text for a CI log that nothing a submission writes can turn into a workflow command.

GitHub's runner reads every line a step prints, on standard output and standard error,
looking for commands in two forms: `::name key=value,...::message` at the start of a line
(after leading spaces), and the older `##[name key=value;...]message` anywhere in a line.
Commands set step outputs and environment variables, mask text, print annotations, and
stop the runner from reading any other command (`::stop-commands::TOKEN`). A message, an
answer, a header, a file or folder name, or the output of a student's app, printed as it
is, could forge a grade or silence the grader's own annotations.

`neutralize(text)` returns the text with neither form in it; `guard()` makes every line
this process prints pass through it (where the stream goes to a log, not to a file), and
`own(text)` writes the grader's own commands past the guard. Classroom 50's autograder
relays its grading process's output through `neutralize` too. Standard library only: the
autograder uses this module before the grader's dependencies are installed.
"""

from __future__ import annotations

import atexit
import io
import os
import re
import stat
import sys
import unicodedata
from typing import TextIO

# Where the runner ends a line (it splits on \r, \n and \r\n; these are more, to be safe).
LINE_END = re.compile(r"\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
OLD_FORM = "##["


def skipped(char: str) -> bool:
    """A character a runner may skip before a command: whitespace, control and invisible format characters."""
    return char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Zs", "Zl", "Zp")


def neutralize_line(line: str) -> str:
    """One line (no line end in it) that starts no `::` command and holds no `##[` one.

    Invisible format characters (zero-width spaces and joiners, byte order marks...) are
    dropped, since a comparison that ignores them would see a command through them; a
    `##[` becomes `## [`; a line whose first visible characters are `::` gets `: :`.
    """
    line = "".join(char for char in line if unicodedata.category(char) != "Cf")
    while OLD_FORM in line:
        line = line.replace(OLD_FORM, "## [")
    start = next((index for index, char in enumerate(line) if not skipped(char)), len(line))
    if line.startswith("::", start):
        line = line[:start] + ": :" + line[start + 2 :]
    return line


def neutralize(text: str) -> str:
    """The text, line by line, with no workflow command in any line (line ends kept)."""
    out, position = [], 0
    for end in LINE_END.finditer(text):
        out += [neutralize_line(text[position : end.start()]), end.group()]
        position = end.end()
    out.append(neutralize_line(text[position:]))
    return "".join(out)


class Guarded(io.TextIOBase):
    """A text stream that writes whole lines, each neutralized, to the stream it wraps.

    A line is held until it ends (a command could otherwise be completed by the next
    write), and written when the process exits; `own` writes the grader's own commands.
    """

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self.stream = stream
        self.pending = ""

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.stream, "encoding", "utf-8")

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return getattr(self.stream, "errors", None)

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return self.stream.isatty()

    def write(self, text: str) -> int:
        self.pending += text
        ends = list(LINE_END.finditer(self.pending))
        if ends:
            cut = ends[-1].end()
            self.stream.write(neutralize(self.pending[:cut]))
            self.pending = self.pending[cut:]
        return len(text)

    def end_line(self) -> None:
        """Write a held partial line, ended."""
        if self.pending:
            self.stream.write(neutralize_line(self.pending) + "\n")
            self.pending = ""

    def own(self, text: str) -> None:
        """The grader's own text, commands included, at the start of a line."""
        self.end_line()
        self.stream.write(text)
        self.stream.flush()

    def flush(self) -> None:
        self.stream.flush()

    def close(self) -> None:
        self.end_line()
        self.stream.flush()


def goes_to_a_log(stream: TextIO) -> bool:
    """Whether the stream may reach a runner's log: anything but a regular file."""
    try:
        return not stat.S_ISREG(os.fstat(stream.fileno()).st_mode)
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return True


def in_ci(environ: dict[str, str] | None = None) -> bool:
    """Whether this process runs in GitHub Actions (Classroom 50's autograder runs there too)."""
    environ = os.environ if environ is None else environ
    return environ.get("GITHUB_ACTIONS") == "true"


def guard() -> None:
    """Neutralize everything this process prints on standard output and error, where it reaches a log."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if isinstance(stream, Guarded) or not goes_to_a_log(stream):
            continue
        guarded = Guarded(stream)
        setattr(sys, name, guarded)
        atexit.register(guarded.close)


def own(text: str, stream: TextIO | None = None) -> None:
    """Write the grader's own workflow commands (built with `command`) past the guard."""
    stream = sys.stdout if stream is None else stream
    if isinstance(stream, Guarded):
        stream.own(text)
    else:
        stream.write(text)
        stream.flush()


def escape_data(text: str) -> str:
    """A command's message: neutralized, then escaped as GitHub's toolkit does (one line)."""
    return neutralize(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A command's property, such as a title: escaped as GitHub's toolkit does."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(kind: str, title: str, message: str) -> str:
    """`::kind title=...::message`, one line, whatever the title and the message hold."""
    return f"::{kind} title={escape_property(title)}::{escape_data(message)}"
