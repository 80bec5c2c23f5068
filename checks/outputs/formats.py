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
from collections.abc import Callable, Iterable
from enum import Enum

from checks.outputs.feedback import (
    blocked_note,
    failed_items,
    item_lines,
    markdown_items,
    md,
    repeat,
    things_to_fix,
    visible,
)
from checks.results import CheckResult, Grade, StepResult, number

if sys.version_info >= (3, 11):
    from enum import StrEnum
else:  # Python 3.10

    class StrEnum(str, Enum):
        """Members that are their values, as strings (enum.StrEnum from Python 3.11)."""

        def __str__(self) -> str:
            return str(self.value)


PASS, FAIL, NOT_RUN = "✓", "✗", "–"  # not run: a check this copy of the kit cannot run (worth 0 here)
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
    """The warning for a void grade (checks that are not the instructor's); '' for one that counts."""
    return grade.void


def check_output(grade: Grade, step: StepResult, check: CheckResult) -> str:
    """A check's text where each check has its own (Gradescope, Classroom 50): a blocked one names its cause."""
    if check.passed:
        return check.message
    return blocked_note(grade, check) or check.message


def marks(grade: Grade, step: StepResult, color: bool = False) -> str:
    """One ✓ or ✗ per check the reader sees."""
    return "".join(
        NOT_RUN if check.not_run else paint(PASS, "32", color) if check.passed else paint(FAIL, "31", color)
        for check in step.checks
        if visible(grade, check)
    )


def below(grade: Grade, fail_under: float | None) -> bool:
    """Whether the run misses the pass mark (a grade with modified checks always does)."""
    return fail_under is not None and (grade.score < fail_under or bool(grade.void))


def graded(grade: Grade) -> str:
    """What the run graded: 'level 1', 'levels 1 and 2', or 'steps 8, 9' where it is no whole level."""
    from checks.rubric import LEVELS

    ids = [step.id for step in grade.steps]
    levels = [level for level, steps in LEVELS.items() if steps and set(steps) <= set(ids)]
    if levels and sorted(ids, key=int) == sorted((s for level in levels for s in LEVELS[level]), key=int):
        names = [str(level) for level in levels]
        return f"level {names[0]}" if len(names) == 1 else f"levels {', '.join(names[:-1])} and {names[-1]}"
    return ("step " if len(ids) == 1 else "steps ") + ", ".join(ids)


# -- text -------------------------------------------------------------------------
def render_text(grade: Grade, color: bool = False, fail_under: float | None = None) -> str:
    """The per-step table, then each thing to fix (a shared cause once), then how to repeat the run."""
    lines = [f"Flask Club checks for {grade.submission}: {graded(grade)} (seed {grade.seed})", ""]
    if grade.void:
        lines += [paint(f"! {grade.void}", "1;33", color), ""]
    width = max((len(step.title) for step in grade.steps), default=10)
    for step in grade.steps:
        note = "  (not counted)" if not step.counted else ""
        score = points(grade.points(step), step.max_score)
        lines.append(f"  {step.label:<8} {step.title:<{width}}  {score:>7}  {marks(grade, step, color)}{note}")
    lines.append(f"  {'total':<8} {'':<{width}}  {points(grade.score, grade.max_score):>7}")
    if hidden_line(grade):
        lines.append(f"  {hidden_line(grade)}")
    items = failed_items(grade)
    for item in items:
        tag = "  (hidden from students)" if item.check.hidden else ""
        heading = item.heading if item.cause else f"{item.step.label}  {item.check.name}"
        lines += ["", paint(f"{FAIL} {heading}{tag}", "1;31", color)]
        if item.same_as:
            lines.append(f"    the same as for “{item.same_as}” above")
            continue
        lines += [f"    {line}" for line in item_lines(grade, item)]
    for step, check in shown(grade):
        if check.not_run:
            lines += ["", f"{NOT_RUN} {step.label}  {check.name}"]
            lines += [f"    {line}" for line in check.details.problem.splitlines()]
    lines.append("")
    failed = [check for _, check in shown(grade) if not check.passed and not check.not_run]
    hidden_failed = sum(1 for _, check in grade.checks if not visible(grade, check) and not check.passed)
    if grade.void:
        lines.append(paint(f"! {grade.void}", "1;33", color))
    elif failed or hidden_failed:
        extra = f" (and {hidden_failed} hidden)" if hidden_failed else ""
        things = f"{things_to_fix(items)} thing(s) to fix, {len(failed)} failed check(s){extra}."
        lines.append(f"{things} Repeat this run's data: {repeat(grade)}")
    else:
        lines.append(paint("Every check passed.", "1;32", color) + f" (seed {grade.seed})")
    if below(grade, fail_under):
        lines.append(f"Below the pass mark: {number(fail_under):g} points needed.")
    if grade.isolation:
        lines.append(f"The app ran in: {grade.isolation}")
    return "\n".join(lines) + "\n"


