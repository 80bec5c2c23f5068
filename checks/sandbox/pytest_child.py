"""The untrusted side of step 16: runs a submission's tests/ with pytest, in the sandbox.

Run by the grader as `python -I -S -B pytest_child.py ROOT` (without the sandbox: `-I -B`), with the
copy as the working directory and a job on standard input (JSON: the limits, the folders to add to
sys.path, the tests to keep, whether to stop at the first failure). It writes one JSON line per
result on the standard output the grader reads; everything pytest and the tests print goes to
standard error. Like child.py, it imports nothing from the kit: it is a script on its own.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys

MAX_JOB = 1 << 20
MAX_MESSAGE = 2000  # characters of a failure's text kept for the feedback


class Recorder:
    """A pytest plugin: keeps the selected tests, runs those of `order` first, writes each report as a JSON line."""

    def __init__(self, stream, selected: set[str] | None, order: list[str] | None = None):
        self.stream = stream
        self.selected = selected
        self.order = {test: index for index, test in enumerate(order or [])}

    def write(self, record: dict) -> None:
        self.stream.write(json.dumps(record) + "\n")
        self.stream.flush()

    def pytest_collection_modifyitems(self, config, items):
        yield  # a hook wrapper (see main): every other implementation first, the tests' own conftest.py too
        if self.selected is not None:
            kept = [item for item in items if item.nodeid in self.selected]
            dropped = [item for item in items if item.nodeid not in self.selected]
            if dropped:
                config.hook.pytest_deselected(items=dropped)
            items[:] = kept
        if self.order:
            last = len(self.order)
            items.sort(key=lambda item: self.order.get(item.nodeid, last))  # stable: the others keep their order

    def pytest_collectreport(self, report) -> None:
        if report.failed:
            self.write({"module": report.nodeid, "outcome": "error", "message": text(report)})

    def pytest_runtest_logreport(self, report) -> None:
        outcome = report.outcome
        if hasattr(report, "wasxfail"):
            outcome = "xfailed" if report.skipped else "xpassed"
        elif report.failed and report.when != "call":
            outcome = "error"
        record = {"test": report.nodeid, "when": report.when, "outcome": outcome, "duration": report.duration}
        if report.failed or outcome == "skipped":
            record["message"] = text(report)
        self.write(record)


def text(report) -> str:
    """The end of a report's text: where a failure's assertion is."""
    try:
        said = report.longreprtext
    except Exception:  # noqa: BLE001 - a report that cannot be shown is said as such
        said = "(pytest could not show this report)"
    if isinstance(report.longrepr, tuple) and len(report.longrepr) == 3:  # a skip: (file, line, reason)
        said = str(report.longrepr[2])
    return said[-MAX_MESSAGE:]


def main() -> None:
    root = os.path.abspath(sys.argv[1])
    job = json.loads(sys.stdin.read(MAX_JOB) or "{}")
    results = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # what pytest and the tests print goes to standard error, never among the results
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    spec = importlib.util.spec_from_file_location("flask_club_child", job["child"])
    child = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(child)
    unset = child.set_limits(job.get("limits", {}))
    sys.path[:0] = job.get("path", [])
    import pytest  # before the copy is on sys.path: a pytest.py of the submission shadows nothing of ours

    # The selection and order are made last, after the tests' own conftest.py has ordered them.
    pytest.hookimpl(hookwrapper=True)(Recorder.pytest_collection_modifyitems)
    sys.path.insert(0, root)  # the copy's root first: `from app import create_app`
    selected = job.get("selected")
    recorder = Recorder(results, None if selected is None else set(selected), job.get("order"))
    recorder.write({"started": True, "unset": unset})
    tests = os.path.join(root, "tests")
    arguments = [
        "tests", "-q", "-p", "no:cacheprovider", "--continue-on-collection-errors",
        # No configuration from outside tests/: an empty ini file, the copy as rootdir, no conftest above tests/.
        "-c", os.devnull, "--rootdir", root, "--confcutdir", tests, "-o", "addopts=",
    ]
    if job.get("exitfirst"):
        arguments.append("-x")
    code = pytest.main(arguments, plugins=[recorder])
    recorder.write({"end": int(code)})
    results.close()
    os._exit(0)  # threads the tests left running end here


if __name__ == "__main__":
    main()
