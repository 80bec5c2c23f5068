"""The docs: every link and anchor resolves, every page a check names exists, the website builds, and every
block marked as runnable runs (tests/runnable.py says how)."""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

import markdown
import pytest
import yaml
from conftest import ROOT
from runnable import MODES, Workspace, blocks, fences, parse, stray_markers

from checks import rubric

DOCS = ROOT / "docs"
PAGES = sorted(DOCS.rglob("*.md"))
LINKED = [ROOT / "README.md", *PAGES]
STEP_PAGES = sorted({ROOT / step.doc for step in rubric.load().values()})
RUNNABLE = [page for page in LINKED if any(marker for *_, marker in fences(page))]
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)|^\s*\[[^\]]+\]:\s*(\S+)", re.M)
HTML_LINK = re.compile(r"<(?:a|img)\b[^>]*?\b(?:href|src)=\"([^\"]+)\"")
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.I)
DOC_NAMED = re.compile(r"docs/[\w./-]+\.md(?:#[\w-]+)?")


def name(page: Path) -> str:
    return page.relative_to(ROOT).as_posix()


def prose(page: Path) -> str:
    """A page's text without its code: fenced blocks and `inline code` blanked out."""
    lines = page.read_text(encoding="utf-8").split("\n")
    inside = {line - 1 + offset for line, _, code, _ in fences(page) for offset in range(code.count("\n") + 3)}
    kept = ["" if index in inside else line for index, line in enumerate(lines)]
    return re.sub(r"(`+).+?\1", "", "\n".join(kept))


def links(page: Path) -> list[str]:
    """The relative links of a page's prose (Markdown and HTML), external ones left out."""
    text = prose(page)
    found = [a or b for a, b in LINK.findall(text)] + HTML_LINK.findall(text)
    return [target for target in found if not EXTERNAL.match(target)]


def headings(page: Path) -> list[str]:
    """The text of each heading, as rendered (code spans keep their text), in order."""
    parser = markdown.Markdown(extensions=["toc", "tables", "attr_list", "pymdownx.superfences"])
    parser.convert(page.read_text(encoding="utf-8"))
    found: list[str] = []

    def walk(tokens: list[dict]) -> None:
        for token in tokens:
            found.append((token["id"], html.unescape(token["name"])))
            walk(token["children"])

    walk(parser.toc_tokens)
    return found


@cache
def mkdocs_anchors(page: Path) -> frozenset[str]:
    """The ids MkDocs (Python-Markdown's toc) gives the page's headings."""
    return frozenset(anchor for anchor, _ in headings(page))


@cache
def github_anchors(page: Path) -> frozenset[str]:
    """The ids GitHub gives the same headings, so that a link works in both places."""
    seen: dict[str, int] = {}
    anchors = set()
    for _, text in headings(page):
        slug = re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")
        anchors.add(f"{slug}-{seen[slug]}" if slug in seen else slug)
        seen[slug] = seen.get(slug, 0) + 1
    return frozenset(anchors)


def check_target(page: Path, target: str) -> str | None:
    """Why a link of a page does not resolve, or None when it does."""
    path, _, anchor = target.partition("#")
    file = (page.parent / path).resolve() if path else page
    if not file.is_file():
        return f"{target}: there is no file {file}"
    if page.is_relative_to(DOCS) and not file.is_relative_to(DOCS):
        return f"{target}: the docs website holds docs/ alone, so a page may link only inside it"
    if anchor:
        if file.suffix != ".md":
            return f"{target}: an anchor into a file that is not a page"
        if anchor not in mkdocs_anchors(file):
            return f"{target}: {name(file)} has no heading whose anchor is #{anchor}"
        if anchor not in github_anchors(file):
            return f"{target}: GitHub makes another anchor of that heading than MkDocs does"
    return None


@pytest.mark.parametrize("page", LINKED, ids=name)
def test_links_and_anchors_resolve(page):
    """Every relative link of README.md and the docs points at a file, and at a heading of it."""
    problems = [problem for target in links(page) if (problem := check_target(page, target))]
    assert problems == []


def test_the_link_finder_finds_links():
    """The links above are really looked at: the guide's index links every step page."""
    targets = links(DOCS / "student" / "README.md")
    assert {"step-1.md", "extra-7.md", "troubleshooting.md", "where-next.md"} <= set(targets)
    assert "README.md#user-not-users" in links(DOCS / "student" / "troubleshooting.md")


