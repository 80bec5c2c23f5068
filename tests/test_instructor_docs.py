"""The instructor's guide: its pages are linked, its links and anchors resolve, its commands exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import ROOT

from checks.cli import parser

INSTRUCTOR = ROOT / "docs" / "instructor"
PAGES = ["classroom50.md", "github-actions.md", "gradescope.md", "rubric.md"]


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    return {slug(line.lstrip("#")) for line in page.read_text().splitlines() if line.startswith("#")}


def links(page: Path) -> list[str]:
    text = re.sub(r"```.*?```", "", page.read_text(), flags=re.S)
    return [target for target in re.findall(r"\]\(([^)\s]+)\)", text) if not re.match(r"[a-z]+:", target)]


def test_the_guides_are_linked_from_grading_and_the_docs_index():
    """grading.md and docs/README.md link to each guide page."""
    for index in (INSTRUCTOR / "grading.md", ROOT / "docs" / "README.md"):
        text = index.read_text()
        for page in PAGES:
            assert f"{page})" in text, (index.name, page)


@pytest.mark.parametrize("page", ["grading.md", *PAGES])
def test_links_and_anchors_resolve(page):
    """Every relative link of the instructor's pages points at a file, and at a heading of it."""
    source = INSTRUCTOR / page
    for target in links(source):
        path, _, anchor = target.partition("#")
        file = (source.parent / path).resolve() if path else source
        assert file.exists(), f"{page} → {target}"
        if anchor and file.suffix == ".md":
            assert anchor in anchors(file), f"{page} → {target}"


@pytest.mark.parametrize("page", ["grading.md", *PAGES])
def test_the_commands_exist(page):
    """Each `make TARGET` a page names is a target of the Makefile; each --option, an option of the grader."""
    text = (INSTRUCTOR / page).read_text()
    makefile = (ROOT / "Makefile").read_text()
    for target in set(re.findall(r"\bmake ([a-z][a-z0-9-]*)", text)):
        assert re.search(rf"^{target}:", makefile, re.M), f"{page}: make {target}"
    options = {option for action in parser()._actions for option in action.option_strings}
    for line in text.splitlines():
        if "python -m checks" in line:
            for option in re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", line.split("python -m checks", 1)[1]):
                assert option in options, f"{page}: {option}"
