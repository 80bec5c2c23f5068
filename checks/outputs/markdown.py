"""The Markdown format (GitHub's job summary, a Classroom 50 release body, a class's feedback/<student>.md)."""

from __future__ import annotations

from checks.outputs.items import failed_items, item_lines
from checks.outputs.wording import below, fence, hidden_line, md, points, repeat, visible
from checks.results import Grade, number


def markdown_items(grade: Grade, level: int = 3) -> list[str]:
    """The failed checks as Markdown: a heading per item, its text in a fenced block."""
    lines = []
    for item in failed_items(grade):
        tag = " (hidden from students)" if item.check.hidden else ""
        if item.same_as:
            lines += [f"- ✗ {md(item.heading)}{tag}: the same as for “{md(item.same_as)}” above", ""]
            continue
        lines += [f"{'#' * level} ✗ {md(item.heading)}{tag}", "", fence("\n".join(item_lines(grade, item))), ""]
    return lines


def markdown_table(grade: Grade) -> list[str]:
    """The per-step table, in Markdown (a void grade's points all 0)."""
    lines = ["| step | | points | checks |", "| --- | --- | ---: | --- |"]
    for step in grade.steps:
        note = " (not counted)" if not step.counted else ""
        score = f"{number(grade.points(step)):g}/{number(step.max_score):g}"
        marks = "".join(
            "–" if check.not_run else "✓" if check.passed else "✗" for check in step.checks if visible(grade, check)
        )
        lines.append(f"| {md(step.label)} | {md(step.title)}{note} | {score} | {marks or ' '} |")
    lines.append(f"| **total** | | **{number(grade.score):g}/{number(grade.max_score):g}** | |")
    return lines


def render_markdown(grade: Grade, color: bool = False, fail_under: float | None = None) -> str:
    """The per-step table as Markdown, then each thing to fix (a shared cause once)."""
    lines = [f"## Flask Club: {points(grade.score, grade.max_score)}", ""]
    if grade.void:
        lines += [f"> **Warning:** {md(grade.void)}", ""]
    lines += [*markdown_table(grade), ""]
    if hidden_line(grade):
        lines += [f"{hidden_line(grade)}.", ""]
    if fail_under is not None:
        verdict = "not reached" if below(grade, fail_under) else "reached"
        lines += [f"Pass mark: {number(fail_under):g} points, {verdict}.", ""]
    lines += [f"Seed {grade.seed}: repeat this run's data with `{repeat(grade)}`.", ""]
    items = markdown_items(grade)
    if items:
        lines += ["### To fix", "", *markdown_items(grade, level=4)]
    return "\n".join(lines).rstrip("\n") + "\n"
