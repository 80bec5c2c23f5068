"""Step 16's runs: pytest on a copy's tests/, in the sandbox, with a time limit, read back test by test.

`run_tests(copy, env, …)` starts pytest_child.py on the copy (mounted at /app, as an app's copy is:
no network, no view of the kit, the same cgroup budget and rlimits as an app), hands it the job on
its standard input, and reads its results, one JSON line each, from its standard output. Whatever
happens (a hang, a fork bomb, a crash), the run ends within its time, every process of it is
killed, and what it had reported by then is kept.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from checks.sandbox import bubblewrap
from checks.sandbox.cgroup import Budget
from checks.sandbox.isolation import BUBBLEWRAP, Isolation
from checks.sandbox.limits import Limits
from checks.sandbox.output import Output
from checks.sandbox.process import CHILD, Process, exit_description, sandbox_environment, stop

RUNNER = Path(__file__).with_name("pytest_child.py")
SANDBOX_RUNNER = "/sandbox/pytest_child.py"
RUN_SECONDS = 30.0  # the contract's limit on one run
MAX_RESULTS = 4 << 20  # bytes of results read from one run: past them, the rest is dropped
# The outcome a test ends with, worst first: a failure in setup or teardown is an error.
WORST = ("error", "failed", "xpassed", "xfailed", "skipped", "passed")


@dataclass
class PytestRun:
    """What one run reported: each test's outcome by node id, the modules that failed to import, and how it ended.

    `ended` is true when pytest finished within the time; `problem` says otherwise why not (timed out,
    killed, over a limit). `messages` holds the end of each failure's (or skip's) text.
    """

    outcomes: dict[str, str] = field(default_factory=dict)
    messages: dict[str, str] = field(default_factory=dict)
    durations: dict[str, float] = field(default_factory=dict)  # seconds each test took (setup, call and teardown)
    broken_modules: dict[str, str] = field(default_factory=dict)
    started: bool = False
    ended: bool = False
    exit_code: int | None = None
    problem: str = ""
    seconds: float = 0.0
    cpu: float = 0.0  # CPU seconds its processes took, where a cgroup counts them
    output: str = ""

    def with_outcome(self, *outcomes: str) -> list[str]:
        """The node ids whose outcome is one of these, in the order they ran."""
        return [test for test, outcome in self.outcomes.items() if outcome in outcomes]

    def record(self, line: bytes) -> None:
        """Take one JSON line of the runner's (anything else is ignored)."""
        try:
            record = json.loads(line)
        except ValueError:
            return
        if not isinstance(record, dict):
            return
        if record.get("started"):
            self.started = True
        elif "end" in record and isinstance(record["end"], int):
            self.exit_code = record["end"]
        elif isinstance(record.get("module"), str):
            self.broken_modules[record["module"]] = str(record.get("message", ""))
        elif isinstance(record.get("test"), str) and record.get("outcome") in WORST:
            test, outcome = record["test"], record["outcome"]
            known = self.outcomes.get(test)
            if isinstance(record.get("duration"), (int, float)):
                self.durations[test] = self.durations.get(test, 0.0) + max(0.0, float(record["duration"]))
            # A setup or teardown that passed says nothing yet: a test passes by its call.
            if (outcome != "passed" or record.get("when") == "call") and (
                known is None or WORST.index(outcome) < WORST.index(known)
            ):
                self.outcomes[test] = outcome
            if "message" in record and test not in self.messages:
                self.messages[test] = str(record["message"])


def command(copy: Path, scratch: Path, isolation: Isolation, info_fd: int | None,
            seccomp_fd: int | None) -> tuple[list[str], int | None]:
    """The command that runs the runner on the copy, and the pipe holding bwrap's options (or None)."""
    if isolation.mode != BUBBLEWRAP:
        return [sys.executable, "-I", "-B", str(RUNNER), str(copy)], None
    full = bubblewrap.command(copy, scratch, info_fd, [], seccomp_fd=seccomp_fd)
    split = full.index("--")
    # bwrap reads its options from a pipe, as an app's (process.launch): its command line names no path of ours.
    options = bubblewrap.arguments_pipe([*full[1:split], "--ro-bind", str(RUNNER), SANDBOX_RUNNER])
    tail = [SANDBOX_RUNNER if part == bubblewrap.SANDBOX_CHILD else part for part in full[split:]]
    return [full[0], "--args", str(options), *tail], options


