"""What a class's grading leaves behind: grades.csv, feedback per student, report.html, LMS exports.

The feedback files and the report are rendered from the Jinja templates in
templates/reports/, so an instructor can restyle them without touching code.
Where the class folder came from `python -m checks import` (its students.csv names
the LMS), the gradebook file that LMS imports is written too (see gradebooks.py).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timezone
from pathlib import Path

import jinja2

from checks import rubric
from checks.outputs import gradebooks
from checks.outputs.class_levels import level_blocks, tried_blocks
from checks.outputs.feedback import feedback_markdown, feedback_text
from checks.outputs.spreadsheet import csv_text, gradebook_columns, gradebook_row, layout_steps
from checks.rubric import label
from checks.run.class_files import Outcome, write_atomically

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


def class_steps(outcomes: list[Outcome], level2: bool = False) -> list[str]:
    """The steps every output of the class has columns for: level 1's, then each further level's where it was graded.

    A level was graded where any student's result holds one of its steps (level 2 also where the rubric
    turned it on, `level2`); one layout for the whole class, students who could not be graded included.
    """
    graded = {step["id"] for outcome in outcomes if outcome.result is not None for step in outcome.result["steps"]}
    return layout_steps(graded, level2)


def grades_csv(
    outcomes: list[Outcome], ids: dict[str, str] | None = None, level2: bool = False, late: set[str] = frozenset()
) -> str:
    """One row per student in the gradebook's layout (spreadsheet.gradebook_columns): the same as one submission's.

    Its step columns are step_1 ... step_7, then each further level's where it was graded (class_steps).
    A student the LMS marked late (students.csv's `late`, in `late`) has " (late)" after their status.
    """
    ids = ids or {}
    step_ids = class_steps(outcomes, level2)
    rows = [gradebook_columns(step_ids)]
    for outcome in outcomes:
        lms_id = ids.get(outcome.student, "")
        status = outcome.status + (" (late)" if outcome.student in late else "")
        if outcome.result is None:  # a grader error is a 0, with its reason; not submitted stays blank
            score = "" if outcome.missing else 0
            rows.append(gradebook_row(outcome.student, score=score, status=status, lms_id=lms_id, step_ids=step_ids))
            continue
        result = outcome.result
        steps = {step["id"]: step["score"] for step in result["steps"]}
        rows.append(
            gradebook_row(
                outcome.student, result["seed"], result["score"], result["max_score"], steps, status=status,
                graded_with=result.get("grading"), lms_id=lms_id, isolation=str(result.get("isolation") or ""),
                step_ids=step_ids,
            )
        )
    return csv_text(rows)


def readable(moment: str) -> str:
    """'2026-11-30 09:06 UTC' from an ISO 8601 time in UTC ('' stays '')."""
    try:
        return datetime.fromisoformat(moment).astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        return moment


def step_cells(result: dict, step_ids: list[str]) -> list:
    """A result's points for each of step_ids, in order ('' for a step it does not hold)."""
    scores = {step["id"]: step["score"] for step in result["steps"]}
    return [scores.get(step_id, "") for step_id in step_ids]


def points_lost(check: dict) -> float:
    """What a failed check cost: its points less any it kept (step 16 keeps a part); 0 for a feedback check."""
    return max(check["max_score"] - check["score"], 0) if not check["passed"] else 0


def ranked(rows: list[dict]) -> list[dict]:
    """Failing checks by the points they cost the class, most first; then by how many failed; then step order."""
    order = rubric.every_step_id()
    return sorted(
        rows,
        key=lambda row: (-row["lost"], -row["count"], order.index(row["id"]) if row["id"] in order else 99),
    )


def summary(outcomes: list[Outcome], seed: int, level2: bool = False, late: set[str] = frozenset()) -> dict:
    """What the class report shows: who was graded, how steps and checks went, who failed what.

    Each further level graded (see class_steps) is a block of its own (`blocks`, `failing_blocks`,
    and `tried`), after level 1's, and its steps a column each in the table of students.
    """
    step_ids = class_steps(outcomes, level2)
    graded = [outcome for outcome in outcomes if outcome.result is not None]
    missing = [outcome for outcome in outcomes if outcome.missing]
    errors = [outcome for outcome in outcomes if outcome.result is None and not outcome.missing]
    bins = [0] * 11  # 0-9, 10-19, ..., 90-99, 100 (as a percentage of the maximum)
    for outcome in graded:
        share = outcome.result["score"] / outcome.result["max_score"] if outcome.result["max_score"] else 0
        bins[min(int(share * 100) // 10, 10)] += 1
    step_stats = []
    for step_id in step_ids:
        steps = [s for outcome in graded for s in outcome.result["steps"] if s["id"] == step_id]
        if steps:
            passed = sum(step["passed"] for step in steps)
            mean = sum(step["score"] for step in steps) / len(steps)
            most = max(step["max_score"] for step in steps)
            step_stats.append(
                {"id": step_id, "label": label(step_id), "title": steps[0]["title"], "passed": passed,
                 "total": len(steps), "rate": passed / len(steps), "mean": mean, "max": most,
                 "share": mean / most if most else 1.0}
            )
    who: dict[tuple[str, str], list[str]] = defaultdict(list)
    worth: dict[tuple[str, str], float] = {}
    lost: dict[tuple[str, str], float] = defaultdict(float)
    for outcome in graded:
        for step in outcome.result["steps"]:
            for check in step["checks"]:
                if not check["passed"]:
                    who[(step["id"], check["name"])].append(outcome.student)
                    worth[(step["id"], check["name"])] = check["max_score"]
                    lost[(step["id"], check["name"])] += points_lost(check)
    failing = ranked([
        {"id": step_id, "label": label(step_id), "name": name, "count": len(who[(step_id, name)]),
         "students": sorted(who[(step_id, name)]), "points": worth[(step_id, name)],
         "lost": round(lost[(step_id, name)], 2), "level": rubric.level_of(step_id).number}
        for step_id, name in who
    ])
    all_lost = sum(row["lost"] for row in failing)
    costly = [{**row, "share": row["lost"] / all_lost} for row in failing if row["lost"] > 0][:5]
    scores = sorted(outcome.result["score"] for outcome in graded)
    stamps = [outcome.result["grading"] for outcome in graded if outcome.result.get("grading")]
    latest = max(stamps, key=lambda stamp: stamp["graded_at"], default={})
    isolation = Counter(str(outcome.result["isolation"]) for outcome in graded if outcome.result.get("isolation"))
    return {
        "seed": seed,
        "students": len(outcomes),
        "graded": len(graded),
        "regraded": sum(1 for outcome in graded if not outcome.reused),
        "unchanged": sum(1 for outcome in graded if outcome.reused),
        "missing": missing,
        "errors": errors,
        "mean": sum(scores) / len(scores) if scores else 0,
        "median": scores[len(scores) // 2] if scores else 0,
        "full_marks": sum(1 for outcome in graded if outcome.result["score"] == outcome.result["max_score"]),
        "max_score": graded[0].result["max_score"] if graded else 0,
        "bins": [
            {"label": f"{10 * i}–{10 * i + 9}" if i < 10 else "100", "count": count} for i, count in enumerate(bins)
        ],
        "bin_max": max(bins) if graded else 1,
        "steps": step_stats,
        "blocks": level_blocks(graded, step_stats, step_ids),
        "failing": failing,
        "costly": costly,
        "lost_total": round(all_lost, 2),
        "tried": tried_blocks(graded),
        "late": [outcome for outcome in outcomes if outcome.student in late],
        "late_names": set(late),
        "failing_blocks": [
            {"level": level.number, "name": level.name, "range": level.span,
             "rows": [row for row in failing if row["level"] == level.number]}
            for level in rubric.ALL_LEVELS
            if level.steps[0] in step_ids
        ],
        "slowest": sorted(graded + errors, key=lambda outcome: outcome.seconds, reverse=True)[:10],
        "outcomes": outcomes,
        "step_ids": step_ids,
        "cells": {outcome.student: step_cells(outcome.result, step_ids) for outcome in graded},
        "rubric": latest.get("rubric", ""),
        "rubric_sha256": latest.get("rubric_sha256", ""),
        "kit_version": latest.get("kit_version", ""),
        "graded_at": readable(latest.get("graded_at", "")),
        "written_at": readable(datetime.now(timezone.utc).isoformat()),
        "isolation": ", ".join(f"{way} ({count})" if len(isolation) > 1 else way for way, count in isolation.items()),
    }


def prune(out: Path, outcomes: list[Outcome]) -> list[Path]:
    """Remove the JSON and feedback files of anyone not graded in this run: a gradebook never mixes runs.

    A student whose folder is gone, now empty, or could not be graded this time keeps no
    result from an earlier run (made, perhaps, with another rubric).
    """
    graded = {outcome.student for outcome in outcomes if outcome.result is not None}
    removed = []
    for folder, suffixes in (("json", (".json",)), ("feedback", (".json", ".md", ".txt"))):
        for path in sorted((out / folder).glob("*")) if (out / folder).is_dir() else ():
            if path.is_file() and path.suffix in suffixes and path.stem not in graded:
                path.unlink()
                removed.append(path)
    return removed


def write_reports(
    out: Path, outcomes: list[Outcome], seed: int, templates: Path = TEMPLATES, roster=None, level2: bool = False
) -> list[Path]:
    """grades.csv, feedback/<student>.md and .txt (plain, for an LMS comment box), report.html, the LMS's gradebook.

    `roster` is the class folder's students.csv as `checks.lms.roster.read_roster` gives it (None: no LMS).
    `level2`: the rubric grades level 2, so grades.csv and the report have its steps' columns and
    block even where no student could be graded (they do wherever a result holds one of its steps).
    """
    prune(out, outcomes)
    env = environment(templates)
    ids = {student: entry.lms_id for student, entry in (roster.students.items() if roster else ())}
    late = {student for student, entry in (roster.students.items() if roster else ()) if entry.late}
    write_atomically(out / "grades.csv", grades_csv(outcomes, ids, level2, late))
    written = [out / "grades.csv"]
    texts = {}
    for outcome in outcomes:
        if outcome.student_view is not None:
            markdown = feedback_markdown(outcome.student_view, outcome.student)
            write_atomically(out / "feedback" / f"{outcome.student}.md", markdown)
            texts[outcome.student] = feedback_text(outcome.student_view, outcome.student)
            write_atomically(out / "feedback" / f"{outcome.student}.txt", texts[outcome.student])
    report = env.get_template("report.html.j2").render(**summary(outcomes, seed, level2, late), label=label)
    write_atomically(out / "report.html", report)
    written.append(out / "report.html")
    if roster is not None and roster.lms in gradebooks.EXPORTS:
        name, render = gradebooks.EXPORTS[roster.lms]
        write_atomically(out / name, render(outcomes, roster, texts))
        written.append(out / name)
    return written
