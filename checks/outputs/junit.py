"""The JUnit XML format: one <testsuite> per step, one <testcase> per check, for CI test reports."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from checks.outputs.wording import hidden_line, shown, title, visible
from checks.results import Grade, number

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
