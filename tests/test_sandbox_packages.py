"""The sandbox mounts the top-level files and folders of the distributions an app may import, read fast."""

from __future__ import annotations

from importlib import metadata

import pytest

from checks.sandbox import bubblewrap


def installed() -> list[metadata.Distribution]:
    found = []
    for name in bubblewrap.ALLOWED:
        try:
            found.append(metadata.distribution(name))
        except metadata.PackageNotFoundError:
            pass
    return found


def from_files(distribution: metadata.Distribution) -> set[str]:
    return {str(file).replace("\\", "/").split("/", 1)[0] for file in distribution.files or []}


@pytest.mark.parametrize("distribution", installed(), ids=lambda distribution: distribution.metadata["Name"])
def test_the_record_gives_the_same_top_level_names_as_the_file_list(distribution):
    """Read from RECORD as text, each distribution's top-level names are those of its file list."""
    assert bubblewrap.top_level(distribution) == from_files(distribution)


class Egg(metadata.Distribution):
    """A distribution without a RECORD (an egg's metadata): its files come from SOURCES.txt."""

    def read_text(self, filename):
        return "egg_top/__init__.py\negg_top/core.py\nlonely.py\n" if filename == "SOURCES.txt" else None

    def locate_file(self, path):
        return path


def test_a_distribution_without_a_record_is_read_from_its_file_list():
    """No RECORD: the names come from the files the distribution lists some other way."""
    assert bubblewrap.top_level(Egg()) == {"egg_top", "lonely.py"}


def test_the_sandbox_mounts_flask_and_its_dependencies():
    """flask, werkzeug, jinja2 and markupsafe are among the sandbox's packages, each under /packages."""
    mounted = {target for _, target in bubblewrap.packages()}
    assert {f"{bubblewrap.PACKAGES}/{name}" for name in ("flask", "werkzeug", "jinja2", "markupsafe")} <= mounted
