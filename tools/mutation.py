"""Mutation testing of the grading code: does breaking a check make the kit's tests fail?

`make mutation` (or `python -m tools.mutation [FILE ...]`) copies the kit into a
folder of dist/mutation/ (its log beside it), and there lets mutmut change the code that decides verdicts one
small edit at a time (a `!=` made `==`, `in` made `not in`, a number changed, a value
made None...), each time running the kit's fast verdict tests: sample submissions and
mutants of the solution, graded end to end, each expecting exactly its checks to fail
with its phrases (tests/verdicts.py). A mutant the tests notice is killed; one they
don't survives: a gap in the tests, or an edit no student could notice
(tests/mutation-survivors.md lists those, with the reason). The working tree is never
touched.

Each file is tested against the few verdict tests that can notice a change in it, chosen
from the expectations: for a step's module, samples that between them make each of its
checks fail with each phrase expected of it, then two valid samples, graded on that step
alone (ONLY_STEP); for club.py and the other shared modules, a valid sample, then samples
that between them fail every check. Level 2's step modules (8 to 11) are graded with level 2
turned on, a valid level-2 sample first (a level-1 sample has no /login); checks/members.py,
which only they use, against level 2's samples and mutants, every step graded. Level 3's step
modules (12 to 16) are graded with level 3 turned on for their step (ONLY_STEP), against as few level-3
samples as make each of their checks fail once and one valid level-3 sample, last: each grading registers members
with a slow, salted hash (seconds a step, more for step 16, which runs the sample's own tests on the
reference and its mutants), so their fast tests come first and carry most of the weight. A module with
fast tests of its own runs those first (UNIT: club.py's messages, replay commands and caps,
word for word, in tests/test_club.py; step 4's bounds on a template, in
tests/test_template_fields.py; the hint each of level 1's checks chooses for each symptom, against
small apps, in tests/test_hint_selection.py; each of level 2's checks against small apps, in
tests/test_level2_checks.py, then for steps 9 to 11 the hints it leaves open, in
test_hint_selection.py; each of level 3's checks against small apps and stand-ins, in
tests/test_level3_hint_selection.py). checks/hints.py, which no grade runs (only `--hint N`), is tested
against its own tests alone (UNIT_ONLY).
pytest stops at the first failure, so a killed mutant costs a second or a grading or two.
String literals (the wording) are left alone unless --strings: the verdict tests pin
phrases, not every word.

dist/mutation/report.txt gives killed/total per file, with the minutes it took, and each survivor's
diff; each file's outcome is kept in dist/mutation/results/, so a later run of some files updates
the report. The default files are the step modules, club.py, members.py and hints.py; name others (checks/data.py,
checks/rubric.py, checks/results.py) to add them. On two cores the level-1 step modules take
about seven minutes together on a quiet machine, club.py about eight, level 2's four modules
with members.py about ten; on two cores shared with other work (load 9 to 15) the level-1
modules took 27 minutes and hints.py 12 (`nice -n 10 make mutation FILES=checks/club.py`).
Level 3's step modules, each run with one to three other mutation runs on the two cores (load 3 to
11): step 12 (68 mutants) 13 minutes, step 13 (104) 24, step 15 (106) 23, step 14 (55) 6 with
the machine nearly quiet, step 16 (179) 17 nearly alone: its fast tests kill a mutant in seconds, but
one they miss waits on step 16's gradings, which run the sample's own tests on the reference and its
mutants (about a minute each). Never run `mutmut show` in a run's folder while it runs: mutmut then
reads the file with a mutant applied into its cache, and the run dies at that mutant.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "dist" / "mutation"
WORK = OUT / "work"  # this run's copy: main() makes a fresh one, so runs of different files may overlap
RESULTS = OUT / "results"

STEP_MODULES = sorted(str(path.relative_to(ROOT)) for path in (ROOT / "checks").glob("test_*.py"))
# The club and the modules it was split into: what a check says, an answer, a replay, the hints by symptom.
CLUB = ["checks/club.py", "checks/notes.py", "checks/reply.py", "checks/replay.py", "checks/symptoms.py"]
DEFAULT = [*STEP_MODULES, *CLUB, "checks/members.py", "checks/photos.py", "checks/hints.py"]
SHARED = [*CLUB, "checks/members.py", "checks/photos.py", "checks/data.py", "checks/rubric.py", "checks/results.py"]
# Valid samples graded for every file: a mutant must not fail a good submission either.
VALID = ["valid_module_dict", "valid_factory_config"]
# Level 2's: a level-1 sample fails steps 8 to 11 (it has no /login), so level 2's modules grade these.
VALID_LEVEL_2 = ["valid_level2_signed_session", "valid_level2_server_session"]
# Level 3's: graded one step at a time (ONLY_STEP turns level 3 on for it), one valid sample only, for each
# grading starts apps that register members with a slow, salted hash (seconds a step; step 16 runs tests).
VALID_LEVEL_3 = ["valid_level3_sqlite"]
# Shared modules that only level 2's checks use: tested against level 2's samples and mutants, every
# step graded (a level-2 sample grades in seconds), so that each of steps 8 to 11 calls them.
LEVEL_2_SHARED = {"checks/members.py", "checks/photos.py"}
# Samples that pass a step along a path its targeted samples don't take, graded with them: step 3
# must name the first element of a template that has only one; extra 7 must not take an unknown
# user's empty 200 page for a refused profile that was stored.
ALSO = {"3": ["mistake_template_one_paragraph"], "7": ["mistake_unknown_user_200"]}
# A module's own fast tests, run before its verdict tests: they pin what a student reads (each
# message, hint and replay command, the caps' bounds) and fail in a second, without grading.
UNIT = {
    **{
        file: [
            "tests/test_club.py",
            "tests/test_feedback.py::test_curl_sends_the_same_data_with_the_password_as_a_variable",
            "tests/test_feedback.py::test_template_variables_are_read_from_the_source",
            "tests/test_replay.py::test_a_jar_is_kept_only_when_asked",
            "tests/test_load_hints.py",  # the hint for each kind of load error (Club.not_loaded)
        ]
        for file in CLUB
    },
    "checks/test_step4_template_fields.py": ["tests/test_template_fields.py"],
    # Level 1's checks one at a time against small apps in this process: the exact hint each symptom gets.
    **{
        f"checks/{name}.py": ["tests/test_hint_selection.py"]
        for name in (
            "test_step1_server", "test_step2_post_user", "test_step5_show_user", "test_extra6_unknown_user",
            "test_extra7_password",
        )
    },
    # Level 2's checks one at a time against small apps in this process: each branch's message and hint.
    "checks/test_step8_layout.py": ["tests/test_level2_checks.py"],
    "checks/test_step9_login.py": ["tests/test_level2_checks.py", "tests/test_hint_selection.py"],
    "checks/test_step10_account.py": ["tests/test_level2_checks.py", "tests/test_hint_selection.py"],
    "checks/test_step11_photo.py": ["tests/test_level2_checks.py", "tests/test_hint_selection.py"],
    "checks/members.py": ["tests/test_level2_checks.py", "tests/test_hint_selection.py"],  # (a moved /login)
    "checks/photos.py": ["tests/test_level2_checks.py"],
    # Level 3's checks one at a time against small apps in this process: each branch's message and hint (and
    # for steps 12, 14 and 15 a part test_level3_checks.py tests in this process too; for step 14, that its
    # expiry check, marked runs_last, is collected after the others).
    "checks/test_step12_factory.py": [
        "tests/test_level3_hint_selection.py",
        "tests/test_level3_checks.py::test_the_config_classes_are_read_from_the_code_outside_tests",
        "tests/test_testing_database_hint.py",  # a testing app whose tables vanish between requests
    ],
    "checks/test_step13_register.py": ["tests/test_level3_hint_selection.py"],
    "checks/test_step14_confirm.py": [
        "tests/test_level3_hint_selection.py",
        "tests/test_level3_checks.py::test_the_expiry_check_counts_its_wait_from_the_registration",
        "tests/test_check_order.py::test_the_expiry_check_runs_after_every_other_check_and_the_rest_keep_the_rubrics_order",
    ],
    "checks/test_step15_admin.py": [
        "tests/test_level3_hint_selection.py",
        "tests/test_level3_checks.py::test_a_visitor_to_the_editor_is_refused_with_401_403_or_a_redirect_to_login",
    ],
    # Step 16's: its checks against stand-in runs and verdicts, then how a failing test is quoted and how its
    # calls are read from the code (the tests of test_level3_hints.py and test_step16.py that grade nothing).
    "checks/test_step16_tests.py": [
        "tests/test_level3_hint_selection.py",
        "tests/test_level3_hints.py::test_a_failing_test_is_quoted_at_its_own_line_and_error",
        "tests/test_level3_hints.py::test_a_long_failure_is_cut_to_one_line_of_200_characters",
        "tests/test_step16.py::test_the_calls_are_read_from_the_code_not_its_comments",
        "tests/test_step16_time.py",  # how long the student's tests took, and the slowest past 18 s
    ],
    # `--hint N` reads a step's hints from its page (the CLI's, never a grade's): its own tests alone.
    "checks/hints.py": ["tests/test_hints.py"],
}
# Files no grade runs: their own tests (UNIT) are all that can notice a change, so no verdict test is graded.
UNIT_ONLY = {"checks/hints.py"}
# mutmut's statuses of a mutant the tests failed on: ok_suspicious is one they failed on slowly (a loaded
# machine), killed all the same (mutmut's run_mutation: "not survived" and over the time base).
KILLED = {"ok_killed", "ok_suspicious"}
LEVEL_2 = {"8", "9", "10", "11"}
LEVEL_3 = {"12", "13", "14", "15", "16"}


def kit_files() -> list[str]:
    """The kit's files as git sees them (tracked, and new ones not ignored), else every file."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT, capture_output=True, check=True,
        ).stdout.decode()
        return [name for name in listed.split("\0") if name and (ROOT / name).is_file()]
    except (OSError, subprocess.CalledProcessError):
        skip = {".git", ".venv", "dist", "__pycache__"}
        return [
            str(path.relative_to(ROOT))
            for path in ROOT.rglob("*")
            if path.is_file() and not skip & set(path.relative_to(ROOT).parts)
        ]


