"""`make bench`: how fast grading is, beside a floor measured in the same run.

The floor is one pytest run of a single trivial Flask test-client test: the least a pytest-based grader can
cost. It is measured twice: as a user would run it (every installed pytest plugin loaded) and strictly (no
plugin autoload), and the grader is compared with the strict one. Then one submission (the solution, every
check including the live-HTTP one) and a class of generated submissions (copies of the solution and of the
mutants) with one job and with two; and the solution with level 2 turned on (its 17 checks each on a fresh
copy, forked by the nursery) against level 1 alone. Level 3: its steps 12 to 15 beside steps 1 to 11, both on
the level-3 reference, graded alone and as what they add to one grade of steps 1 to 15 (where the contract's 4
s wait for an expired link overlaps the other checks), and step 16 per submission (a typical student suite,
and the reference's own, against the mutants). Figures are medians of several runs; compare the ratios, not
the seconds, on a shared machine: the machine's load is printed before and after. Beside one grade, run in
turn with it: the same grade with --no-sandbox (the sandbox's cost), and, where check50 is installed (it is
not one of the kit's dependencies), a check50 run of eight checks of the same contract
(tools/check50_baseline/).

Usage: python -m tools.bench [--runs N] [--class-size N] [--step16-runs N] [--only levels-1-2|level-3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tools import mutants
from tools.level3_mutants import for_levels

ROOT = Path(__file__).resolve().parent.parent
LEVEL3 = ROOT / "solution-level3"
# A typical student suite for step 16: Flasky's way with its extensions, 30 tests that kill every mutant.
TYPICAL_SUITE = ROOT / "tests" / "submissions" / "valid_level3_flasky_extensions"
FLOOR_TEST = '''\
import flask


def test_home():
    app = flask.Flask(__name__)
    app.get("/")(lambda: "Hello World!")
    assert app.test_client().get("/").status_code == 200
'''


def timed(command: list[str], env: dict | None = None, cwd: Path = ROOT) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    took = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"bench: {' '.join(command)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return took


def median(command: list[str], runs: int, env: dict | None = None) -> float:
    return statistics.median(timed(command, env) for _ in range(runs))


def paired(first: list[str], second: list[str], runs: int, second_in: Path = ROOT) -> tuple[float, float]:
    """The medians of two commands run in turn (first, second, first...): the same load for both."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        times[0].append(timed(first))
        times[1].append(timed(second, cwd=second_in))
    return statistics.median(times[0]), statistics.median(times[1])


def check50_beside(python: str, runs: int, scratch: Path) -> None:
    """One level-1 grade beside a check50 run of eight checks of the same contract (tools/check50_baseline)."""
    check50 = os.environ.get("CHECK50") or shutil.which("check50")
    if not check50:
        print("  check50 beside one grade                  not measured: no check50 here (pip install check50, "
              "or CHECK50=path)")
        return
    submission = shutil.copytree(ROOT / "solution", scratch / "check50-submission",
                                 ignore=shutil.ignore_patterns("instance", "__pycache__"))
    ours = [python, "-m", "checks", str(submission), "--format", "json", "--seed", "1"]
    theirs = [check50, "--dev", "--offline", "--output", "json", "--", str(ROOT / "tools" / "check50_baseline")]
    grade, baseline = paired(ours, theirs, runs, second_in=submission)  # check50 checks the folder it runs in
    print(f"  check50, 8 checks of level 1              {baseline:6.2f} s   one grade {grade:.2f} s beside it: "
          f"{grade / baseline:.2f}× (goal ≤ 1.4×)")


