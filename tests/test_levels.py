"""checks/rubric.py's ALL_LEVELS is the one list of the levels: a level 4 is one edit there, and every output follows.

No other module of the grader spells a level's steps: the text header, the gradebook's columns, the
class report's blocks (mean points, passed/stuck/never tried, failing checks) all read ALL_LEVELS.
"""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

from checks import rubric

LEVEL_3 = '    Level(3, "Level 3: the club grows up", ("12", "13", "14", "15", "16"), "level3"),\n'
LEVEL_4 = '    Level(4, "Level 4: the club goes live", ("17", "18"), "level4"),\n'
MODULES_END = '    "16": "test_step16_tests.py",\n'
MODULES_4 = '    "17": "test_step17_deploy.py",\n    "18": "test_step18_backup.py",\n'

# With the edited copy first on sys.path: a grade of levels 1 and 4, through each output that names levels.
SCRIPT = r"""
import json, sys
from checks import rubric
from checks.outputs.class_report import grades_csv, summary
from checks.outputs.formats import RENDERERS
from checks.results import CheckResult, Failure, Grade, StepResult
from checks.run.class_files import Outcome

assert rubric.LEVELS[4] == ["17", "18"] and rubric.parse_steps("17-18") == ["17", "18"]
steps = []
for level in (rubric.ALL_LEVELS[0], rubric.ALL_LEVELS[3]):
    for step_id in level.steps:
        step = StepResult(step_id, "Step " + step_id, rubric.label(step_id), "")
        failed = step_id == "18"
        failure = Failure("no backup was made") if failed else None
        step.checks.append(CheckResult("test_" + step_id, "check " + step_id, not failed, 0.0 if failed else 5.0, 5.0,
                                       "no backup was made" if failed else "", failure=failure))
        steps.append(step)
grade = Grade("mira", 7, steps)
result = grade.to_dict()
report = summary([Outcome("mira", result, 1.0, student_view=result)], 7)
print(json.dumps({
    "text": RENDERERS["text"](grade).splitlines()[0],
    "csv": RENDERERS["csv"](grade).splitlines()[0],
    "grades_csv": grades_csv([Outcome("mira", result, 1.0, student_view=result)]).splitlines()[0],
    "blocks": [(block["name"], block["range"], block["mean"]) for block in report["blocks"]],
    "tried": [(block["name"], [row["student"] for row in block["stuck"]]) for block in report["tried"]],
    "failing": [(block["name"], [row["id"] for row in block["rows"]]) for block in report["failing_blocks"]],
    "on": [list(rubric.parse(json.loads(sys.argv[1]), every_step=on)) for on in (False, True)],
}))
"""


def rubric_with(steps: dict[str, int], **settings: bool) -> dict:
    """A parsed rubric's data: each step's one check worth its points, and the given level settings."""
    table = {step: {"title": f"Step {step}", "doc": "docs/x.md", "points": {f"test_{step}": points}}
             for step, points in steps.items()}
    return {"steps": table, **settings}


def test_a_fourth_level_is_one_edit_in_rubric_py(tmp_path):
    """A copy of the grader whose rubric.py has a level 4 (and its modules) names it in every output."""
    copy = tmp_path / "checks"
    shutil.copytree(ROOT / "checks", copy, ignore=shutil.ignore_patterns("__pycache__"))
    source = (copy / "rubric.py").read_text()
    assert source.count(LEVEL_3) == 1 and source.count(MODULES_END) == 1
    (copy / "rubric.py").write_text(source.replace(LEVEL_3, LEVEL_3 + LEVEL_4).replace(MODULES_END,
                                                                                        MODULES_END + MODULES_4))
    data = rubric_with({**{str(n): 10 for n in range(1, 8)}, "17": 5, "18": 5}, level4=True)
    done = subprocess.run([sys.executable, "-c", SCRIPT, json.dumps(data)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["text"] == "Flask Club checks for mira: levels 1 and 4 (seed 7)"
    assert seen["csv"].split(",")[5:14] == [*(f"step_{n}" for n in range(1, 8)), "step_17", "step_18"]
    assert seen["grades_csv"] == seen["csv"]
    assert seen["blocks"] == [["Level 1", "steps 1 to 7", 35.0], ["Level 4: the club goes live", "steps 17 to 18", 5.0]]
    assert seen["tried"] == [["Level 4: the club goes live", ["mira"]]]
    assert seen["failing"] == [["Level 1", []], ["Level 4: the club goes live", ["18"]]]
    assert seen["on"] == [[*map(str, range(1, 8)), "17", "18"]] * 2  # level4 = true turns steps 17 and 18 on


def step_id_literals(path: Path) -> list[tuple[int, list[str]]]:
    """Literal lists, tuples, sets and dict keys in a module made of two or more step ids ("8", "9", ...)."""
    ids = set(rubric.ALL_STEP_IDS)
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        items = node.keys if isinstance(node, ast.Dict) else getattr(node, "elts", None)
        if not isinstance(node, ast.List | ast.Tuple | ast.Set | ast.Dict) or not items:
            continue
        values = [item.value for item in items if isinstance(item, ast.Constant) and isinstance(item.value, str)]
        if len(values) >= 3 and len(values) == len(items) and set(values) <= ids:
            found.append((node.lineno, values))
    return found


def test_no_module_but_the_rubric_spells_a_level():
    """Which steps a level holds is written in checks/rubric.py alone: no other module of the grader or its
    templates holds a literal list of three or more step ids."""
    modules = [*sorted((ROOT / "checks").rglob("*.py")), *sorted((ROOT / "templates").rglob("*.py"))]
    found = {
        str(path.relative_to(ROOT)): literals
        for path in modules
        if path != ROOT / "checks" / "rubric.py" and (literals := step_id_literals(path))
    }
    assert found == {}
    assert step_id_literals(ROOT / "checks" / "rubric.py")  # the scan does see a literal list where there is one
