"""Level 1: a visitor with the club password posts a profile to /user/, and anyone reads it at /user/<username>."""

from conftest import REFUSED, new_name


def test_home_page_is_html(club):
    """GET / answers 200 with an HTML page."""
    answer = club.browser().get("/")
    assert answer.status_code == 200
    assert answer.mimetype == "text/html"


def test_a_profile_reads_back(club):
    """A posted profile is shown at /user/<username>, each value in its own element."""
    name = new_name()
    assert club.join(name, "dal", "hello there").status_code < 400
    page = club.profile(name)
    assert page.status == 200
    assert (page.text("username"), page.text("food"), page.text("message")) == (name, "dal", "hello there")


def test_profiles_are_kept_apart(club):
    """Two members' profiles don't overwrite each other."""
    first, second = new_name(), new_name()
    club.join(first, "soup", "one")
    club.join(second, "rice", "two")
    assert club.profile(first).text("food") == "soup"
    assert club.profile(second).text("food") == "rice"


def test_a_second_post_replaces_the_profile(club):
    """Posting again for the same username updates the profile."""
    name = new_name()
    club.join(name, "soup", "one")
    club.join(name, "rice", "two")
    page = club.profile(name)
    assert (page.text("food"), page.text("message")) == ("rice", "two")


def test_a_username_with_a_space_and_accents(club):
    """A username with a space and non-ASCII letters works."""
    name = f"Zoë {new_name()}"
    club.join(name, "crêpe", "salut")
    assert club.profile(name).text("username") == name


def test_html_in_a_message_is_shown_as_text(club):
    """A message holding HTML is escaped: shown as text, never run."""
    name = new_name()
    club.join(name, "soup", "<script>alert(1)</script>")
    page = club.profile(name)
    assert page.text("message") == "<script>alert(1)</script>"
    assert "<script>" not in page.html


def test_no_username_is_400(club):
    """A POST without a username, or with an empty one, is 400 and stores nothing."""
    browser = club.browser()
    form = {"food": "soup", "message": "hi", "password": club.password}
    assert browser.post("/user/", data=form).status_code == 400
    assert browser.post("/user/", data={**form, "username": ""}).status_code == 400
    assert club.page("/").status == 200


def test_unknown_user_is_404_naming_them(club):
    """GET /user/<never-created> is 404, an HTML page that names the username."""
    name = new_name("Nobody")
    page = club.profile(name)
    assert page.status == 404
    assert name in page.html


def test_a_wrong_club_password_stores_nothing(club):
    """A POST with a wrong or missing club password is 401 or 403, and no profile appears."""
    name = new_name()
    assert club.join(name, password="not-the-password").status_code in REFUSED
    assert club.join(name, password="").status_code in REFUSED
    assert club.profile(name).status != 200