def test_every_page_a_check_names_exists():
    """Each docs/... page (and #anchor) the checks' messages or the rubric name is there."""
    named = set()
    for source in [*sorted((ROOT / "checks").glob("*.py")), ROOT / "checks" / "rubric.toml"]:
        named |= set(DOC_NAMED.findall(source.read_text(encoding="utf-8")))
    # Failures end with "read: {step.doc}#<anchor>": every step page needs those anchors.
    appended = set(re.findall(r"\.doc\}#([\w-]+)", (ROOT / "checks" / "notes.py").read_text()))
    assert "how-it-is-checked" in appended
    named |= {f"{name(page)}#{anchor}" for page in STEP_PAGES for anchor in appended}
    assert len(named) >= 7
    # Resolved from the kit's root, as the messages are written.
    problems = [problem for target in sorted(named) if (problem := check_target(ROOT / "README.md", target))]
    assert problems == []


@pytest.mark.parametrize("page", STEP_PAGES, ids=name)
def test_each_step_page_has_the_guides_sections(page):
    """A step's page has the sections the guide promises, three hints among them."""
    titles = [text for _, text in headings(page)]
    for section in ("What to build", "The ideas you need", "Try it by hand", "How it is checked",
                    "Mistakes that lose points", "Hints", "Hint 1", "Hint 2", "Hint 3"):
        assert section in titles, section


def test_every_page_is_in_the_websites_navigation():
    """mkdocs.yml's nav lists every page of docs/, and only pages that exist."""
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text())
    listed = set()

    def walk(entries) -> None:
        for entry in entries:
            value = next(iter(entry.values())) if isinstance(entry, dict) else entry
            walk(value) if isinstance(value, list) else listed.add(value)

    walk(config["nav"])
    assert listed == {page.relative_to(DOCS).as_posix() for page in PAGES}


def test_the_website_builds_strictly(tmp_path):
    """`mkdocs build --strict` (as `make docs` runs it) builds every page: no broken link or anchor."""
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(ROOT / "mkdocs.yml"), "-d", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert done.returncode == 0, done.stderr
    assert "WARNING" not in done.stderr
    for page in PAGES:
        relative = page.relative_to(DOCS).with_suffix("")
        built = tmp_path / (relative.parent if relative.name == "README" else relative) / "index.html"
        assert built.is_file(), name(page)


@pytest.mark.parametrize("page", LINKED, ids=name)
def test_runnable_markers_are_well_formed(page):
    """Each marker sits right before a fence, and says how to run an sh or python block."""
    assert stray_markers(page) == []
    for line, language, code, marker in fences(page):
        if marker is not None:
            parse(page, line, language, code, marker)


def test_the_docs_show_runnable_commands():
    """Each step's 'Try it by hand', the guides and the instructor's worked examples have runnable blocks."""
    for page in STEP_PAGES:
        assert blocks(page), name(page)
    for page in ("student/README.md", "instructor/README.md", "instructor/class-grading.md",
                 "instructor/adding-a-check.md", "instructor/extensions.md"):
        assert blocks(DOCS / page), page
    assert {block.mode for page in RUNNABLE for block in blocks(page)} == set(MODES)


def test_a_marker_clause_may_hold_semicolons():
    """`expect:` text may hold a `;`: only a known clause name after it starts a new clause."""
    page = DOCS / "student" / "step-1.md"
    block = parse(page, 1, "sh", "curl -i localhost:5000/", "solution; expect: text/html; charset=utf-8; fails")
    assert (block.expect, block.fails, block.needs_server) == (["text/html; charset=utf-8"], True, True)


@pytest.mark.parametrize("page", RUNNABLE, ids=name)
def test_runnable_blocks_run(page, tmp_path):
    """Every runnable block of the page runs, in order, in a fresh copy: exit 0 (or not, with `fails`), its output
    holding what its `expect:` clauses say."""
    for program in ("curl", "make"):
        if not shutil.which(program) and any(re.search(rf"\b{program}\b", block.code) for block in blocks(page)):
            pytest.skip(f"{program} is not installed here, and this page's commands use it")
    workspaces: dict[str, Workspace] = {}
    try:
        for block in blocks(page):
            if block.mode not in workspaces:
                workspaces[block.mode] = Workspace(tmp_path, block.mode)
            workspace = workspaces[block.mode]
            status, output = workspace.run(block)
            shown = f"{block.where} ({block.mode}) exited {status}:\n{block.code}\n--- output ---\n{output}"
            assert (status != 0) if block.fails else (status == 0), shown
            for text in block.expect:
                assert workspace.local(text) in output, f"expected {text!r} in the output of {shown}"
    finally:
        for workspace in workspaces.values():
            workspace.close()
