"""Renderers: one graded result in every output format the grader speaks.

Each renderer takes the `Grade` (and the run's options) and returns a string; none
prints: the CLI decides where the string goes. `Format` names the formats and
`RENDERERS` has one renderer for each.

Student-facing output (text and Markdown once the grade is `for_students()`) shows
hidden checks only as a count. The instructor's
formats (JSON, JUnit, CSV) show what the grade holds; Gradescope marks hidden checks'
visibility so that students see them once grades are published.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from enum import Enum
from html import escape

from checks.results import CheckResult, Grade, StepResult, number

if sys.version_info >= (3, 11):
    from enum import StrEnum
else:  # Python 3.10

    class StrEnum(str, Enum):
        """Members that are their values, as strings (enum.StrEnum from Python 3.11)."""

        def __str__(self) -> str:
            return str(self.value)


PASS, FAIL = "✓", "✗"
GRADESCOPE_HIDDEN = "after_published"


class Format(StrEnum):
    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"
    JUNIT = "junit"
    GRADESCOPE = "gradescope"
    CSV = "csv"


Renderer = Callable[..., str]


# -- shared wording ---------------------------------------------------------------
def points(score: float, max_score: float) -> str:
    return f"{number(score):g}/{number(max_score):g}"


def paint(text: str, code: str, color: bool) -> str:
    return f"\033[{code}m{text}\033[0m" if color else text


def title(step: StepResult, check: CheckResult) -> str:
    """'step 5: two users' profiles don't overwrite each other'."""
    return f"{step.label}: {check.name}"


def visible(grade: Grade, check: CheckResult) -> bool:
    """Whether a reader of this grade sees the check by name (not a hidden one in a student view)."""
    return not (grade.student_view and check.hidden)


def shown(grade: Grade) -> list[tuple[StepResult, CheckResult]]:
    """The checks a reader sees by name, with their steps."""
    return [(step, check) for step, check in grade.checks if visible(grade, check)]


def hidden_line(grade: Grade) -> str:
    """'2 hidden checks: 1 passed', in a student view with hidden checks; else ''."""
    count, passed = grade.hidden_count()
    if not grade.student_view or not count:
        return ""
    return f"{count} hidden check{'s' if count != 1 else ''}: {passed} passed"


def modified_line(grade: Grade) -> str:
    """The warning for a grade made with checks that are not the instructor's; '' for one that is."""
    if not grade.modified:
        return ""
    listed = ", ".join(f"checks/{item}" for item in grade.modified[:5])
    more = f" and {len(grade.modified) - 5} more" if len(grade.modified) > 5 else ""
    return (
        f"checks/ is not the instructor's copy ({listed}{more}): this grade does not count; "
        "restore the checks with `git checkout -- checks` (or from a fresh copy of the handout)"
    )


def repeat(grade: Grade, step: StepResult | None = None) -> str:
    """The command that repeats this run (or one step of it)."""
    only = f" --step {step.id}" if step else ""
    return f"python -m checks {grade.submission}{only} --seed {grade.seed}"


def marks(grade: Grade, step: StepResult, color: bool = False) -> str:
    """One ✓ or ✗ per check the reader sees."""
    return "".join(
        paint(PASS, "32", color) if check.passed else paint(FAIL, "31", color)
        for check in step.checks
        if visible(grade, check)
    )


def below(grade: Grade, fail_under: float | None) -> bool:
    """Whether the run misses the pass mark (a grade with modified checks always does)."""
    return fail_under is not None and (grade.score < fail_under or bool(grade.modified))


