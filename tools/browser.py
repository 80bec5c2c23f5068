"""Headless Chromium driven by Playwright: Debian's /usr/bin/chromium, no browser download.

Playwright's Python package brings its own driver; the browser is the
system's (`apt-get install chromium`, which `make browser` does where it
can), named by CHROMIUM or found at /usr/bin/chromium.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))

# Headless, with nothing that would reach out to the network or need a GPU or a sandbox (root in a container).
ARGUMENTS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Small pictures for the docs: a laptop window's worth of page.
VIEWPORT = {"width": 900, "height": 600}


def why_no_browser() -> str | None:
    """None where a browser can be driven here; otherwise the reason, in a sentence."""
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is not installed (pip install -r requirements-dev.txt)"
    if not os.access(CHROMIUM, os.X_OK):
        return f"no Chromium at {CHROMIUM}: install Debian's chromium package (make browser), or set CHROMIUM"
    return None


@contextmanager
def chromium() -> Iterator[Browser]:
    """A headless Chromium, closed again on leaving the `with`."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGUMENTS, headless=True)
        try:
            yield browser
        finally:
            browser.close()
