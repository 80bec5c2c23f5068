"""`python -m checks DIR` grades (checks/cli.py); `python -m checks import FROM --out DIR` imports an
LMS's bulk download into a class folder (checks/lms/). Ctrl-C at any moment, even while the grader's
modules load, ends with one line and exit code 130 (checks/stopping.py)."""

import sys
import warnings

from checks.stopping import leave, say_interrupted, stop_on_signals

stop_on_signals()

# BeautifulSoup loads soupsieve, its CSS selectors, unless it is missing: the checks find elements by tag, id
# and name, never by selector, and its patterns are a twentieth of a grade's time (checks/README.md).
sys.modules.setdefault("soupsieve", None)
warnings.filterwarnings("ignore", "The soupsieve package is not installed", UserWarning)

try:
    if sys.argv[1:2] == ["import"]:
        from checks.lms import main as import_main

        code = import_main(sys.argv[2:])
    else:
        if not {"--no-sandbox", "--hint", "-h", "--help", "--version"} & set(sys.argv[1:]):
            from checks.sandbox.isolation import probe_soon

            probe_soon()  # bubblewrap's probe (a process) runs while the grader's modules load: grading needs it
        from checks.cli import main

        code = main()
except KeyboardInterrupt:
    code = say_interrupted()
leave(code)
