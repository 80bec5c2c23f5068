"""The engine's structure, as the next engineer needs it: parts that stand alone, one way in.

Read from the code's own import statements (module level and inside functions alike):
- no two modules of checks/ import each other, directly or around a circle;
- no front end imports another (the CLI, `make watch`, a class's worker process, the LMS
  import and the CI bundles each call checks.grade.grade and render with checks/outputs/);
- a step module talks to the student's app through the `club` fixture alone: nothing of
  the sandbox or of the run's machinery.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHECKS = ROOT / "checks"

# The front ends: each parses what its user gives and calls grade(); none is built on another.
FRONT_ENDS = {
    "checks.cli": CHECKS / "cli.py",
    "checks.watch": CHECKS / "watch.py",
    "checks.run.worker": CHECKS / "run" / "worker.py",
    "checks.lms": CHECKS / "lms" / "__init__.py",
    "classroom50 bundle": ROOT / "templates" / "classroom50" / "autograder.py",
    "gradescope bundle": ROOT / "templates" / "gradescope" / "autograde.py",
}
# What a step module may import of the kit: the check's vocabulary and the run's fixtures (the Grading
# plugin's type; step 16's runner of the student's tests), never the sandbox or the copy's machinery.
STEP_MODULE_MAY_USE = (
    "checks.club", "checks.notes", "checks.reply", "checks.replay", "checks.symptoms",
    "checks.accounts", "checks.outbox", "checks.password_scan", "checks.shared_apps",
    "checks.members", "checks.photos", "checks.data", "checks.results", "checks.source",
    "checks.run.pytest_plugin", "checks.run.student_tests",
)


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(CHECKS.rglob("*.py")) if "__pycache__" not in path.parts}


def imported(path: Path, known: set[str]) -> set[str]:
    """The kit's modules a file imports, wherever the import stands (`from checks.a import b` names checks.a.b
    where that is a module, else checks.a)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("checks")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("checks") and not node.level:
            for alias in node.names:
                whole = f"{node.module}.{alias.name}"
                found.add(whole if whole in known else node.module)
    return {name for name in found if name in known}


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imported(path, set(known)) - {name} for name, path in known.items()}


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every group of modules that reach each other through imports (Tarjan's strongly connected components)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(edges.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_the_circle_finder_finds_a_circle():
    """The finder itself: a -> b -> c -> a is one circle, d -> a is none."""
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_two_modules_of_checks_import_each_other():
    """No import circle in checks/, directly or around several modules."""
    found = circles(graph())
    assert not found, "modules that import each other: " + "; ".join(" <-> ".join(group) for group in found)


@pytest.mark.parametrize("front_end", sorted(FRONT_ENDS))
def test_no_front_end_imports_another(front_end):
    """Each front end calls grade() and an output; it never borrows another front end's code."""
    known = set(modules())
    uses = imported(FRONT_ENDS[front_end], known)
    others = {name for name in FRONT_ENDS if name != front_end and name.startswith("checks")}
    assert not uses & others, f"{front_end} imports {sorted(uses & others)}"


def test_every_front_end_grades_through_the_one_entry_point():
    """The CLI, watch, a class's worker and the Classroom 50 bundle all call checks.grade.grade."""
    known = set(modules())
    for front_end in ("checks.cli", "checks.watch", "checks.run.worker", "classroom50 bundle"):
        assert "checks.grade" in imported(FRONT_ENDS[front_end], known), front_end


@pytest.mark.parametrize("step_module", sorted(path.name for path in CHECKS.glob("test_*.py")))
def test_a_step_module_uses_the_club_not_the_engine(step_module):
    """A step module imports the check's vocabulary (club, accounts, members, data, results, source) and the run's
    fixtures, nothing else of the kit: not the sandbox, not the copy's machinery."""
    known = set(modules())
    uses = imported(CHECKS / step_module, known)
    engine = sorted(name for name in uses if not name.startswith(STEP_MODULE_MAY_USE))
    assert not engine, f"{step_module} imports {engine}"
    text = (CHECKS / step_module).read_text(encoding="utf-8")
    assert ".remote.sandbox" not in text, f"{step_module} reaches into the sandbox behind the club"


# A module of checks/ longer than this says why in its docstring, in a paragraph starting "Longer than".
LINES = 300


def reasonless_imports(path: Path) -> list[str]:
    """The imports inside a function of `path` with no comment saying why: on its line, or above its block."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found = []
    for node in ast.walk(ast.parse("\n".join(lines))):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for inner in ast.walk(node):
            if not isinstance(inner, (ast.Import, ast.ImportFrom)):
                continue
            first = inner.lineno - 1
            while first > 0 and lines[first - 1].strip().startswith(("import ", "from ")):
                first -= 1  # the block of imports this one stands in
            said = "#" in lines[inner.lineno - 1] or (first > 0 and lines[first - 1].strip().startswith("#"))
            if not said:
                found.append(f"{path.relative_to(ROOT)}:{inner.lineno}: {lines[inner.lineno - 1].strip()}")
    return found


def test_an_import_inside_a_function_says_why():
    """An import stands at the top of its module unless start-up time (or order) needs it later, and then says why."""
    found = [line for path in modules().values() for line in reasonless_imports(path)]
    assert not found, "imports inside functions without a reason:\n" + "\n".join(found)


def test_a_long_module_says_why():
    """A module of checks/ over 300 lines holds one thing that can't be cut smaller, and its docstring says so."""
    long = []
    for name, path in modules().items():
        lines = path.read_text(encoding="utf-8").count("\n")
        docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        if lines > LINES and "Longer than" not in docstring:
            long.append(f"{name}: {lines} lines")
    assert not long, "long modules that don't say why: " + ", ".join(sorted(long))


def css_selector_calls(source: str) -> list[int]:
    """The lines that call BeautifulSoup's CSS selectors (.select, .select_one, .css)."""
    return [node.lineno for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Attribute) and node.attr in ("select", "select_one", "css")
            and not (isinstance(node.value, ast.Name) and node.value.id == "select")]  # the select module


def test_the_css_selector_finder_finds_one():
    assert css_selector_calls("page.select_one('#username')\nselect.select([], [], [])\n") == [1]


def test_no_check_uses_a_css_selector():
    """python -m checks loads BeautifulSoup without soupsieve: a CSS selector would fail there."""
    found = {path.name: css_selector_calls(path.read_text()) for path in CHECKS.rglob("*.py")}
    assert {name: lines for name, lines in found.items() if lines} == {}
