"""The result of grading one submission: steps, checks, points. Renderers read only this.

A failed check keeps the parts of its failure as fields (`Failure`): what was sent
and what came back, the problem, what was expected and seen where known, a hint, the
page to read, the commands that replay it, and the shared cause that blocks it (see
checks/causes.py). `message` is the same failure as one text, for the contract's JSON; no
renderer reads it back apart.

Longer than 300 lines, because Grade.to_dict() and Grade.from_dict() sit beside the fields
they write and read: the one serialised form of a grade, checked field by field by
tests/test_results.py.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

from checks.causes import CAUSES
from checks.rubric import label

HIDDEN_NAME = "hidden check"
# A brief failure (the text a student reads first) shows the last BRIEF_LOG requests and a replay of
# at most BRIEF_REPLAY commands; the whole exchange is in the JSON, and behind the verbose option.
BRIEF_LOG = 2
BRIEF_REPLAY = 3


@dataclass
class Failure:
    """Why a check failed, in parts.

    `log` holds one line per request the check sent, with what came back; `replay` the
    same requests as shell commands to paste against the student's own server. `doc` is
    the page (and anchor) to read, `label` its step ('step 5'). `cause` names an entry of
    checks.causes.CAUSES when the failure is one shared by other checks. `broken` means the check
    itself raised an unexpected error: a bug in the checks, not in the submission.
    """

    problem: str
    log: list[str] = field(default_factory=list)
    expected: str | None = None
    actual: str | None = None
    hint: str | None = None
    doc: str = ""
    label: str = ""
    cause: str | None = None
    replay: list[str] = field(default_factory=list)
    broken: bool = False
    not_run: bool = False  # the check could not run in this copy of the kit (step 16's mutants on a handout)

    def read_line(self) -> str:
        """'read: docs/student/step-5.md#how-it-is-checked (step 5)', or '' without a page."""
        if not self.doc:
            return ""
        return f"read: {self.doc}" + (f" ({self.label})" if self.label else "")

    def lines(self, *, log: bool = True, replay: bool = True, brief: str = "") -> list[str]:
        """The failure as lines of text: the log, the problem, the hint, the page, the replay.

        `brief` (the option that shows everything, such as "-v") keeps a long failure short: the
        last BRIEF_LOG requests of the log and a replay of at most BRIEF_REPLAY commands, each
        longer part replaced by one line that says how many there are and names the option.
        """
        shown = list(self.log if log else [])
        if brief and len(shown) > BRIEF_LOG + 1:
            earlier = len(shown) - BRIEF_LOG
            shown = [f"… {earlier} earlier requests and notes ({brief} shows them)", *shown[-BRIEF_LOG:]]
        lines = [*shown, *self.problem.splitlines()]
        if self.hint:
            lines.append(f"hint: {self.hint}")
        if self.read_line():
            lines.append(self.read_line())
        if replay and self.replay:
            if brief and len(self.replay) > BRIEF_REPLAY:
                count = len(self.replay)
                lines.append(f"replay: {count} commands reproduce this against your server ({brief} shows them)")
            else:
                lines.append("replay against your own server (started with `make run`):")
                lines += [f"  {command}" for command in self.replay]
        return lines

    def text(self) -> str:
        return "\n".join(self.lines())

    @classmethod
    def from_dict(cls, data: dict) -> Failure:
        """The failure `asdict` wrote (as Grade.to_dict does); keys it does not know are left out."""
        known = {key: data[key] for key in cls.__dataclass_fields__ if key in data}
        return cls(**known)


@dataclass
class CheckResult:
    """One check: its student-facing name, whether it passed, its points and message.

    `message` is the whole text (what a passed check saw, or the failure's text);
    `failure` holds a failed check's parts. `hidden` checks are graded like any other;
    student-facing output shows them only as a count. `file` and `line` say where the
    check is defined (checks/test_….py), `duration` how long it took, in seconds.
    """

    id: str
    name: str
    passed: bool
    score: float
    max_score: float
    message: str
    hidden: bool = False
    file: str = ""
    line: int = 0
    duration: float = 0.0
    failure: Failure | None = None

    @property
    def details(self) -> Failure:
        """The failure's parts (a failure known only by its text is all problem)."""
        return self.failure or Failure(problem=self.message)

    @property
    def not_run(self) -> bool:
        """The check did not run here (worth 0 in this grade): neither passed nor a thing to fix."""
        return not self.passed and self.failure is not None and self.failure.not_run

    @property
    def broken(self) -> bool:
        """The check itself raised an unexpected error: a bug in the checks, not in the submission."""
        return not self.passed and self.failure is not None and self.failure.broken

    @property
    def cause(self) -> str | None:
        """The shared cause that blocks this check, if any."""
        return None if self.passed or self.failure is None else self.failure.cause


@dataclass
class StepResult:
    """One step of the exercise and the results of its checks.

    A step that is not `counted` (an extra, when the rubric says extras don't count) is
    graded and shown, but its points stay out of the submission's total.
    """

    id: str
    title: str
    label: str
    doc: str
    checks: list[CheckResult] = field(default_factory=list)
    counted: bool = True

    @property
    def score(self) -> float:
        return sum(check.score for check in self.checks)

    @property
    def max_score(self) -> float:
        return sum(check.max_score for check in self.checks)

    @property
    def passed(self) -> bool:
        """Every check worth points passed: a check worth 0 is feedback, reported but not holding a step back.

        (A step whose checks are all worth 0, weight = 0 in the rubric, passes when they all pass.)
        """
        worth = [check for check in self.checks if check.max_score > 0] or self.checks
        return bool(worth) and all(check.passed for check in worth)


@dataclass
class Grade:
    """A graded submission.

    `modified` lists what is wrong with checks/ against its manifest ('X modified',
    'MANIFEST.sha256 missing'...): such a grade is void (see `void`). `student_view` is
    true once hidden checks have been masked (see `for_students`). `graded_with` says what
    graded it (the rubric, its hash, the kit's version and the time: checks.version.graded_with).

    `to_dict()` is the one form a grade is written in (the JSON format, a class's workers'
    answers, a class's result files) and `from_dict()` the one reader: every field comes back as
    it was, but for these facts of the run rather than of the grade, which are not written, so that
    a seed given back repeats the JSON exactly: the durations, `graded_with` (a class's result file
    has it as `grading`, written there by the class's run) and `brief` (how the front end that
    renders it shows failures). A void grade's points are written, and so read back, as 0.
    """

    submission: str
    seed: int
    steps: list[StepResult]
    duration: float = 0.0
    modified: list[str] = field(default_factory=list)
    student_view: bool = False
    isolation: str = ""  # how the app was isolated: "bubblewrap", "process limits (--no-sandbox)"…
    voided: str = ""  # a void grade's reason, as read back from its JSON
    brief: str = ""  # set by a front end: failures read short, and this option shows them whole ("-v", "V=1")
    graded_with: dict = field(default_factory=dict)  # the rubric, its hash, the kit's version, the time graded

    # -- the one rule for a void grade ------------------------------------------
    @property
    def void(self) -> str:
        """Why this grade does not count ('' when it does): every format gives it zero points."""
        if self.voided or not self.modified:
            return self.voided
        listed = ", ".join(f"checks/{item}" for item in self.modified[:5])
        more = f" and {len(self.modified) - 5} more" if len(self.modified) > 5 else ""
        return (
            f"checks/ is not the instructor's copy ({listed}{more}): this grade does not count and earns 0 points; "
            "copy checks/ again from a fresh copy of the handout (in a git clone of it, `git checkout -- checks` "
            "does the same); your work in starter/ is not touched"
        )

    def points(self, item: StepResult | CheckResult) -> float:
        """The points a step or a check earns in this grade: 0 for every one of a void grade."""
        return 0.0 if self.void else item.score

    @property
    def earned(self) -> float:
        """What the checks' points add up to, void or not."""
        return sum(step.score for step in self.steps if step.counted)

    @property
    def score(self) -> float:
        return 0.0 if self.void else self.earned

    @property
    def max_score(self) -> float:
        return sum(step.max_score for step in self.steps if step.counted)

    @property
    def checks(self) -> list[tuple[StepResult, CheckResult]]:
        """Every check with its step, in order."""
        return [(step, check) for step in self.steps for check in step.checks]

    def hidden_count(self) -> tuple[int, int]:
        """How many checks are hidden, and how many of those passed."""
        hidden = [check for _, check in self.checks if check.hidden]
        return len(hidden), sum(check.passed for check in hidden)

    def for_students(self) -> Grade:
        """The same grade with every hidden check's name and message masked; points are kept."""
        steps = [
            replace(
                step,
                checks=[
                    replace(check, id=HIDDEN_NAME, name=HIDDEN_NAME, message="", file="", line=0, failure=None)
                    if check.hidden
                    else check
                    for check in step.checks
                ],
            )
            for step in self.steps
        ]
        return replace(self, steps=steps, student_view=True)

    def to_dict(self) -> dict:
        """The contract's JSON object, with a few added keys.

        Added: `isolation` (how the app was isolated), `void` (why the grade earns nothing, or
        null), `modified`, on each step its `doc`, and on each check its `id`, `file`, `line`,
        `blocked_by` (the id of the shared cause that fails it, or null) and `failure`
        (its parts, or null). The contract's keys keep their meaning; `message` is the
        whole text.
        """
        return {
            "submission": self.submission,
            "score": number(self.score),
            "max_score": number(self.max_score),
            "seed": self.seed,
            "isolation": self.isolation,
            "void": self.void or None,
            "modified": list(self.modified),
            "student_view": self.student_view,
            "steps": [
                {
                    "id": step.id,
                    "title": step.title,
                    "doc": step.doc,
                    "score": number(self.points(step)),
                    "max_score": number(step.max_score),
                    "passed": step.passed,
                    "counted": step.counted,
                    "checks": [
                        {
                            "name": check.name,
                            "passed": check.passed,
                            "score": number(self.points(check)),
                            "max_score": number(check.max_score),
                            "message": check.message,
                            "hidden": check.hidden,
                            "id": check.id,
                            "file": check.file,
                            "line": check.line,
                            "blocked_by": check.cause,
                            "failure": asdict(check.failure) if check.failure and not check.passed else None,
                        }
                        for check in step.checks
                    ],
                }
                for step in self.steps
            ],
            "causes": {
                cause: asdict(CAUSES[cause])
                for cause in dict.fromkeys(check.cause for _, check in self.checks if check.cause in CAUSES)
            },
        }

    @classmethod
    def from_dict(cls, data: dict) -> Grade:
        """The grade `to_dict()` wrote: the one reader of the one form a grade is written in.

        A result file written before a key was added reads with that field's default.
        """
        steps = []
        for step in data["steps"]:
            result = StepResult(
                step["id"], step["title"], label(step["id"]), step.get("doc", ""), counted=step.get("counted", True)
            )
            for check in step["checks"]:
                failure = check.get("failure")
                result.checks.append(
                    CheckResult(
                        check.get("id") or check["name"],
                        check["name"],
                        check["passed"],
                        check["score"],
                        check["max_score"],
                        check.get("message", ""),
                        hidden=check.get("hidden", False),
                        file=check.get("file", ""),
                        line=check.get("line", 0),
                        failure=Failure.from_dict(failure) if failure else None,
                    )
                )
            steps.append(result)
        grade = cls(
            data.get("submission", ""),
            data.get("seed", 0),
            steps,
            modified=list(data.get("modified") or []),
            student_view=bool(data.get("student_view")),
            isolation=str(data.get("isolation") or ""),
        )
        void = str(data.get("void") or "")
        if void != grade.void:  # a reason of its own, not the one `modified` gives
            grade.voided = void
        return grade


def number(value: float) -> int | float:
    """85 rather than 85.0; 2.5 stays 2.5; sums rounded clear of float noise."""
    value = round(value, 4)
    return int(value) if value == int(value) else value
