"""A grader that stays up: grades one submission per line it reads, for a class.

`python -m checks.run.worker` reads JSON lines {"submission", "options", "token"}
on standard input ("options": checks.options.Options.to_dict()) and answers each
with one JSON line on standard output: {"grade": Grade.to_dict()}, or
{"error": ...} (with "log": the traceback, where the grader itself failed), with
the job's token. It pays for importing pytest, Flask and BeautifulSoup once
instead of once per student. The student's code still runs only in a sandbox
process of its own per submission (checks/sandbox/), so this process stays the
trusted side. workers.py is the other end.
"""

from __future__ import annotations

import json
import os
import sys
import traceback

from checks.stopping import stop_on_signals


def main() -> None:
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # anything printed by mistake goes to stderr, never into the answers
    # Imported after that dup: whatever importing prints goes to stderr too.
    from checks.grade import grade
    from checks.options import Options
    from checks.run.class_files import FAILED
    from checks.run.workspace import SubmissionError

    for line in sys.stdin:
        job = json.loads(line)
        try:
            answer = {"grade": grade(job["submission"], Options.from_dict(job["options"])).to_dict()}
        except SubmissionError as error:
            answer = {"error": str(error)}
        except (Exception, SystemExit) as error:  # noqa: BLE001 - one submission's trouble must not stop the class
            reason = " ".join(f"{FAILED}: {type(error).__name__}: {error}".split())
            answer = {"error": reason[:300], "log": traceback.format_exc()[-20000:]}
        answer["token"] = job.get("token")  # the job's own, which the student's app never sees
        answers.write(json.dumps(answer) + "\n")  # ASCII: a name that is not UTF-8 travels as an escape
        answers.flush()


if __name__ == "__main__":
    stop_on_signals()  # SIGTERM (the class runner stopping this worker): the sandboxes and copies go first
    try:
        main()
    except KeyboardInterrupt:  # Ctrl-C reaches the whole class: the grader that started this one says so
        sys.exit(130)
