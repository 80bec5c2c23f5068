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


def main_block_problem(source: str) -> str | None:
    """None when `python app.py` starts the server on port 5000; else the problem, in a sentence."""
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        return f"app.py has a syntax error at line {error.lineno}: {error.msg}"
    functions = {node.name: node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
    constants = {
        target.id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    blocks = [node for node in tree.body if isinstance(node, ast.If) and _is_main_test(node.test)]
    if not blocks:
        return 'app.py has no `if __name__ == "__main__":` block, so `python app.py` starts nothing'
    calls = [call for block in blocks for call in _run_calls(block.body, functions)]
    if not calls:
        return 'the `if __name__ == "__main__":` block of app.py never calls `app.run()`'
    problems = [_port_problem(call, constants) for call in calls]
    if any(problem is None for problem in problems):
        return None
    return problems[0]
