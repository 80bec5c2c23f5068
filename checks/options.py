"""What one grading run asks for: the one value every front end builds and `grade()` reads.

The command line, `make watch`, a class's workers, Classroom 50's and Gradescope's
bundles all say what they want as an `Options`; a class's workers receive it as the
dict `to_dict()` writes, read back by `from_dict()`. How the app runs (the sandbox or
process limits only) is decided from it in one place, `isolation()`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from checks import rubric
from checks.sandbox.isolation import Isolation, choose
from checks.sandbox.limits import Limits


@dataclass(frozen=True)
class Options:
    """How to grade one submission.

    `steps` grades those steps alone (any level, in rubric order); empty grades the levels the
    rubric turns on. `seed` repeats a run's data (None: a new one). `rubric` replaces
    checks/rubric.toml. `sandbox` false is `--no-sandbox`: process limits only. `own_work` is
    true only for a student checking their own work on their machine (`--student` outside CI):
    there, and only there, a machine without the sandbox grades with process limits and says so.
    """

    steps: tuple[str, ...] = ()
    seed: int | None = None
    rubric: Path | None = None
    limits: Limits = field(default_factory=Limits)
    sandbox: bool = True
    own_work: bool = False

    def __post_init__(self) -> None:
        unknown = [step for step in self.steps if step not in rubric.ALL_STEP_IDS]
        if unknown:
            raise ValueError(f"there is no step {unknown[0]!r}: steps are 1 to {rubric.ALL_STEP_IDS[-1]}")
        if self.rubric is not None and not isinstance(self.rubric, Path):
            object.__setattr__(self, "rubric", Path(self.rubric))

    def isolation(self) -> Isolation:
        """How the app runs: the sandbox, or process limits; raise NoSandbox where others' work can't be sandboxed.

        The one place the sandbox default is decided (bubblewrap's probe is cached: once per process).
        """
        return choose(no_sandbox=not self.sandbox, others_work=not self.own_work, limits=self.limits)

    def rubric_file(self) -> Path:
        """The rubric this run reads."""
        return self.rubric or rubric.RUBRIC

    def to_dict(self) -> dict:
        """The options as JSON-ready data: what a class's worker receives."""
        return {
            "steps": list(self.steps),
            "seed": self.seed,
            "rubric": str(self.rubric) if self.rubric else None,
            "limits": dataclasses.asdict(self.limits),
            "sandbox": self.sandbox,
            "own_work": self.own_work,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Options:
        """Read `to_dict()`'s data back; raise ValueError, saying what, for anything else."""
        if not isinstance(data, dict) or set(data) != {"steps", "seed", "rubric", "limits", "sandbox", "own_work"}:
            raise ValueError(f"not grading options: {str(data)[:200]}")
        limits = data["limits"]
        known = {each.name: each.type for each in dataclasses.fields(Limits)}
        if not isinstance(limits, dict) or not set(limits) <= set(known):
            raise ValueError(f"not grading limits: {str(limits)[:200]}")
        if not all(isinstance(value, (int, float)) and not isinstance(value, bool) for value in limits.values()):
            raise ValueError(f"grading limits are numbers: {str(limits)[:200]}")
        steps, seed, rubric_path = data["steps"], data["seed"], data["rubric"]
        if not isinstance(steps, list) or not all(isinstance(step, str) for step in steps):
            raise ValueError(f"steps are a list of step ids: {str(steps)[:200]}")
        if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
            raise ValueError(f"a seed is a whole number: {seed!r}")
        if rubric_path is not None and not isinstance(rubric_path, str):
            raise ValueError(f"a rubric is a file's path: {rubric_path!r}")
        if not isinstance(data["sandbox"], bool) or not isinstance(data["own_work"], bool):
            raise ValueError("sandbox and own_work are true or false")
        return cls(
            steps=tuple(steps),
            seed=seed,
            rubric=Path(rubric_path) if rubric_path else None,
            limits=Limits(**limits),
            sandbox=data["sandbox"],
            own_work=data["own_work"],
        )

    def replace(self, **changes) -> Options:
        """A copy with these fields changed (such as each student's own seed in a class)."""
        return dataclasses.replace(self, **changes)