# -- the contract's JSON ------------------------------------------------------------
def render_json(grade: Grade, color: bool = False, fail_under: float | None = None) -> str:
    """Exactly the contract's JSON object."""
    return json.dumps(grade.to_dict(), indent=2, ensure_ascii=False) + "\n"


# -- Markdown (GitHub's job summary) ----------------------------------------------
def render_markdown(grade: Grade, color: bool = False, fail_under: float | None = None) -> str:
    """The per-step table as Markdown, then each thing to fix (a shared cause once)."""
    from checks.outputs.feedback import markdown_table

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
        failures=str(sum(1 for _, check in cases if not check.passed and not check.broken and not check.not_run)),
        errors=str(sum(1 for _, check in cases if check.broken)),
        skipped=str(sum(1 for _, check in cases if check.not_run)),
        time=f"{grade.duration:.3f}",
    )
    properties = ET.SubElement(root, "properties")
    facts = [("submission", grade.submission), ("seed", grade.seed)]
    facts += [("score", number(grade.score)), ("max_score", number(grade.max_score))]
    if grade.void:
        facts.append(("void", grade.void))
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
            failures=str(sum(1 for check in checks if not check.passed and not check.broken and not check.not_run)),
            errors=str(sum(1 for check in checks if check.broken)),
            skipped=str(sum(1 for check in checks if check.not_run)),
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
            ET.SubElement(props, "property", name="score", value=str(number(grade.points(check))))
            ET.SubElement(props, "property", name="max_score", value=str(number(check.max_score)))
            if not step.counted:
                ET.SubElement(props, "property", name="counted", value="false")
            if check.hidden:
                ET.SubElement(props, "property", name="hidden", value="true")
            if check.not_run:
                ET.SubElement(case, "skipped", message=xml_text(check.details.problem[:200]))
            elif not check.passed:
                kind = "error" if check.broken else "failure"
                element = ET.SubElement(case, kind, message=xml_text(check.details.problem[:200]), type=kind)
                element.text = xml_text(check.message)
            elif check.message:
                ET.SubElement(case, "system-out").text = xml_text(check.message)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# -- CSV: the gradebook's layout, for one submission and for a class ---------------------
