"""How a class did at each level, for its report: mean points per level, and who passed, is stuck or never tried.

The levels, their names and their steps are checks/rubric.py's ALL_LEVELS; a level a result does
not hold is left out.
"""

from __future__ import annotations

from checks import rubric
from checks.rubric import label
from checks.run.class_files import Outcome


def level_points(result: dict, step_ids: list[str], key: str = "score") -> float:
    """A result's points (or, with key="max_score", their maximum) from its counted steps among step_ids."""
    return sum(step[key] for step in result["steps"] if step["id"] in step_ids and step.get("counted", True))


def level_blocks(graded: list[Outcome], step_stats: list[dict], step_ids: list[str]) -> list[dict]:
    """The report's blocks of steps: one per level graded (1, then 2 and 3 where graded), with mean points."""
    blocks = []
    for level in rubric.ALL_LEVELS:
        ids = level.steps
        if ids[0] not in step_ids:
            continue
        earned = [level_points(outcome.result, ids) for outcome in graded]
        blocks.append(
            {"level": level.number, "name": level.name, "range": level.span,
             "ids": [step_id for step_id in ids if step_id in step_ids],
             "steps": [stat for stat in step_stats if stat["id"] in ids],
             "mean": sum(earned) / len(earned) if earned else 0,
             "max": max((level_points(outcome.result, ids, "max_score") for outcome in graded), default=0)}
        )
    return blocks


def level_progress(result: dict, level: int, ids: list[str] | tuple[str, ...]) -> dict | None:
    """How far a student got in a level the result grades: "passed", "stuck" or "never tried", with the facts.

    passed: every step of the level passed. Otherwise, tried ("stuck") where a check of the level that is
    worth points passed or kept a point, or where the student's folder holds one of the level's files
    (class_run.LEVEL_FILES: templates/base.html or login.html for level 2; config.py, tests/ or
    templates/register.html for level 3); "never tried" where none of that is so. None: level not graded.
    """
    steps = [step for step in result["steps"] if step["id"] in ids]
    if not steps:
        return None
    counted = [step for step in steps if step.get("counted", True)]
    earned = sum(step["score"] for step in counted)
    most = sum(step["max_score"] for step in counted)
    checks = [check for step in steps for check in step["checks"]]
    passing = [check for check in checks if check["max_score"] and (check["passed"] or check["score"] > 0)]
    files = (result.get("level_files") or {}).get(str(level), [])
    unpassed = [step for step in steps if not step["passed"]]
    if not unpassed:
        state = "passed"
    elif passing or files:
        state = "stuck"
    else:
        state = "never tried"
    return {"state": state, "earned": earned, "max": most, "files": files, "passing": len(passing),
            "at": label(unpassed[0]["id"]) if unpassed else "", "at_title": unpassed[0]["title"] if unpassed else ""}


def tried_blocks(graded: list[Outcome]) -> list[dict]:
    """For each level after the first that some result grades: who passed it, who is stuck, who never tried it.

    (Level 1 is every student's start, so it is not told apart this way.)
    """
    blocks = []
    for level in rubric.ALL_LEVELS[1:]:
        rows = {"passed": [], "stuck": [], "never tried": []}
        for outcome in graded:
            progress = level_progress(outcome.result, level.number, level.steps)
            if progress is not None:
                rows[progress["state"]].append({"student": outcome.student, **progress})
        if any(rows.values()):
            blocks.append({"level": level.number, "name": level.name, "range": level.span,
                           "passed": rows["passed"], "stuck": rows["stuck"], "never": rows["never tried"]})
    return blocks
