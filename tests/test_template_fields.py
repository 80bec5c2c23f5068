"""Step 4's reading of the template, at its bounds: the first 20 elements with an id, a quote of 80 characters.

A template with thousands of nested elements carrying one id would cost the grader quadratic
work, so step 4 reads the first 20 elements with that id; the message quotes what the last one
read contains, cut at 80 characters. `make mutation` runs these before step 4's verdict tests.
"""

from __future__ import annotations

import pytest

from checks.notes import CheckFailed, Notes
from checks.rubric import Step
from checks.test_step4_template_fields import expect_field

STEP = Step(id="4", title="Template fields", doc="docs/student/step-4.md", points={})


def dishes(count: int) -> str:
    """`count` elements #food without an expression, then one with {{ food }}."""
    return "".join(f'<p id="food">dish {number}</p>' for number in range(1, count + 1)) + '<p id="food">{{ food }}</p>'


def test_the_expression_counts_in_the_20th_element_with_the_id():
    notes = Notes(STEP)
    expect_field(dishes(19), "food", notes)
    assert notes.lines == ['templates/user.html: <p id="food"> holds {{ food }}']


def test_past_the_20th_element_with_the_id_nothing_is_read():
    with pytest.raises(CheckFailed) as failed:
        expect_field(dishes(20), "food", Notes(STEP))
    assert failed.value.failure.problem == (
        "the element with id=\"food\" holds no {{ … }} expression: it contains 'dish 20'"
    )


def test_the_message_quotes_80_characters_of_the_element():
    with pytest.raises(CheckFailed) as failed:
        expect_field('<p id="food">' + "x" * 100 + "</p>", "food", Notes(STEP))
    assert failed.value.failure.problem == (
        "the element with id=\"food\" holds no {{ … }} expression: it contains '" + "x" * 80 + "'"
    )
    assert failed.value.failure.hint == (
        'put the value inside the element, as its text: <p id="food">{{ food }}</p> '
        '(an attribute such as value="…" doesn\'t count)'
    )
