"""Step 3: templates/user.html exists, is valid Jinja, and is HTML."""

from __future__ import annotations

import jinja2
from bs4 import BeautifulSoup

from checks.notes import Notes


def test_template_exists(template: str, notes: Notes) -> None:
    """templates/user.html exists"""
    notes.add(f"found templates/user.html ({len(template)} characters)")


def test_template_is_valid_jinja(template: str, notes: Notes) -> None:
    """templates/user.html is valid Jinja"""
    try:
        jinja2.Environment().parse(template)
    except jinja2.TemplateSyntaxError as error:
        notes.fail(
            f"templates/user.html is not valid Jinja: line {error.lineno}: {error.message}",
            "every {{ needs its }}, and every {% if %} or {% for %} its {% endif %} or {% endfor %}",
        )
    notes.add("templates/user.html parses as Jinja")


def test_template_is_html(template: str, notes: Notes) -> None:
    """templates/user.html is HTML"""
    elements = BeautifulSoup(template, "html.parser").find_all(True)
    if not elements:
        notes.fail(
            "templates/user.html holds no HTML element",
            "a template is an HTML page with {{ … }} where the values go, such as <p>{{ food }}</p>",
        )
    notes.add(f"templates/user.html has {len(elements)} HTML elements, starting with <{elements[0].name}>")
