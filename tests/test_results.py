"""A grade crosses a process boundary (a class's workers) in one form, Grade.to_dict(), read by Grade.from_dict().

The grade below holds every kind of result: passed, failed with every part of a failure, blocked by a
shared cause, not run, broken, hidden, an extra that does not count, and level 3's steps. Read back from
its JSON it must be the same grade, field by field (but for the few facts of the run it does not write), so a
field that to_dict or from_dict drops fails here.
"""

from __future__ import annotations

import ast
import dataclasses
import json

import pytest
from conftest import ROOT

from checks import rubric
from checks.outputs.formats import RENDERERS
from checks.results import CheckResult, Failure, Grade, StepResult

# The fields that do not travel, facts of the run rather than of the grade, so that a seed given back repeats
# the JSON exactly: how long it took, what graded it and when, how the front end that renders it shows failures.
NOT_WRITTEN = {(Grade, "duration"), (Grade, "graded_with"), (Grade, "brief"), (CheckResult, "duration")}


def every_kind() -> Grade:
    """A grade with every field of every part set to something other than its default somewhere."""
    every = rubric.load(every_step=True)
    steps = []
    for step_id in [*rubric.STEP_IDS, *rubric.LEVEL_3]:
        step = every[step_id]
        result = StepResult(step.id, step.title, step.label, step.doc, counted=step_id != "6")
        for line, (name, points) in enumerate(step.points.items(), start=10):
            result.checks.append(
                CheckResult(name, f"the check {name} holds", True, points, points, "",
                            file=f"checks/{step.module.name}", line=line, duration=0.125 * line)
            )
        steps.append(result)
    first, template, password, tests = steps[0].checks[0], steps[2].checks[0], steps[6].checks[0], steps[-1].checks
    whole = Failure(
        "expected 200, got 500",
        log=["POST /user/ → 303", "GET /user/Mira%20K → 500"],
        expected="200",
        actual="500",
        hint="is the profile stored where GET /user/<username> reads it?",
        doc="docs/student/step-1.md#how-it-is-checked",
        label="step 1",
        cause="app",
        replay=["curl -d username=Mira localhost:5000/user/"],
    )
    failed = [
        (first, whole),
        (steps[1].checks[0], Failure("app.py does not load", cause="app")),
        (template, Failure("the check itself raised KeyError", broken=True)),
        (tests[0], Failure("the mutants are not in this copy of the kit", not_run=True)),
        (password, Failure("a hidden check's failure")),
    ]
    for check, failure in failed:
        check.passed, check.score, check.message, check.failure = False, 0.0, failure.text(), failure
    tests[1].passed, tests[1].score, tests[1].message = False, tests[1].max_score / 2, "kept half"
    password.hidden = True
    return Grade(
        "path/to/mira", 1234, steps, duration=3.75, isolation="bubblewrap",
        graded_with={"rubric": "checks/rubric.toml", "kit_version": "1.2", "graded_at": "2026-12-01T09:00:00+00:00"},
    )


def unwritten(grade: Grade) -> Grade:
    """The grade with each field to_dict does not write (NOT_WRITTEN) back at its default."""
    steps = [
        dataclasses.replace(step, checks=[dataclasses.replace(check, duration=0.0) for check in step.checks])
        for step in grade.steps
    ]
    return dataclasses.replace(grade, steps=steps, duration=0.0, graded_with={}, brief="")


def through_json(grade: Grade) -> Grade:
    """The grade as a worker writes it and the class reads it: to_dict, a line of JSON, from_dict."""
    return Grade.from_dict(json.loads(json.dumps(grade.to_dict())))


def parts(grade: Grade) -> list:
    """The grade and every step, check and failure in it."""
    checks = [check for step in grade.steps for check in step.checks]
    return [grade, *grade.steps, *checks, *(check.failure for check in checks if check.failure)]


def test_the_grade_sets_every_field_somewhere():
    """Each field of Grade, StepResult, CheckResult and Failure differs from its default in the grade below
    (with a void reason and a student view beside it): a field added later must be added there too."""
    void = dataclasses.replace(every_kind(), modified=["app.py modified"], voided="an old copy", student_view=True)
    grades = [every_kind(), void]
    for kind in (Grade, StepResult, CheckResult, Failure):
        for field in dataclasses.fields(kind):
            if (kind, field.name) in NOT_WRITTEN or field.default is dataclasses.MISSING is field.default_factory:
                continue
            default = field.default if field.default is not dataclasses.MISSING else field.default_factory()
            values = [getattr(part, field.name) for grade in grades for part in parts(grade) if type(part) is kind]
            assert any(value != default for value in values), f"{kind.__name__}.{field.name} is never set"


def test_a_grade_reads_back_as_it_was():
    """Every field comes back, failures and all: not run, broken, hidden, blocked, level 3's steps."""
    grade = every_kind()
    assert through_json(grade) == unwritten(grade)


def test_the_students_view_reads_back_as_it_was():
    """What a student may see (hidden checks masked, their ids too) reads back the same."""
    student = every_kind().for_students()
    assert "test_" not in json.dumps([c for s in student.to_dict()["steps"] for c in s["checks"] if c["hidden"]])
    assert through_json(student) == unwritten(student)


def test_a_void_grade_reads_back_void_with_no_points():
    """A void grade's points are written as 0 (every format gives it zero), and read back so; its reason stays."""
    grade = every_kind()
    grade.modified = ["test_step1_server.py modified"]
    back = through_json(grade)
    assert back.void == grade.void and back.modified == grade.modified and back.voided == ""
    zeroed = [dataclasses.replace(check, score=0.0) for _, check in unwritten(grade).checks]
    assert [check for _, check in back.checks] == zeroed
    assert dataclasses.replace(back, steps=[]) == dataclasses.replace(unwritten(grade), steps=[])  # the rest as it was


def test_a_void_reason_of_its_own_reads_back():
    """A grade read as void from an older file (its reason alone) keeps that reason."""
    grade = dataclasses.replace(every_kind(), voided="checks/ is not the instructor's copy")
    assert through_json(grade).void == "checks/ is not the instructor's copy"


@pytest.mark.parametrize("name", sorted(RENDERERS))
def test_every_format_reads_the_same_from_the_read_back_grade(name):
    """A class's outputs, rendered from what its workers sent, are the ones the grade itself renders."""
    grade = every_kind()
    for view in (grade, grade.for_students()):
        assert RENDERERS[name](through_json(view)) == RENDERERS[name](unwritten(view))


def test_a_seed_given_back_writes_the_same_json():
    """Two runs of one seed differ in their durations and time graded, never in what to_dict writes."""
    first, second = every_kind(), every_kind()
    second.duration, second.graded_with = 9.5, {"graded_at": "2026-12-02T10:00:00+00:00"}
    second.steps[0].checks[0].duration = 7.0
    assert first.to_dict() == second.to_dict()


def test_only_the_grading_builds_a_grade_and_only_from_dict_reads_one():
    """A Grade is made where the checks run (checks/run/pytest_plugin.py) or read back by Grade.from_dict():
    no other module of the grader builds one, or its steps and checks, from data of its own."""
    allowed = {"checks/results.py", "checks/run/pytest_plugin.py"}
    builders = {"Grade", "StepResult", "CheckResult"}
    found = []
    for path in sorted((ROOT / "checks").rglob("*.py")):
        where = path.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = getattr(node.func, "id", None) if isinstance(node, ast.Call) else None
            if name in builders and where not in allowed:
                found.append(f"{where}:{node.lineno} {name}(…)")
    assert found == []
