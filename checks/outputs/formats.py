"""The formats the grader speaks, and one renderer for each.

Each renderer takes the `Grade` (and the run's options) and returns a string; none
prints: the CLI decides where the string goes. `Format` names the formats and
`RENDERERS` has one renderer for each, each in a module of its own (text, markdown,
junit, spreadsheet for CSV, gradescope); the contract's JSON is `Grade.to_dict()` as is.

Student-facing output (text and Markdown once the grade is `for_students()`) shows
hidden checks only as a count. The instructor's
formats (JSON, JUnit, CSV) show what the grade holds; Gradescope marks hidden checks'
visibility so that students see them once grades are published.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from enum import Enum

from checks.outputs.gradescope import render_gradescope
from checks.outputs.junit import render_junit
from checks.outputs.markdown import render_markdown
from checks.outputs.spreadsheet import render_csv
from checks.outputs.text import render_text
from checks.results import Grade

if sys.version_info >= (3, 11):
    from enum import StrEnum
else:  # Python 3.10

    class StrEnum(str, Enum):
        """Members that are their values, as strings (enum.StrEnum from Python 3.11)."""

        def __str__(self) -> str:
            return str(self.value)


class Format(StrEnum):
    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"
    JUNIT = "junit"
    GRADESCOPE = "gradescope"
    CSV = "csv"


Renderer = Callable[..., str]


def render_json(grade: Grade, color: bool = False, fail_under: float | None = None) -> str:
    """Exactly the contract's JSON object."""
    return json.dumps(grade.to_dict(), indent=2, ensure_ascii=False) + "\n"


RENDERERS: dict[str, Renderer] = {
    Format.TEXT: render_text,
    Format.JSON: render_json,
    Format.MARKDOWN: render_markdown,
    Format.JUNIT: render_junit,
    Format.GRADESCOPE: render_gradescope,
    Format.CSV: render_csv,
}
