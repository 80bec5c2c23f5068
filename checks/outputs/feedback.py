"""One student's feedback file, from the contract's JSON (with the keys it adds) or a Grade.

`feedback_markdown` and `feedback_text` write a class's feedback/<student>.md and .txt,
and the body of a release; the Markdown is rendered from templates/reports/feedback.md.j2,
so an instructor can restyle it without touching code.
"""

from __future__ import annotations

from pathlib import Path

import jinja2

from checks.outputs.markdown import markdown_items, markdown_table
from checks.outputs.text import render_text
from checks.outputs.wording import md, repeat
from checks.results import Grade, number

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "reports"


def feedback_markdown(result: dict | Grade, student: str = "") -> str:
    """One student's feedback file (or a release's body) in Markdown, from the contract's JSON or a Grade."""
    grade = result if isinstance(result, Grade) else Grade.from_dict(result)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["md"] = md
    return env.get_template("feedback.md.j2").render(
        grade=grade,
        student=student or grade.submission,
        score=f"{number(grade.score):g}/{number(grade.max_score):g}",
        table=markdown_table(grade),
        items=markdown_items(grade),
        repeat=repeat(grade),
    ).rstrip("\n") + "\n"


def feedback_text(result: dict | Grade, student: str = "") -> str:
    """One student's feedback as plain text: the text format's report, with the student named."""
    grade = result if isinstance(result, Grade) else Grade.from_dict(result)
    return f"Feedback for {student or grade.submission}\n\n" + render_text(grade)
