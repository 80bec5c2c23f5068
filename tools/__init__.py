"""The kit's scripts, each run as `python -m tools.NAME` (most by a Makefile target), and their helpers.

For the reference solution as real software:

- server.py   start solution/serve.py (waitress) on a free loopback port, stop it or kill it
- load.py     `make load`: many clients at once, then a crash mid-write
- browser.py  Debian's headless Chromium through Playwright, for tests/test_browser.py,
              which `make screenshots` runs to save the pictures in docs/student/images/
"""
