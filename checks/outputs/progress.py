"""Progress of a class's grading, on standard error: a bar with done and failed counts."""

from __future__ import annotations

import sys

from checks.run.class_files import Outcome


class Progress:
    """A rich progress bar on a terminal; one line per submission elsewhere (CI logs)."""

    def __init__(self, stream=sys.stderr):
        self.stream = stream
        self.done = self.failed = self.total = 0
        self.bar = None

    def note(self, text: str) -> None:
        """A line about the run as a whole (a changed rubric), before the bar."""
        print(f"python -m checks: note: {text}", file=self.stream)

    def start(self, total: int, reused: int) -> None:
        self.total, self.done = total, reused
        if reused:
            print(f"{reused} of {total} submissions unchanged since their last grade: kept", file=self.stream)
        if self.stream.isatty():
            # rich only for a terminal: a CI log, and every run that grades one submission, never pays its import
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(
                TextColumn("grading"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[failed]} grader error(s)"),
                TimeElapsedColumn(),
                console=Console(file=self.stream),
            )
            self.bar.start()
            self.task = self.bar.add_task("grading", total=total, completed=reused, failed=0)

    def advance(self, outcome: Outcome) -> None:
        self.done += 1
        self.failed += outcome.result is None
        if self.bar is not None:
            self.bar.update(self.task, advance=1, failed=self.failed)
            return
        score = f"{outcome.result['score']:g}/{outcome.result['max_score']:g}" if outcome.result else outcome.error
        print(f"[{self.done}/{self.total}] {outcome.student}: {score} ({outcome.seconds:.1f} s)", file=self.stream)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()
