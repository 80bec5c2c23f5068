"""Step 15: the registered member named CLUB_ADMIN edits anyone's profile at /edit-profile/<username>."""

import os

from conftest import new_name, refused


def admin_name() -> str:
    return os.environ["CLUB_ADMIN"]


def test_roles_on_profile_pages(club):
    """#role reads "admin" for the administrator and "member" for anyone else registered."""
    member = new_name()
    club.member(admin_name())
    club.member(member)
    assert club.profile(admin_name()).text("role").lower() == "admin"
    assert club.profile(member).text("role").lower() == "member"


def test_the_administrator_edits_a_profile(club):
    """The form holds the member's values; a POST changes that profile, and no other."""
    member, third = new_name(), new_name()
    _, admin = club.member(admin_name(), "tea", "mine")
    club.member(member, "soup", "hers")
    club.member(third, "rice", "theirs")
    form = club.page(f"/edit-profile/{member}", admin)
    assert form.status == 200
    assert (form.fields.get("food"), form.fields.get("message")) == ("soup", "hers")
    assert admin.post(f"/edit-profile/{member}", data={"food": "cake", "message": "edited"}).status_code < 400
    page = club.profile(member)
    assert (page.text("username"), page.text("food"), page.text("message")) == (member, "cake", "edited")
    assert club.profile(admin_name()).text("food") == "tea"
    assert club.profile(third).text("food") == "rice"


def test_no_editor_for_a_never_created_member(club):
    """/edit-profile/<never-created> is 404 for the administrator."""
    _, admin = club.member(admin_name())
    assert admin.get(f"/edit-profile/{new_name('Nobody')}").status_code == 404


def test_a_member_gets_403(club):
    """A member who is not the administrator gets 403 for another's editor, and nothing changes."""
    member, target = new_name(), new_name()
    club.member(admin_name())
    _, browser = club.member(member)
    club.member(target, "soup", "hers")
    assert browser.get(f"/edit-profile/{target}").status_code == 403
    assert browser.post(f"/edit-profile/{target}", data={"food": "cake", "message": "x"}).status_code == 403
    assert club.profile(target).text("food") == "soup"


def test_nobody_logged_in_is_refused(club):
    """Not logged in, the editor refuses GET and POST, and nothing changes."""
    target = new_name()
    club.member(target, "soup", "hers")
    browser = club.browser()
    assert refused(browser.get(f"/edit-profile/{target}"))
    assert refused(browser.post(f"/edit-profile/{target}", data={"food": "cake", "message": "x"}))
    assert club.profile(target).text("food") == "soup"


def test_the_club_password_gives_no_rights(club):
    """Logged in as CLUB_ADMIN with the club password, before anyone registered it: no editor."""
    target = new_name()
    club.member(target, "soup", "hers")
    browser, _ = club.log_in(admin_name(), club.password)
    assert refused(browser.get(f"/edit-profile/{target}"))
    assert refused(browser.post(f"/edit-profile/{target}", data={"food": "cake", "message": "x"}))
    assert club.profile(target).text("food") == "soup"