# One layout everywhere: `python -m checks DIR --format csv` writes one row of it, a class's
# grades.csv one row per student. Steps are columns step_1 ... step_7 (the JSON's step ids),
# then level 2's step_8 ... step_11 where level 2 is graded (see layout_steps), so a
# spreadsheet or a script reads either file the same way.
PROVENANCE = ["rubric", "rubric_sha256", "kit_version", "graded_at"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def layout_steps(graded: Iterable[str] = (), level2: bool = False) -> list[str]:
    """The steps a gradebook has columns for: level 1's seven, then each further level's where it is graded.

    `graded` are the step ids a run graded: one of level 2's among them (or `level2`) brings its
    four columns, one of level 3's its five; without, the layout is level 1's alone, as it always was.
    """
    from checks.rubric import LEVEL_2, LEVEL_3, STEP_IDS

    graded = set(graded)
    steps = list(STEP_IDS)
    if level2 or graded & set(LEVEL_2):
        steps += LEVEL_2
    if graded & set(LEVEL_3):
        steps += LEVEL_3
    return steps


def gradebook_columns(step_ids: list[str] | None = None) -> list[str]:
    """student, lms_id, seed, score, max_score, step_1 ... step_7 (... step_11), status, isolation, what graded it."""
    from checks.rubric import STEP_IDS

    steps = [f"step_{step_id}" for step_id in (step_ids or STEP_IDS)]
    return ["student", "lms_id", "seed", "score", "max_score", *steps, "status", "isolation", *PROVENANCE]


def cell(value: object) -> object:
    """A value safe in a spreadsheet: text that a spreadsheet would run as a formula gets a leading '."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(rows: list[list], lineterminator: str = "\n") -> str:
    """Rows as CSV, every text cell neutralised (see cell)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=lineterminator)
    writer.writerows([[cell(value) for value in row] for row in rows])
    return buffer.getvalue()


def gradebook_row(
    student: str,
    seed: object = "",
    score: object = "",
    max_score: object = "",
    steps: dict[str, object] | None = None,
    status: str = "graded",
    graded_with: dict | None = None,
    lms_id: str = "",
    step_ids: list[str] | None = None,
    isolation: str = "",
) -> list:
    """One row of gradebook_columns()."""
    from checks.rubric import STEP_IDS

    steps, graded_with = steps or {}, graded_with or {}
    row = [student, lms_id, seed, score, max_score, *(steps.get(step_id, "") for step_id in (step_ids or STEP_IDS))]
    return row + [status, isolation, *(graded_with.get(key, "") for key in PROVENANCE)]


def render_csv(grade: Grade, color: bool = False, fail_under: float | None = None, header: bool = True) -> str:
    """The gradebook's header and this submission's row: its seed, total and each step's points."""
    steps = {step.id: number(grade.points(step)) for step in grade.steps}
    step_ids = layout_steps(steps)
    row = gradebook_row(
        grade.submission, grade.seed, number(grade.score), number(grade.max_score), steps,
        graded_with=getattr(grade, "graded_with", None), isolation=grade.isolation, step_ids=step_ids,
    )
    return csv_text([gradebook_columns(step_ids), row] if header else [row])


# -- Gradescope -----------------------------------------------------------------------
def render_gradescope(grade: Grade, color: bool = False, fail_under: float | None = None) -> str:
    """Gradescope's results.json: the total, one test per check with its points and visibility."""
    tests = []
    for step in grade.steps:
        for index, check in enumerate(step.checks, start=1):
            tests.append(
                {
                    "name": title(step, check) + ("" if step.counted else " (extra, not counted)"),
                    "number": f"{step.id}.{index}",
                    "score": number(grade.points(check)) if step.counted else 0,
                    "max_score": number(check.max_score) if step.counted else 0,
                    "status": "passed" if check.passed else "failed",
                    "output": check_output(grade, step, check),
                    "tags": [step.label],
                    "visibility": GRADESCOPE_HIDDEN if check.hidden else "visible",
                }
            )
    summary = [f"Flask Club checks: {points(grade.score, grade.max_score)} (seed {grade.seed})."]
    if grade.void:
        summary.insert(0, grade.void + ".")
    for item in failed_items(grade):
        if item.cause is not None:
            summary.append(f"{item.heading}: {item.failure.problem} ({item.blocked_line()}.)")
    hidden, _ = grade.hidden_count()
    if hidden:
        summary.append(f"{hidden} of the tests are shown once grades are published.")
    result = {
        "score": number(grade.score),
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
