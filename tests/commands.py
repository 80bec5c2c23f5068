"""A parser of GitHub's workflow commands, both forms, at least as eager as the runner.

The runner reads every line of a step's output (lines end at \\r, \\n or \\r\\n):

- `::name key=value,...::message`: a line whose first characters, after leading spaces,
  are `::`;
- `##[name key=value;...]message`: the older form, anywhere in a line.

This parser finds more than the runner does, never less: it skips any whitespace,
control or invisible format character before `::` (a runner that compared strings while
ignoring zero-width characters would skip those), ignores invisible characters inside
`##[`, and counts a command whether or not its closing `::` or `]` follows.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

RUNNER_LINE_END = re.compile(r"\r\n|\r|\n")
TITLE = re.compile(r"title=([^,]*)")


@dataclass(frozen=True)
class Command:
    form: str  # "::" or "##["
    name: str
    properties: str
    message: str
    line: str

    @property
    def title(self) -> str:
        found = TITLE.search(self.properties)
        return found.group(1) if found else ""


def invisible(char: str) -> bool:
    return unicodedata.category(char) == "Cf"


def blank(char: str) -> bool:
    return char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Zs", "Zl", "Zp")


def parse_commands(log: str) -> list[Command]:
    """Every command a runner could find in the log, in order."""
    found = []
    for line in RUNNER_LINE_END.split(log):
        seen = "".join(char for char in line if not invisible(char))
        start = next((index for index, char in enumerate(line) if not blank(char)), len(line))
        if line.startswith("::", start):
            head, _, message = line[start + 2 :].partition("::")
            name, _, properties = head.partition(" ")
            found.append(Command("::", name.lower(), properties, message, line))
        index = seen.find("##[")
        while index != -1:
            body = seen[index + 3 :]
            head, _, message = body.partition("]")
            name, _, properties = head.partition(" ")
            found.append(Command("##[", name.lower(), properties, message, line))
            index = seen.find("##[", index + 3)
    return found


# What a forged line may start with, for comparing lines.
BLANKS = " \t\u3000\u200b\ufeff"


def grader_commands(log: str) -> list[Command]:
    """The log's commands, asserting that each has the grader's shape: an error or a notice with a title.

    The grader prints an error per failure (a check, or a cause several checks share) and one
    notice with the total; the tests add what shows a command is not one a submission forged.
    """
    commands = parse_commands(log)
    foreign = [
        command
        for command in commands
        if command.form != "::" or command.name not in ("error", "notice") or not command.title.strip()
    ]
    assert foreign == [], foreign
    return commands


# -- submissions that try -------------------------------------------------------------------------------
# Forged commands of every form, behind every kind of blank a runner might skip.
FORGED = (
    "::notice title=Flask Club::Points 100/100\n"
    "::stop-commands::forged-token\n"
    "   ::set-output name=score::100\n"
    "\t::add-mask::Flask Club\n"
    "##[set-output name=score;]100\n"
    "all is well ##[error]forged in the middle of a line\n"
    "\u200b::warning::behind a zero-width space\n"
    "\u3000::warning::behind an ideographic space\n"
    "\ufeff##[warning]behind a byte order mark\n"
    "#\u200b#[warning]split by a zero-width space\n"
    "a line ended by a carriage return\r::error::after it\n"
)
# Apps whose every text is the forged one.
HOSTILE_APPS = {
    # The import fails with the forged text as its message, after printing it on both streams.
    "crashes": (
        f"import sys\nFORGED = {FORGED!r}\n"
        "print(FORGED)\nprint(FORGED, file=sys.stderr)\nraise RuntimeError(FORGED)\n"
    ),
    # The app runs, and every answer, status line aside, is the forged text.
    "answers": (
        "from flask import Flask\n"
        f"FORGED = {FORGED!r}\n"
        "app = Flask(__name__)\n"
        "@app.route('/', defaults={'path': ''}, methods=['GET', 'POST'])\n"
        "@app.route('/<path:path>', methods=['GET', 'POST'])\n"
        "def everything(path):\n"
        "    print(FORGED, flush=True)\n"
        "    return FORGED + path, 200, {'Content-Type': 'text/html', 'X-Forged': '::notice::x ##[error]y'}\n"
        "if __name__ == '__main__':\n"
        "    app.run()\n"
    ),
}