def run_tests(
    copy: Path,
    env: dict[str, str],
    limits: Limits,
    isolation: Isolation,
    selected: list[str] | None = None,
    exitfirst: bool = False,
    seconds: float = RUN_SECONDS,
    order: list[str] | None = None,
    share: int = 1,
    within: Budget | None = None,
) -> PytestRun:
    """pytest on `copy`'s tests/ in the sandbox (or with process limits only), for `seconds` at most.

    `selected` keeps those node ids only; `exitfirst` stops at the first failure (pytest's -x);
    `order` runs those node ids first, in that order (the others after them, as collected).
    `share`: this many runs go at the same time, within one app's budget: each has that share of its
    memory and processes (its cgroup), so together they take no more than one app may. `within` is the
    submission's budget (the Grading plugin's), which holds its apps and these runs together.
    `copy.parent` is the run's own scratch folder.
    """
    run = PytestRun()
    started = time.monotonic()
    scratch = copy.parent
    variables = {**env, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    job = {"limits": limits.for_sandbox(), "selected": selected, "exitfirst": exitfirst, "order": order}
    info_read = info_write = seccomp = options = None
    if isolation.mode == BUBBLEWRAP:
        info_read, info_write = os.pipe()
        seccomp = bubblewrap.seccomp_pipe()
        argv, options = command(copy, scratch, isolation, info_write, seccomp)
        job.update(path=[bubblewrap.PACKAGES], child=bubblewrap.SANDBOX_CHILD)
        environment, cwd = bubblewrap.environment(variables), scratch
        pass_fds = tuple(fd for fd in (info_write, options, seccomp) if fd is not None)
    else:
        argv, _ = command(copy, scratch, isolation, None, None)
        own_tmp = scratch / "tmp"
        own_tmp.mkdir(exist_ok=True)
        environment = {**sandbox_environment(variables), "TMPDIR": str(own_tmp), "HOME": str(own_tmp)}
        job.update(path=[], child=str(CHILD))
        cwd, pass_fds = copy, ()
    share = max(1, share)
    cgroup = (Budget(limits.processes // share + 3, (limits.memory_mb << 20) // share, within=within)
              if os.name == "posix" else None)
    if cgroup is not None and not cgroup.folders:
        cgroup = None
    if cgroup is not None and not cgroup.problem:
        job["limits"] = {**job["limits"], "counted": True}
    try:
        popen = subprocess.Popen(
            argv, cwd=cwd, env=environment, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            close_fds=True, pass_fds=pass_fds, start_new_session=os.name == "posix",
            preexec_fn=cgroup.join if cgroup is not None else None,
        )
    except OSError as error:
        if cgroup is not None:
            cgroup.remove()
        if info_read is not None:
            os.close(info_read)
        run.problem = f"pytest could not be started: {error.strerror or error}"
        return run
    finally:
        for descriptor in (info_write, options, seccomp):
            if descriptor is not None:
                os.close(descriptor)
    process = Process(popen, info=info_read, budget=cgroup)
    threading.Thread(target=process.read_info, daemon=True).start()
    output = Output()
    readers = [
        threading.Thread(target=read_results, args=(popen.stdout, run), daemon=True),
        threading.Thread(target=read_output, args=(popen.stderr, output), daemon=True),
    ]
    process.readers, process.read_streams = readers, [popen.stdout, popen.stderr]
    for reader in readers:
        reader.start()
    try:
        popen.stdin.write(json.dumps(job).encode())
        popen.stdin.close()
    except OSError:
        pass
    try:
        popen.wait(timeout=max(seconds, 0.0))
        readers[0].join(timeout=2)
        run.ended = run.exit_code is not None
        if not run.ended:
            run.problem = why_stopped(popen.returncode, cgroup)
    except subprocess.TimeoutExpired:
        run.problem = f"the tests did not finish within {seconds:g} s"
    finally:
        run.cpu = cgroup.cpu_seconds() if cgroup is not None else 0.0
        stop(process, cgroup)
        for reader in readers:
            reader.join(timeout=2)
    run.output = output.text()
    run.seconds = time.monotonic() - started
    return run


def why_stopped(code: int | None, cgroup: Budget | None) -> str:
    """Why pytest ended without finishing: a limit reached, a signal, an exit of the tests' own."""
    reached = cgroup.reached() if cgroup is not None else ""
    said = f"pytest {exit_description(code)}"
    return f"{said} ({reached})" if reached else said


def read_results(stream, run: PytestRun) -> None:
    """Read the runner's JSON lines into `run`, up to MAX_RESULTS bytes, until the pipe closes."""
    read = 0
    try:
        for line in stream:
            read += len(line)
            if read > MAX_RESULTS:
                break
            run.record(line)
    except (OSError, ValueError):
        pass
    finally:
        try:
            stream.close()
        except OSError:
            pass


def read_output(stream, output: Output) -> None:
    """Keep the head and tail of what pytest printed (output.py's Output), until the pipe closes."""
    try:
        while chunk := stream.read1(65536) if hasattr(stream, "read1") else stream.read(65536):
            output.add(chunk)
    except (OSError, ValueError):
        pass
    finally:
        try:
            stream.close()
        except OSError:
            pass
