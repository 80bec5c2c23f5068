#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image: it
# finds (or installs) Python 3.10 or newer and installs the checks' pinned
# dependencies into .venv next to this file (/autograder/source/.venv), and
# bubblewrap, the sandbox every submission runs in.
set -euo pipefail
cd "$(dirname "$0")"

recent() { "$1" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; }

python=""
for candidate in python3.14 python3.13 python3.12 python3.11 python3.10 python3; do
  if command -v "$candidate" >/dev/null 2>&1 && recent "$candidate"; then
    python=$(command -v "$candidate")
    break
  fi
done
if [ -z "$python" ]; then
  # An image older than Ubuntu 22.04 (whose python3 is 3.10): Ubuntu's python3.11, where its repositories have it.
  apt-get update
  apt-get install -y python3.11 python3.11-venv
  python=$(command -v python3.11)
fi
if ! "$python" -m venv .venv; then
  # Ubuntu's Python needs its venv package to create virtual environments.
  version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
  apt-get update
  apt-get install -y "python$version-venv"
  rm -rf .venv
  "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
# bubblewrap: the sandbox each submission's app runs in. Without it the grader refuses to
# grade (a student's code would run as root beside the grader); see the instructor's guide.
if ! command -v bwrap >/dev/null 2>&1; then
  apt-get update
  apt-get install -y bubblewrap
fi
.venv/bin/python -m checks --help >/dev/null
# Whether the sandbox starts in this image: where it does not (an image that forbids user
# namespaces), every submission is refused with the reason, and this build says so now.
sandbox=$(.venv/bin/python -c '
from checks.sandbox.isolation import NoSandbox, choose
try:
    choose()
    print("the sandbox works")
except NoSandbox as error:
    print(f"WARNING: {error}")
')
echo "Flask Club autograder ready: $(.venv/bin/python --version), $(bwrap --version), $sandbox"
