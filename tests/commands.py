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


# The commands the grader itself prints: an error per failing check, and a notice with the total.
OWN_TITLE = re.compile(r"(step|extra) \d+%3A .+|Hidden checks|Checks modified|Flask Club|Grader crashed")


def grader_commands(log: str) -> list[Command]:
    """The log's commands, asserting that every one of them is the grader's own."""
    commands = parse_commands(log)
    foreign = [
        command
        for command in commands
        if command.form != "::" or command.name not in ("error", "notice") or not OWN_TITLE.fullmatch(command.title)
    ]
    assert foreign == [], foreign
    return commands
