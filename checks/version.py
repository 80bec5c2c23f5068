"""The kit's version, and what a grade was made with: stamped on every gradebook file.

KIT_VERSION is the version pyproject.toml gives (a test keeps the two the same).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from pathlib import Path

KIT_VERSION = "0.1.0"
DEFAULT_RUBRIC = Path(__file__).with_name("rubric.toml")


def graded_with(rubric_file: str | Path | None = None) -> dict:
    """The rubric (its file's name and content hash), the kit's version and the time, for a grade's records."""
    rubric = Path(rubric_file) if rubric_file else DEFAULT_RUBRIC
    return {
        "rubric": rubric.name,
        "rubric_sha256": hashlib.sha256(rubric.read_bytes()).hexdigest(),
        "kit_version": KIT_VERSION,
        "graded_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