def make_class(folder: Path, size: int) -> None:
    """`size` submissions: the solution and each mutant in turn."""
    names = mutants.names()
    for number in range(size):
        target = folder / f"student{number:03d}"
        if number % 2 and names:
            mutants.make(names[(number // 2) % len(names)], target)
        else:
            shutil.copytree(ROOT / "solution", target, ignore=shutil.ignore_patterns("instance", "__pycache__"))


def load() -> str:
    """The machine's load average over the last minute, where the system tells it."""
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:
        return "unknown"


def level3(python: str, runs: int, step16_runs: int) -> None:
    """Level 3's steps 12 to 15 beside steps 1 to 11 (the level-3 reference), and step 16 per submission."""
    grade = [python, "-m", "checks", str(LEVEL3), "--format", "json", "--seed", "1", "--step"]
    lower = median([*grade, "1-11"], runs)
    upper = median([*grade, "12-15"], runs)
    whole = median([*grade, "1-15"], runs)
    print(f"  level 3's reference, steps 1 to 11        {lower:6.2f} s")
    print(f"  level 3's reference, steps 12 to 15       {upper:6.2f} s   {upper / lower:.2f}× steps 1 to 11"
          " (goal ≤ 1×; graded alone, step 14's 4 s wait for an expired link is all on its own)")
    print(f"  level 3's reference, steps 1 to 15        {whole:6.2f} s   steps 12 to 15 add {whole - lower:.2f} s, "
          f"{(whole - lower) / lower:.2f}× steps 1 to 11 (goal ≤ 1×)")
    mutants_graded = len(for_levels({1, 3}))
    for name, folder in (("a typical suite (30 tests)", TYPICAL_SUITE), ("the reference's suite (39 tests)", LEVEL3)):
        step16 = [python, "-m", "checks", str(folder), "--format", "json", "--seed", "1", "--step", "16"]
        print(f"  step 16, {name:33} {median(step16, step16_runs):6.2f} s   against {mutants_graded} mutants"
              " (goal ≤ 30 s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per single-submission figure (median)")
    parser.add_argument("--class-size", type=int, default=50, help="submissions in the generated class")
    parser.add_argument("--step16-runs", type=int, default=3, help="runs per step-16 figure (median)")
    parser.add_argument("--only", choices=("levels-1-2", "level-3"), help="measure only these figures")
    args = parser.parse_args()
    python = sys.executable
    cores = os.cpu_count() or 1
    print(f"Flask Club bench: {cores} cores, {args.runs} runs per figure (median), class of {args.class_size}, "
          f"load {load()}")
    if args.only != "levels-1-2":
        print()
        level3(python, args.runs, args.step16_runs)
    if args.only == "level-3":
        print(f"\n  load at the end {load()}")
        return

    with tempfile.TemporaryDirectory(prefix="flask-club-bench-") as scratch:
        scratch = Path(scratch)
        (scratch / "test_floor.py").write_text(FLOOR_TEST)
        floor_command = [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-c", os.devnull, str(scratch)]
        floor = median(floor_command, args.runs)
        strict = median(floor_command, args.runs, env={**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"})
        one = median([python, "-m", "checks", "solution", "--format", "json", "--seed", "1"], args.runs)
        rubric = scratch / "level2.toml"
        rubric.write_text((ROOT / "checks" / "rubric.toml").read_text().replace("\nlevel2 = false", "\nlevel2 = true"))
        both = median([python, "-m", "checks", "solution", "--format", "json", "--seed", "1", "--rubric", str(rubric)],
                      args.runs)
        print()
        print(f"  floor, pytest as a user runs it           {floor:6.2f} s")
        print(f"  floor, pytest without plugin autoload     {strict:6.2f} s")
        print(f"  one submission (the solution, 22 checks)  {one:6.2f} s   {one / strict:.2f}× the strict floor"
              f" (goal ≤ 1.2×), {one / floor:.2f}× the user's floor")
        print(f"  the solution with level 2 on (39 checks)  {both:6.2f} s   {both / one:.2f}× level 1 alone"
              " (goal ≤ 2×)")
        sandboxed, plain = paired([python, "-m", "checks", "solution", "--format", "json", "--seed", "1"],
                                  [python, "-m", "checks", "solution", "--format", "json", "--seed", "1",
                                   "--no-sandbox"], args.runs)
        print(f"  the sandbox's cost on one grade           {sandboxed - plain:+6.2f} s   {sandboxed:.2f} s against "
              f"{plain:.2f} s with --no-sandbox (goal ≤ 0.1 s)")
        check50_beside(python, args.runs, scratch)

        make_class(scratch / "class", args.class_size)
        figures = {}
        for jobs in (1, min(2, cores)) if cores > 1 else (1,):
            out = scratch / f"out-{jobs}"
            command = [python, "-m", "checks", str(scratch / "class"), "--class", "--force", "--seed", "7",
                       "--jobs", str(jobs), "--out", str(out)]
            figures[jobs] = timed(command)
            per = figures[jobs] / args.class_size
            print(f"  class of {args.class_size}, {jobs} job(s)                  {figures[jobs]:6.2f} s"
                  f"   {per:.2f} s a submission, {100 * per:.0f} s for 100")
        if 2 in figures:
            print(f"  two jobs against one                      {figures[1] / figures[2]:6.2f}× as fast (goal ≈ 2×)")
    print(f"\n  load at the end {load()}")


if __name__ == "__main__":
    main()
