"""Step 14: registering writes a mail into instance/outbox/ with a signed link that confirms the account."""

import time

import pytest
from conftest import new_name


def confirmed(club, name) -> str:
    """What #confirmed reads on a member's profile page."""
    return (club.profile(name).text("confirmed") or "").lower()


def test_the_link_confirms_its_member(club):
    """A new member reads "no"; logged in, following their link, "yes"."""
    name = new_name()
    password, browser = club.member(name)
    link = club.link_for(name)
    assert confirmed(club, name) == "no"
    assert browser.get(link).status_code < 400
    assert confirmed(club, name) == "yes"


def test_a_changed_link_confirms_nothing(club):
    """The link with one character of its token changed leaves the member at "no"."""
    name = new_name()
    password, browser = club.member(name)
    link = club.link_for(name)
    cut = len(link) - 12
    changed = link[:cut] + ("A" if link[cut] != "A" else "B") + link[cut + 1 :]
    assert browser.get(changed).status_code < 500
    assert confirmed(club, name) == "no"


def test_another_members_link_confirms_nothing(club):
    """Logged in as B, following A's link leaves B at "no"."""
    first, second = new_name(), new_name()
    club.member(first)
    password, browser = club.member(second)
    assert browser.get(club.link_for(first)).status_code < 500
    assert confirmed(club, second) == "no"


def test_a_link_signed_with_another_key_confirms_nothing(club, app):
    """After the SECRET_KEY changes, an old link leaves the member at "no"."""
    name = new_name()
    password, _ = club.member(name)
    link = club.link_for(name)
    app.config["SECRET_KEY"] = "another key, " + app.config["SECRET_KEY"]
    browser, answer = club.log_in(name, password)
    assert answer.status_code < 400
    assert browser.get(link).status_code < 500
    assert confirmed(club, name) == "no"


@pytest.mark.slow
def test_an_old_link_confirms_nothing(club, monkeypatch):
    """A link followed after CLUB_CONFIRM_SECONDS have passed leaves the member at "no"."""
    monkeypatch.setenv("CLUB_CONFIRM_SECONDS", "1")
    name = new_name()
    password, browser = club.member(name)
    link = club.link_for(name)
    time.sleep(2.1)  # tokens count whole seconds: 2 s later, a 1-second link is too old
    assert browser.get(link).status_code < 500
    assert confirmed(club, name) == "no"
