"""Reading app.py's code: does `python app.py` start the server on port 5000?

The contract reads this from the code rather than running it: a `.run(...)`
call under `if __name__ == "__main__":` (directly, or in a module-level
function that block calls), with no port other than Flask's default 5000.
"""

from __future__ import annotations

import ast

DEFAULT_PORT = 5000


def _is_main_test(test: ast.expr) -> bool:
    """`__name__ == "__main__"`, either way round."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)):
        return False
    sides = [test.left, test.comparators[0]]
    names = [side for side in sides if isinstance(side, ast.Name) and side.id == "__name__"]
    mains = [side for side in sides if isinstance(side, ast.Constant) and side.value == "__main__"]
    return len(names) == 1 and len(mains) == 1


def _run_calls(body: list[ast.stmt], functions: dict[str, ast.AST], depth: int = 2) -> list[ast.Call]:
    """Every `X.run(...)` call in these statements, following calls to module-level functions."""
    found: list[ast.Call] = []
    for node in ast.walk(ast.Module(body=body, type_ignores=[])):
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Attribute) and node.func.attr == "run":
            found.append(node)
        elif isinstance(node.func, ast.Name) and node.func.id in functions and depth > 0:
            found += _run_calls(functions[node.func.id].body, functions, depth - 1)
    return found


def _port_problem(call: ast.Call, constants: dict[str, object]) -> str | None:
    """None when the call's port is absent or 5000, else what is wrong with it."""
    port = next((keyword.value for keyword in call.keywords if keyword.arg == "port"), None)
    if port is None and len(call.args) >= 2:
        port = call.args[1]
    if port is None:
        return None
    if isinstance(port, ast.Name) and port.id in constants:
        value = constants[port.id]
    elif isinstance(port, ast.Constant):
        value = port.value
    else:
        # An expression such as int(os.environ.get("PORT", 5000)): fine if it falls back on 5000.
        if any(isinstance(node, ast.Constant) and str(node.value) == str(DEFAULT_PORT) for node in ast.walk(port)):
            return None
        return f"`{ast.unparse(call)}` picks its port from `{ast.unparse(port)}`, which never falls back on 5000"
    if str(value) == str(DEFAULT_PORT):
        return None
    return f"`{ast.unparse(call)}` serves on port {value}, not Flask's default port 5000"


RUN_HINT = 'end app.py with:  if __name__ == "__main__":  app.run()'


def _top_level_runs(tree: ast.Module) -> list[ast.Call]:
    """`X.run(...)` calls made while app.py is imported: in its top-level code, outside any main block."""
    found = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        if isinstance(node, ast.If) and _is_main_test(node.test):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute) and inner.func.attr == "run":
                if isinstance(inner.func.value, ast.Name) and inner.func.value.id in ("subprocess", "asyncio"):
                    continue
                found.append(inner)
    return found


def _nested_main_block(tree: ast.Module) -> ast.AST | None:
    """A main block that is not at the top level of app.py (inside a def, a class or another block)."""
    top = {id(node) for node in tree.body}
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and _is_main_test(node.test) and id(node) not in top:
            return node
    return None


def _defined_after(tree: ast.Module, block: ast.If) -> ast.stmt | None:
    """The first route, blueprint or decorated view defined at the top level after the main block."""
    for node in tree.body:
        if node.lineno <= block.lineno:
            continue
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.decorator_list:
            return node
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            func = node.value.func
            if isinstance(func, ast.Attribute) and func.attr in ("add_url_rule", "register_blueprint", "route"):
                return node
    return None


def main_block(source: str) -> tuple[str, str] | None:
    """None when `python app.py` starts the server on port 5000; else (the problem, the hint that fixes it)."""
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        return (
            f"app.py has a syntax error at line {error.lineno}: {error.msg}, so `python app.py` stops before "
            "it starts anything",
            "fix the syntax error first: the line it names, or the line just before it",
        )
    functions = {node.name: node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
    constants = {
        target.id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    at_import = _top_level_runs(tree)
    if at_import:
        call = at_import[0]
        return (
            f"app.py calls `{ast.unparse(call)}` at line {call.lineno} while being imported, outside "
            '`if __name__ == "__main__":`: `python app.py` does start the server there, but so does every '
            "import of app.py (the checks', `flask run`'s), and that import then never returns",
            f'move `{ast.unparse(call)}` under `if __name__ == "__main__":`, at the end of app.py',
        )
    blocks = [node for node in tree.body if isinstance(node, ast.If) and _is_main_test(node.test)]
    if not blocks:
        nested = _nested_main_block(tree)
        if nested is not None:
            return (
                f'the `if __name__ == "__main__":` block at line {nested.lineno} is indented inside other code, '
                "so `python app.py` never runs it",
                'move it to the end of app.py, not indented: if __name__ == "__main__":  app.run()',
            )
        return 'app.py has no `if __name__ == "__main__":` block, so `python app.py` starts nothing', RUN_HINT
    calls = [call for block in blocks for call in _run_calls(block.body, functions)]
    if not calls:
        return (
            'the `if __name__ == "__main__":` block of app.py never calls `app.run()`',
            'call app.run() inside the block:  if __name__ == "__main__":  app.run()',
        )
    problems = [_port_problem(call, constants) for call in calls]
    if all(problem is not None for problem in problems):
        return problems[0], "call app.run() without a port (or with port=5000): the checks look for Flask's default"
    later = _defined_after(tree, blocks[0])
    if later is not None:
        return (
            f'the `if __name__ == "__main__":` block (line {blocks[0].lineno}) comes before code that defines '
            f"the app's routes (line {later.lineno}): `python app.py` starts serving before they exist",
            'move the `if __name__ == "__main__":` block to the very end of app.py',
        )
    return None


def main_block_problem(source: str) -> str | None:
    """None when `python app.py` starts the server on port 5000; else the problem, in a sentence."""
    found = main_block(source)
    return found[0] if found else None
