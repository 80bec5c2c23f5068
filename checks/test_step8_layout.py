"""Step 8: one layout for every page: templates/base.html holds the club's navigation, and the pages extend it."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import jinja2
from bs4 import BeautifulSoup
from jinja2 import nodes

from checks.club import Club
from checks.data import Data
from checks.members import store
from checks.notes import Notes
from checks.reply import Reply, show
from checks.run.pytest_plugin import Grading

BASE = "templates/base.html"
NAV_HINT = '<nav id="club-nav"><a href="/">Flask Club</a></nav> in templates/base.html, outside every block'
EXTENDS = re.compile(r"""\A(?:\s|\{#.*?#\})*\{%-?\s*extends\s+(["'])base\.html\1\s*-?%\}""", re.DOTALL)


def blocks(source: str) -> list[str]:
    """The names of the blocks a template defines ([] if it is not valid Jinja)."""
    try:
        return [block.name for block in jinja2.Environment().parse(source).find_all(nodes.Block)]
    except jinja2.TemplateSyntaxError:
        return []


URL_FOR = re.compile(r"""url_for\(\s*(["'])([\w.]+)\1""")


def home_endpoints(root: Path | None) -> set[str] | None:
    """The names of the view functions routed at "/" in the submission's Python files (None: none found)."""
    found = set()
    for path in sorted(root.rglob("*.py")) if root is not None else []:
        try:
            tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"))
        except (SyntaxError, ValueError, OSError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for decorator in node.decorator_list:
                    if (
                        isinstance(decorator, ast.Call)
                        and isinstance(decorator.func, ast.Attribute)
                        and decorator.func.attr in ("route", "get")
                        and decorator.args
                        and isinstance(decorator.args[0], ast.Constant)
                        and decorator.args[0].value == "/"
                    ):
                        found.add(node.name)
    return found or None


def links_home(href: str, endpoints: set[str] | None) -> bool:
    """A link to / as a template writes it: "/", or url_for() of the view routed at "/"."""
    if urlsplit(urljoin("http://localhost/", href)).path == "/" and "{" not in href:
        return True
    called = URL_FOR.search(href)
    return called is not None and (endpoints is None or called.group(2).rpartition(".")[2] in endpoints)


def expect_one_nav(club: Club, reply: Reply, what: str) -> None:
    """The rendered page holds exactly one #club-nav, with a link to /."""
    navs = reply.soup.find_all(id="club-nav")
    if len(navs) != 1:
        seen = "none" if not navs else f"{len(navs)} of them"
        club.fail(
            f'expected {what} to hold exactly one element with id="club-nav", found {seen}',
            "the page's template must extend base.html ({% extends \"base.html\" %} on its first line), and "
            "base.html hold the navigation once, outside its blocks"
            if not navs
            else "the navigation belongs in base.html alone: take it out of the pages that extend it",
        )
    hrefs = [str(link.get("href") or "") for link in navs[0].find_all("a")]
    if not any(urlsplit(urljoin("http://localhost" + reply.path, href)).path == "/" for href in hrefs):
        seen = ", ".join(show(href) for href in hrefs) or "no link at all"
        club.fail(f"expected #club-nav on {what} to link to /, but it holds {seen}", NAV_HINT)


def test_base_template_has_nav(grading: Grading, notes: Notes) -> None:
    """templates/base.html holds #club-nav with a link to /"""
    source = grading.workspace.source(BASE)
    if source is None:
        notes.fail(
            "there is no templates/base.html in your submission",
            "create templates/base.html, the page every other template extends, next to user.html",
        )
    navs = BeautifulSoup(source, "html.parser").find_all(id="club-nav")
    if not navs:
        notes.fail('expected an element with id="club-nav" in templates/base.html, found none', NAV_HINT)
    hrefs = [str(link.get("href") or "") for nav in navs for link in nav.find_all("a")]
    if not any(links_home(href, home_endpoints(grading.workspace.pristine)) for href in hrefs):
        seen = ", ".join(show(href) for href in hrefs) or "no link at all"
        notes.fail(f"expected #club-nav in templates/base.html to link to /, but it holds {seen}", NAV_HINT)
    notes.add(f'templates/base.html: #club-nav links to {", ".join(show(href) for href in hrefs)}')


def test_user_template_extends_base(grading: Grading, notes: Notes) -> None:
    """templates/user.html starts from {% extends "base.html" %} and fills a block"""
    source = grading.workspace.template_source
    if source is None:
        notes.fail("there is no templates/user.html in your submission", "step 3 makes it: start there")
    if not EXTENDS.search(source):
        first = source.strip().splitlines()[0] if source.strip() else ""
        notes.fail(
            f'expected templates/user.html to start with {{% extends "base.html" %}}, but it starts with {show(first)}',
            "put {% extends \"base.html\" %} on the first line, and the page's own part in a {% block %}",
        )
    filled = blocks(source)
    base = grading.workspace.source(BASE)
    known = blocks(base) if base is not None else []
    if not filled:
        notes.fail(
            "templates/user.html extends base.html but fills no block: everything outside a block is dropped",
            "wrap the profile in {% block content %} … {% endblock %}, a block that base.html defines",
        )
    if known and not set(filled) & set(known):
        notes.fail(
            f"templates/user.html fills the block(s) {', '.join(filled)}, "
            f"but base.html defines only {', '.join(known)}: nothing of the profile is shown",
            "use the same block name in both templates",
        )
    notes.add(f'templates/user.html extends "base.html" and fills {", ".join(filled)}')


def test_home_page_has_one_nav(club: Club) -> None:
    """the rendered home page holds exactly one #club-nav"""
    reply = club.get("/")
    club.expect_page(reply, 200, "GET /", "the home page is a template that extends base.html, rendered by GET /")
    expect_one_nav(club, reply, "GET /")


def test_profile_page_has_one_nav(club: Club, data: Data) -> None:
    """the rendered profile page holds exactly one #club-nav"""
    profile = data.profile()
    store(club, profile)
    reply = club.profile_page(profile.username)
    club.expect_page(reply, 200, f"GET {reply.path}")
    expect_one_nav(club, reply, f"GET {reply.path}")
