"""What a class's grading leaves behind: grades.csv, feedback per student, report.html.

The feedback files and the report are rendered from the Jinja templates in
templates/reports/, so an instructor can restyle them without touching code.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

import jinja2

from checks.rubric import STEP_IDS, label
from checks.run.classroom import Outcome, write_atomically

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "reports"


def environment(folder: Path = TEMPLATES) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        # Every value is escaped in the report (student ids and error messages are the students' text).
        autoescape=jinja2.select_autoescape(["html", "html.j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def grades_csv(outcomes: list[Outcome]) -> str:
    """One row per student: id, total, max, one column per step, status (for a spreadsheet or an LMS)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", "score", "max_score", *(f"step_{step}" for step in STEP_IDS), "status"])
    for outcome in outcomes:
        if outcome.result is None:
            writer.writerow([outcome.student, "", "", *([""] * len(STEP_IDS)), f"error: {outcome.error}"])
            continue
        steps = {step["id"]: step["score"] for step in outcome.result["steps"]}
        writer.writerow(
            [
                outcome.student,
                outcome.result["score"],
                outcome.result["max_score"],
                *(steps.get(step, "") for step in STEP_IDS),
                "graded",
            ]
        )
    return buffer.getvalue()


def summary(outcomes: list[Outcome], seed: int) -> dict:
    """What the class report shows: distribution, pass rates, common failures, slowest."""
    graded = [outcome for outcome in outcomes if outcome.result is not None]
    bins = [0] * 11  # 0-9, 10-19, ..., 90-99, 100 (as a percentage of the maximum)
    for outcome in graded:
        share = outcome.result["score"] / outcome.result["max_score"] if outcome.result["max_score"] else 0
        bins[min(int(share * 100) // 10, 10)] += 1
    pass_rates = []
    for step_id in STEP_IDS:
        steps = [s for outcome in graded for s in outcome.result["steps"] if s["id"] == step_id]
        if steps:
            passed = sum(step["passed"] for step in steps)
            pass_rates.append(
                {"id": step_id, "label": label(step_id), "title": steps[0]["title"], "passed": passed,
                 "total": len(steps), "rate": passed / len(steps)}
            )
    failing = Counter(
        (step["id"], check["name"])
        for outcome in graded
        for step in outcome.result["steps"]
        for check in step["checks"]
        if not check["passed"]
    )
    scores = sorted(outcome.result["score"] for outcome in graded)
    return {
        "seed": seed,
        "students": len(outcomes),
        "graded": len(graded),
        "errors": [outcome for outcome in outcomes if outcome.result is None],
        "mean": sum(scores) / len(scores) if scores else 0,
        "median": scores[len(scores) // 2] if scores else 0,
        "full_marks": sum(1 for outcome in graded if outcome.result["score"] == outcome.result["max_score"]),
        "bins": [
            {"label": f"{10 * i}–{10 * i + 9}" if i < 10 else "100", "count": count} for i, count in enumerate(bins)
        ],
        "bin_max": max(bins) if graded else 1,
        "pass_rates": pass_rates,
        "failing": [
            {"label": label(step_id), "name": name, "count": count}
            for (step_id, name), count in failing.most_common(10)
        ],
        "slowest": sorted(outcomes, key=lambda outcome: outcome.seconds, reverse=True)[:10],
        "outcomes": outcomes,
        "step_ids": STEP_IDS,
    }


def write_reports(out: Path, outcomes: list[Outcome], seed: int, templates: Path = TEMPLATES) -> None:
    """grades.csv, feedback/<student>.md and report.html, rendered from the templates."""
    env = environment(templates)
    write_atomically(out / "grades.csv", grades_csv(outcomes))
    feedback = env.get_template("feedback.md.j2")
    for outcome in outcomes:
        if outcome.student_view is not None:
            text = feedback.render(result=outcome.student_view, student=outcome.student, label=label)
            write_atomically(out / "feedback" / f"{outcome.student}.md", text)
    report = env.get_template("report.html.j2").render(**summary(outcomes, seed), label=label)
    write_atomically(out / "report.html", report)