def copy_kit() -> None:
    """A copy of the kit in this run's folder, where mutmut may edit files."""
    for name in kit_files():
        target = WORK / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)


def step_of(file: str) -> str | None:
    """The id of the step whose module this is, or None for a shared module."""
    sys.path[:0] = [str(WORK)]
    try:
        from checks import rubric
    finally:
        del sys.path[0]
    return next((step_id for step_id, name in rubric.MODULES.items() if file == f"checks/{name}"), None)


def selection(file: str) -> list[str]:
    """The pytest node ids that can notice a change in this file.

    The module's own fast tests first (UNIT), then verdict tests chosen greedily, as few as
    between them make, for a step's module, each of its checks fail with each phrase any
    sample or mutant expects of it (then one valid sample); for a shared module (club.py,
    data.py...), a valid sample first, then every check of level 1 fail, and every borrowed
    phrase ("could not be loaded"...) appear.
    """
    if file in UNIT_ONLY:
        return UNIT[file]
    sys.path[:0] = [str(WORK), str(WORK / "tests")]
    try:
        import verdicts

        from tools import mutants
    finally:
        del sys.path[:2]
    submission = "tests/test_submissions.py::test_submission_gets_the_contracts_verdict[{}]"
    mutant = "tests/test_mutants.py::test_mutant_fails_exactly_its_checks[{}]"
    cases = {submission.format(name): fails for name, fails in verdicts.samples().items()}
    cases.update({mutant.format(name): verdicts.expectation(mutants.load(name)) for name in mutants.names()})
    step_id = step_of(file)
    step = verdicts.steps().get(step_id) if step_id else None
    level2 = step_id in LEVEL_2 or file in LEVEL_2_SHARED
    level3 = step_id in LEVEL_3

    def covers(fails: dict) -> set[tuple[str, str]]:
        if step is not None:  # each distinct (check, phrase) of the step's own checks
            own = verdicts.targets(fails) & set(step.points)
            if level3:  # each check once: a grading takes seconds to minutes, and the fast tests pin each phrase
                return {(name, "") for name in own}
            return {(name, str(fails[name])) for name in own}
        own_level2 = {name for name in verdicts.targets(fails) if verdicts.step_of_check().get(name) in LEVEL_2}
        if level2:  # a module of level 2's alone: every check of steps 8 to 11 made to fail
            return {(name, "") for name in own_level2}
        if any(verdicts.step_of_check().get(name) in LEVEL_2 for name in fails):
            return set()  # level 2's samples grade slowly (restarts, uploads): its own modules cover it
        borrowed = {(text, "") for expected in fails.values() for phrase in verdicts.phrases(expected)
                    for text in verdicts.BORROWED if text in phrase.casefold()}
        return {(name, "") for name in verdicts.targets(fails)} | borrowed

    valid = [submission.format(name) for name in (VALID_LEVEL_2 if level2 else VALID_LEVEL_3 if level3 else VALID)]
    ids = valid[:1] if step is None or level2 else []  # level 2's: a valid sample first
    wanted = set().union(*(covers(fails) for fails in cases.values()))
    while wanted:
        best = max(cases, key=lambda case: len(covers(cases[case]) & wanted))
        ids.append(best)
        wanted -= covers(cases[best])
    also = [submission.format(name) for name in ALSO.get(step_id or "", [])]
    return UNIT.get(file, []) + ids + [case for case in also + valid if case not in ids]