# -- text -------------------------------------------------------------------------
def render_text(grade: Grade, color: bool = False, fail_under: float | None = None) -> str:
    """The per-step table, then what each failed check said, then how to repeat the run."""
    lines = [f"Flask Club checks for {grade.submission} (seed {grade.seed})", ""]
    if grade.modified:
        lines += [paint(f"! {modified_line(grade)}", "1;33", color), ""]
    width = max((len(step.title) for step in grade.steps), default=10)
    for step in grade.steps:
        note = "  (not counted)" if not step.counted else ""
        score = points(step.score, step.max_score)
        lines.append(f"  {step.label:<8} {step.title:<{width}}  {score:>7}  {marks(grade, step, color)}{note}")
    lines.append(f"  {'total':<8} {'':<{width}}  {points(grade.score, grade.max_score):>7}")
    if hidden_line(grade):
        lines.append(f"  {hidden_line(grade)}")
    failed = [(step, check) for step, check in shown(grade) if not check.passed]
    said: dict[str, str] = {}
    for step, check in failed:
        tag = "  (hidden from students)" if check.hidden else ""
        lines += ["", paint(f"{FAIL} {step.label}  {check.name}{tag}", "1;31", color)]
        reason = check.message.split("\nread: ")[0]
        if reason in said:
            lines.append(f"    the same as for “{said[reason]}” above")
            continue
        said[reason] = check.name
        lines += [f"    {line}" for line in check.message.splitlines()]
    lines.append("")
    hidden_failed = sum(1 for _, check in grade.checks if not visible(grade, check) and not check.passed)
    if failed or hidden_failed:
        extra = f" (and {hidden_failed} hidden)" if hidden_failed else ""
        lines.append(f"{len(failed)} check(s) to fix{extra}. Repeat this run's data with --seed {grade.seed}.")
    else:
        lines.append(paint("Every check passed.", "1;32", color) + f" (seed {grade.seed})")
    if below(grade, fail_under):
        lines.append(f"Below the pass mark: {number(fail_under):g} points needed.")
    return "\n".join(lines) + "\n"


# -- the contract's JSON ------------------------------------------------------------
def render_json(grade: Grade, color: bool = False, fail_under: float | None = None) -> str:
    """Exactly the contract's JSON object."""
    return json.dumps(grade.to_dict(), indent=2, ensure_ascii=False) + "\n"


# -- Markdown (GitHub's job summary) ----------------------------------------------
def md(text: str) -> str:
    """Text safe in a Markdown table cell or an HTML summary: no tags, no pipes, one line."""
    return escape(text, quote=False).replace("|", "\\|").replace("\n", " ")


def fence(text: str) -> str:
    """A fenced code block that no run of backticks in the text can close."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}text\n{text}\n{ticks}"


def render_markdown(grade: Grade, color: bool = False, fail_under: float | None = None) -> str:
    """The per-step table as Markdown, then each failed check in a collapsible block."""
    lines = [f"## Flask Club: {points(grade.score, grade.max_score)}", ""]
    if grade.modified:
        lines += [f"> **Warning:** {md(modified_line(grade))}", ""]
    lines += ["| step | | points | checks |", "| --- | --- | ---: | --- |"]
    for step in grade.steps:
        note = " (not counted)" if not step.counted else ""
        score = points(step.score, step.max_score)
        lines.append(f"| {step.label} | {md(step.title)}{note} | {score} | {marks(grade, step) or ' '} |")
    lines += [f"| **total** | | **{points(grade.score, grade.max_score)}** | |", ""]
    if hidden_line(grade):
        lines += [f"{hidden_line(grade)}.", ""]
    if fail_under is not None:
        verdict = "not reached" if below(grade, fail_under) else "reached"
        lines += [f"Pass mark: {number(fail_under):g} points, {verdict}.", ""]
    lines += [f"Seed {grade.seed}: repeat this run's data with `--seed {grade.seed}`.", ""]
    failed = [(step, check) for step, check in shown(grade) if not check.passed]
    if failed:
        lines += ["### To fix", ""]
    said: dict[str, str] = {}
    for step, check in failed:
        tag = " (hidden from students)" if check.hidden else ""
        reason = check.message.split("\nread: ")[0]
        if reason in said:
            lines += [f"- {FAIL} {md(title(step, check))}{tag}: the same as for “{md(said[reason])}” above", ""]
            continue
        said[reason] = check.name
        summary = f"<details><summary>{FAIL} {md(title(step, check))}{tag}</summary>"
        lines += [summary, "", fence(check.message), "", "</details>", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


# -- JUnit XML ----------------------------------------------------------------------
XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text: str) -> str:
    """Text XML 1.0 can hold: control characters a student's app may send are dropped."""
    return XML_UNSAFE.sub("", text)


