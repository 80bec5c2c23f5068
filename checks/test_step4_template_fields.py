"""Step 4: the template shows each field in an element with its id, from a {{ … }} expression."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup

from checks.notes import Notes

EXPRESSION = re.compile(r"\{\{.*?\}\}", re.DOTALL)


def expect_field(template: str, field: str, notes: Notes) -> None:
    """The template's source has an element with id=field whose content holds a {{ … }} expression."""
    elements = BeautifulSoup(template, "html.parser").find_all(id=field, limit=20)  # bounded: nested ones repeat
    if not elements:
        ids = sorted({str(tag["id"]) for tag in BeautifulSoup(template, "html.parser").find_all(id=True)})
        seen = f"the ids it has: {', '.join(ids)}" if ids else "it has no element with an id"
        notes.fail(
            f'expected an element with id="{field}" in templates/user.html; {seen}',
            f'for example <p id="{field}">{{{{ {field} }}}}</p> (ids are case-sensitive)',
        )
    for element in elements:
        inner = element.decode_contents()
        if EXPRESSION.search(inner):
            notes.add(f"templates/user.html: <{element.name} id=\"{field}\"> holds {EXPRESSION.search(inner).group()}")
            return
    notes.fail(
        f'the element with id="{field}" holds no {{{{ … }}}} expression: it contains {inner.strip()[:80]!r}',
        f"put the value inside the element, as its text: <{elements[0].name} id=\"{field}\">{{{{ {field} }}}}"
        f"</{elements[0].name}> (an attribute such as value=\"…\" doesn't count)",
    )


def test_template_shows_username(template: str, notes: Notes) -> None:
    """templates/user.html has #username holding a {{ … }} expression"""
    expect_field(template, "username", notes)


def test_template_shows_food(template: str, notes: Notes) -> None:
    """templates/user.html has #food holding a {{ … }} expression"""
    expect_field(template, "food", notes)


def test_template_shows_message(template: str, notes: Notes) -> None:
    """templates/user.html has #message holding a {{ … }} expression"""
    expect_field(template, "message", notes)