def baseline(ids: list[str], env: dict[str, str], log) -> list[str]:
    """The selection less any test that fails with no mutation at all (work in progress elsewhere)."""
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-n", "2", "-rf", *ids],
        cwd=WORK, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL,
    )
    failing = {line.split(" ", 2)[1] for line in run.stdout.splitlines() if line.startswith("FAILED ")}
    for case in sorted(failing):
        log.write(f"left out: fails without any mutation: {case}\n")
    return [case for case in ids if case not in failing]


def mutate(file: str, log, strings: bool = False) -> None:
    """Run mutmut over one file of the copy, against its selection of verdict tests.

    A step's module changes only that step's checks, so the samples are graded on that
    step alone (ONLY_STEP, read by tests/verdicts.py).
    """
    step_id = step_of(file)
    env = {**os.environ, "ONLY_STEP": step_id} if step_id else dict(os.environ)
    ids = baseline(selection(file), env, log)
    args = OUT / f"tests-{Path(file).stem}.txt"
    args.write_text("\n".join(ids) + "\n")
    runner = f"{sys.executable} -m tools.mutation --run-tests {args}"
    command = [
        sys.executable, "-m", "mutmut", "run", "--paths-to-mutate", file, "--tests-dir", "tests",
        "--runner", runner, "--simple-output", "--no-progress", "--test-time-base", "30",
    ]
    if not strings:
        command += ["--disable-mutation-types", "string,fstring"]
    log.write(f"\n== {file}: {len(ids)} verdict tests{f' (step {step_id} alone)' if step_id else ''}\n")
    log.flush()
    # A session of its own: mutmut runs the tests in a worker process, which must not outlive an interrupted run.
    process = subprocess.Popen(
        command, cwd=WORK, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        process.wait()
    finally:
        if process.poll() is None:  # interrupted: mutmut outlives SIGTERM, so the whole session goes
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def run_tests(args: str) -> int:
    """mutmut's test command: the tests listed in `args`, stopping at the first failure; 1 if any failed.

    mutmut 2 takes only exit status 1 for failed tests: a mutant that breaks the import of a
    test module (pytest's exit 2, an error during collection) would count as survived.
    """
    import pytest

    return 0 if pytest.main(["-x", "-q", "-n", "0", f"@{args}"]) == 0 else 1


def save(file: str, minutes: float) -> None:
    """Keep one file's outcome and how long it took in dist/mutation/results/, for the report (and later runs')."""
    with sqlite3.connect(WORK / ".mutmut-cache") as db:
        rows = db.execute(
            "SELECT Mutant.id, Mutant.status, Line.line_number + 1 FROM Mutant"
            " JOIN Line ON Mutant.line = Line.id JOIN SourceFile ON Line.sourcefile = SourceFile.id"
            " WHERE SourceFile.filename = ? ORDER BY Mutant.id",
            (file,),
        ).fetchall()
    mutants = [
        # (no diff for a mutant never tested: an interrupted run would wait on mutmut for each of them)
        {"id": ident, "status": status, "line": line,
         "diff": "" if status in KILLED or status == "untested" else diff(ident)}
        for ident, status, line in rows
    ]
    RESULTS.mkdir(parents=True, exist_ok=True)
    outcome = {"file": file, "minutes": round(minutes, 1), "mutants": mutants}
    (RESULTS / f"{file.replace('/', '__')}.json").write_text(json.dumps(outcome, indent=1))


def diff(ident: int) -> str:
    shown = subprocess.run(
        [sys.executable, "-m", "mutmut", "show", str(ident)], cwd=WORK, capture_output=True, text=True
    ).stdout
    changed = [line for line in shown.splitlines() if line[:1] in "-+" and line[:3] not in ("---", "+++")]
    return "\n".join(changed)


def report() -> str:
    """Killed/total per file, then every mutant not killed with its diff, from dist/mutation/results/."""
    saved = [json.loads(path.read_text()) for path in sorted(RESULTS.glob("*.json"))]
    lines = ["Mutation testing of the grading code (make mutation: mutmut 2, string literals left alone)", ""]
    lines.append(f"{'file':42} {'killed':>7} {'total':>6} {'score':>6} {'minutes':>8}")
    killed_all = total_all = 0
    survivors = []
    for entry in saved:
        mutants = entry["mutants"]
        killed = sum(1 for mutant in mutants if mutant["status"] in KILLED)
        killed_all, total_all = killed_all + killed, total_all + len(mutants)
        score = f"{100 * killed / len(mutants):.0f} %" if mutants else "-"
        minutes = entry.get("minutes", "-")  # (results saved before the minutes were kept have none)
        lines.append(f"{entry['file']:42} {killed:7} {len(mutants):6} {score:>6} {minutes:>8}")
        survivors += [(entry["file"], mutant) for mutant in mutants if mutant["status"] not in KILLED]
    score = f"{100 * killed_all / total_all:.0f} %" if total_all else "-"
    lines += [f"{'all':42} {killed_all:7} {total_all:6} {score:>6}", ""]
    lines.append(f"{len(survivors)} not killed (bad_survived; bad_timeout: too slow; untested: the run stopped):")
    for file, mutant in survivors:
        lines += ["", f"#{mutant['id']} {file}:{mutant['line']} {mutant['status']}", mutant["diff"]]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.mutation", description=__doc__.splitlines()[0])
    also = ", ".join(SHARED[1:])
    parser.add_argument("files", nargs="*", help=f"files to mutate (default: step modules, club.py); also {also}")
    parser.add_argument("--strings", action="store_true", help="mutate string literals too (the wording: slower)")
    parser.add_argument("--report-only", action="store_true", help="rewrite the report from the last run's results")
    parser.add_argument("--run-tests", metavar="FILE", help=argparse.SUPPRESS)  # mutmut's runner, in the copy
    options = parser.parse_args(argv)
    if options.run_tests:
        return run_tests(options.run_tests)
    files = options.files or DEFAULT
    unknown = [file for file in files if not (ROOT / file).is_file()]
    if unknown:
        parser.error(f"no such file in the kit: {', '.join(unknown)}")
    started = time.monotonic()
    if not options.report_only:
        global WORK
        OUT.mkdir(parents=True, exist_ok=True)
        WORK = Path(tempfile.mkdtemp(prefix="work-", dir=OUT))
        try:
            copy_kit()
            with open(WORK.with_suffix(".log"), "w") as log:
                for file in files:
                    print(f"mutation testing {file} ...", flush=True)
                    began = time.monotonic()
                    try:
                        mutate(file, log, options.strings)
                    finally:
                        # what was tested so far, even when interrupted (the rest "untested")
                        save(file, (time.monotonic() - began) / 60)
        finally:
            shutil.rmtree(WORK, ignore_errors=True)
    text = report()
    (OUT / "report.txt").write_text(text)
    print(text.split("\n\n")[1])
    print(f"{(time.monotonic() - started) / 60:.0f} min; report: {(OUT / 'report.txt').relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # Ctrl-C: what was tested is saved (mutate's and main's finally), no traceback
        print("interrupted: each file's mutants tested so far are kept in dist/mutation/results/ (the rest "
              "untested); python -m tools.mutation --report-only writes the report", file=sys.stderr)
        sys.exit(130)
