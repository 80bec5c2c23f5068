"""The outputs stand alone: no module of checks/outputs/ (nor results, causes, rubric) is in an import circle,
and an import inside a function there says on the line above why it waits (start-up time)."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

CHECKS = ROOT / "checks"
OURS = ("checks.outputs.", "checks.results", "checks.causes", "checks.rubric")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """The checks modules a module imports, at the top or inside a function."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}  # `from checks.outputs import github`
    return {name for name in names if name.startswith("checks")}


def graph() -> dict[str, set[str]]:
    modules = {module_name(path): path for path in CHECKS.rglob("*.py") if "__pycache__" not in path.parts}
    return {name: imports(path) & set(modules) - {name} for name, path in modules.items()}


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Each import circle once, as the modules around it (a depth-first search for back edges)."""
    found, state, path = [], {}, []

    def visit(node: str) -> None:
        state[node] = "open"
        path.append(node)
        for after in sorted(edges.get(node, ())):
            if state.get(after) == "open":
                found.append(path[path.index(after):] + [after])
            elif after not in state:
                visit(after)
        path.pop()
        state[node] = "done"

    for node in sorted(edges):
        if node not in state:
            visit(node)
    return found


def ours(name: str) -> bool:
    return name.startswith(OURS)


def test_the_search_finds_a_circle():
    """The search itself: a → b → a is a circle, a → b → c is none."""
    assert circles({"a": {"b"}, "b": {"a"}}) == [["a", "b", "a"]]
    assert circles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_no_output_module_is_in_an_import_circle():
    """formats, feedback and the rest import one another one way only."""
    assert [circle for circle in circles(graph()) if any(ours(name) for name in circle)] == []


def test_a_late_import_in_the_outputs_says_why():
    """An import inside a function of checks/outputs/ (or results, causes, rubric) has its reason on the line above."""
    unexplained = []
    paths = [*sorted((CHECKS / "outputs").glob("*.py")), *(CHECKS / f"{name}.py" for name in ("results", "causes",
                                                                                               "rubric"))]
    for path in paths:
        lines = path.read_text(encoding="utf-8").splitlines()
        for function in ast.walk(ast.parse("\n".join(lines))):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if not isinstance(node, ast.Import | ast.ImportFrom):
                    continue
                above = node.lineno - 2  # the line above, past the other imports of the same group
                while lines[above].strip().startswith(("from ", "import ")):
                    above -= 1
                if not lines[above].strip().startswith("#"):
                    unexplained.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert unexplained == []