def render_junit(grade: Grade, color: bool = False, fail_under: float | None = None) -> str:
    """One <testsuite> per step, one <testcase> per check, points as properties."""
    cases = shown(grade)
    root = ET.Element(
        "testsuites",
        name="Flask Club",
        tests=str(len(cases)),
        failures=str(sum(1 for _, check in cases if not check.passed and not check.broken)),
        errors=str(sum(1 for _, check in cases if check.broken)),
        time=f"{grade.duration:.3f}",
    )
    properties = ET.SubElement(root, "properties")
    facts = [("submission", grade.submission), ("seed", grade.seed)]
    facts += [("score", number(grade.score)), ("max_score", number(grade.max_score))]
    if grade.modified:
        facts.append(("checks_modified", ", ".join(grade.modified)))
    if hidden_line(grade):
        facts.append(("hidden", hidden_line(grade)))
    for key, value in facts:
        ET.SubElement(properties, "property", name=key, value=xml_text(str(value)))
    for step in grade.steps:
        checks = [check for check in step.checks if visible(grade, check)]
        suite = ET.SubElement(
            root,
            "testsuite",
            name=xml_text(f"{step.label} {step.title}"),
            tests=str(len(checks)),
            failures=str(sum(1 for check in checks if not check.passed and not check.broken)),
            errors=str(sum(1 for check in checks if check.broken)),
            time=f"{sum(check.duration for check in checks):.3f}",
        )
        for check in checks:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=f"checks.{step.label.replace(' ', '')}",
                name=xml_text(title(step, check)),
                time=f"{check.duration:.3f}",
            )
            if check.file:
                case.set("file", check.file)
                case.set("line", str(check.line))
            props = ET.SubElement(case, "properties")
            ET.SubElement(props, "property", name="score", value=str(number(check.score)))
            ET.SubElement(props, "property", name="max_score", value=str(number(check.max_score)))
            if not step.counted:
                ET.SubElement(props, "property", name="counted", value="false")
            if check.hidden:
                ET.SubElement(props, "property", name="hidden", value="true")
            if not check.passed:
                kind = "error" if check.broken else "failure"
                first = check.message.splitlines()[0] if check.message else "failed"
                element = ET.SubElement(case, kind, message=xml_text(first[:200]), type=kind)
                element.text = xml_text(check.message)
            elif check.message:
                ET.SubElement(case, "system-out").text = xml_text(check.message)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# -- CSV: one gradebook row -----------------------------------------------------------
def csv_columns(grade: Grade) -> list[str]:
    return ["submission", "seed", "score", "max_score", *(step.label for step in grade.steps)]


def render_csv(grade: Grade, color: bool = False, fail_under: float | None = None, header: bool = True) -> str:
    """A header and one row: the submission, its seed, its total and each step's points."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if header:
        writer.writerow(csv_columns(grade))
    row = [grade.submission, grade.seed, number(grade.score), number(grade.max_score)]
    writer.writerow(row + [number(step.score) for step in grade.steps])
    return buffer.getvalue()


# -- Gradescope -----------------------------------------------------------------------
def render_gradescope(grade: Grade, color: bool = False, fail_under: float | None = None) -> str:
    """Gradescope's results.json: the total, one test per check with its points and visibility."""
    void = bool(grade.modified)
    tests = []
    for step in grade.steps:
        for index, check in enumerate(step.checks, start=1):
            tests.append(
                {
                    "name": title(step, check) + ("" if step.counted else " (extra, not counted)"),
                    "number": f"{step.id}.{index}",
                    "score": number(check.score) if step.counted and not void else 0,
                    "max_score": number(check.max_score) if step.counted else 0,
                    "status": "passed" if check.passed else "failed",
                    "output": check.message,
                    "tags": [step.label],
                    "visibility": GRADESCOPE_HIDDEN if check.hidden else "visible",
                }
            )
    summary = [f"Flask Club checks: {points(grade.score, grade.max_score)} (seed {grade.seed})."]
    if grade.modified:
        summary.insert(0, modified_line(grade) + ".")
    hidden, _ = grade.hidden_count()
    if hidden:
        summary.append(f"{hidden} of the tests are shown once grades are published.")
    result = {
        "score": 0 if void else number(grade.score),
        "execution_time": max(1, round(grade.duration)),
        "output": " ".join(summary),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }
    return json.dumps(result, indent=2, ensure_ascii=False) + "\n"


RENDERERS: dict[str, Renderer] = {
    Format.TEXT: render_text,
    Format.JSON: render_json,
    Format.MARKDOWN: render_markdown,
    Format.JUNIT: render_junit,
    Format.GRADESCOPE: render_gradescope,
    Format.CSV: render_csv,
}
