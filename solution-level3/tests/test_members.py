"""Level 2: one layout, logging in with the club password, and a member's own account details."""

from conftest import REFUSED, new_name, refused


def test_every_page_has_the_navigation(club):
    """The home page and a profile page each hold one #club-nav."""
    name = new_name()
    club.join(name)
    assert club.page("/").html.count('id="club-nav"') == 1
    assert club.profile(name).html.count('id="club-nav"') == 1


def test_log_in_and_out(club):
    """A name nobody registered logs in with the club password; #status names them until they log out."""
    name = new_name()
    browser, answer = club.log_in(name, club.password)
    assert answer.status_code < 400
    assert name in club.status(browser)
    assert name not in club.status(club.browser())
    browser.get("/logout")
    assert name not in club.status(browser)


def test_a_wrong_password_logs_no_one_in(club):
    """A wrong club password is 401 or 403, and logs no one in."""
    name = new_name()
    browser, answer = club.log_in(name, "not-the-password")
    assert answer.status_code in REFUSED
    assert name not in club.status(browser)


def test_account_details_show_and_change_the_members_profile(club):
    """The account-details form holds the member's values; a POST changes their profile, and only theirs."""
    name, other = new_name(), new_name()
    club.join(name, "soup", "one")
    club.join(other, "rice", "two")
    browser, _ = club.log_in(name, club.password)
    form = club.page("/account-details", browser)
    assert (form.fields.get("food"), form.fields.get("message")) == ("soup", "one")
    assert browser.post("/account-details", data={"food": "tea", "message": "new"}).status_code < 400
    assert (club.profile(name).text("food"), club.profile(name).text("message")) == ("tea", "new")
    assert club.profile(other).text("food") == "rice"


def test_account_details_need_a_login(club):
    """Nobody logged in: GET and POST /account-details are refused, and nothing changes."""
    name = new_name()
    club.join(name, "soup", "one")
    browser = club.browser()
    assert refused(browser.get("/account-details"))
    assert refused(browser.post("/account-details", data={"username": name, "food": "tea", "message": "x"}))
    assert club.profile(name).text("food") == "soup"
