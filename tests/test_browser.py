"""The reference solution in a real browser: headless Chromium, driven through Playwright.

A visitor opens the club, joins with the right password and lands on their
profile; joins with a wrong one and is refused (403); opens a user nobody
has and sees the 404 page. A member logs in, edits the account details,
uploads a photo and sees it on their profile, then logs out. Each test photographs the page it ends on:
into a temporary folder, or into $SCREENSHOTS when set (`make screenshots`
sets docs/student/images, the pictures in the student guide).

Skips, saying why, where Chromium (Debian's chromium package) or Playwright
is missing; `make browser` installs Chromium where it can. When $SCREENSHOTS
is set, a missing browser fails the tests instead: pictures were asked for.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tools.browser import VIEWPORT, chromium, why_no_browser
from tools.load import Visitor
from tools.server import Server, copy_solution

# Skip where there is no browser, unless pictures were asked for (make screenshots): then fail, saying why.
pytestmark = pytest.mark.skipif(
    why_no_browser() is not None and not os.environ.get("SCREENSHOTS"), reason=f"no browser: {why_no_browser()}"
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

PASSWORD = "letmein"  # the password the student guide's examples use
MEMBERS = [  # already in the club when the visitor comes
    {"username": "Ari", "food": "pho", "message": "Ask me about chess."},
    {"username": "Zoë Ngũ", "food": "bánh mì", "message": "Hello, club!"},
]
Shoot = Callable[["Page", str], Path]


@pytest.fixture(scope="module")
def club(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The solution under waitress, with two members; its URL."""
    with Server(copy_solution(tmp_path_factory.mktemp("browser") / "club"), PASSWORD) as server:
        with Visitor(server.url, PASSWORD) as visitor:
            for member in MEMBERS:
                assert visitor.join(member) == 303
        yield server.url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium for this file."""
    with chromium() as browser:
        yield browser


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh tab, 900 × 600, with nothing remembered from other tests."""
    context = browser.new_context(viewport=VIEWPORT)
    yield context.new_page()
    context.close()


@pytest.fixture
def shoot(tmp_path: Path) -> Shoot:
    """shoot(page, name) saves a PNG of what the tab shows, as name.png in $SCREENSHOTS or tmp_path."""
    folder = Path(os.environ.get("SCREENSHOTS") or tmp_path)

    def save(page: Page, name: str) -> Path:
        path = folder / f"{name}.png"
        page.screenshot(path=path)
        picture = path.read_bytes()  # a PNG of some tens of KB, fit for the docs
        assert (picture[:8], 2_000 < len(picture) < 200_000) == (b"\x89PNG\r\n\x1a\n", True), path
        return path

    return save


def fill_join_form(page: Page, username: str, food: str, message: str, password: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Favourite food").fill(food)
    page.get_by_label("Message").fill(message)
    page.get_by_label("Club password").fill(password)


def submit(page: Page) -> int:
    """Press Join; the status of the page the browser lands on."""
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Join").click()
    response = navigation.value
    assert response is not None
    return response.status


def test_join_lands_on_the_profile(club: str, page: Page, shoot: Shoot) -> None:
    """joining with the right password lands on /user/<username>, which shows the three values"""
    page.goto(club + "/")
    fill_join_form(page, "Mira K", "dal makhani", "Hi! Ask me about jazz & <b>tea</b>.", PASSWORD)
    shoot(page, "join-form")
    status = submit(page)
    shown = [page.locator(f"#{field}").inner_text() for field in ("username", "food", "message")]
    shoot(page, "profile")
    assert (status, page.url, shown) == (
        200,
        club + "/user/Mira%20K",
        ["Mira K", "dal makhani", "Hi! Ask me about jazz & <b>tea</b>."],
    )


def test_new_member_is_listed(club: str, page: Page) -> None:
    """after joining, the home page lists the new member with the others, and the link opens the profile"""
    page.goto(club + "/")
    fill_join_form(page, "Bo", "pierogi", "Hej!", PASSWORD)
    submit(page)
    page.goto(club + "/")
    page.get_by_role("link", name="Bo", exact=True).click()
    assert page.locator("#food").inner_text() == "pierogi"


def test_wrong_password_is_refused(club: str, page: Page, shoot: Shoot) -> None:
    """joining with a wrong password gets abort(403)'s page: Forbidden"""
    page.goto(club + "/")
    fill_join_form(page, "Eve", "apple", "Let me in?", "open-sesame")
    status = submit(page)
    shoot(page, "wrong-password")
    assert (status, page.locator("h1").inner_text()) == (403, "Forbidden")


def test_unknown_user_shows_the_404_page(club: str, page: Page, shoot: Shoot) -> None:
    """opening a user nobody has gets the 404 page, which names them"""
    response = page.goto(club + "/user/NyanCat")
    shoot(page, "unknown-user")
    assert response is not None
    assert (response.status, page.locator("h1").inner_text(), page.locator("strong").inner_text()) == (
        404,
        "No such member",
        "NyanCat",
    )



# Level 2: logging in, the account details, a photo.


def portrait() -> bytes:
    """A small PNG to upload: a teal square with a lighter circle, as a profile picture would be."""
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (96, 96), "teal")
    ImageDraw.Draw(picture).ellipse((24, 14, 72, 62), fill="paleturquoise")
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    return buffer.getvalue()


def log_in(page: Page, club: str, username: str, password: str = PASSWORD) -> int:
    """Open /login, fill in the form and press Log in; the status of the page the browser lands on."""
    page.goto(club + "/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Club password").fill(password)
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Log in").click()
    response = navigation.value
    assert response is not None
    return response.status


def test_login_lands_on_the_account_details(club: str, page: Page, shoot: Shoot) -> None:
    """logging in as a member lands on /account-details, filled in, with the member named in #status"""
    page.goto(club + "/login")
    page.get_by_label("Username").fill("Zoë Ngũ")
    page.get_by_label("Club password").fill(PASSWORD)
    shoot(page, "login")
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    assert (page.url, page.locator("#status").inner_text()) == (club + "/account-details", "Logged in as Zoë Ngũ")
    assert (page.get_by_label("Favourite food").input_value(), page.get_by_label("Message").input_value()) == (
        "bánh mì",
        "Hello, club!",
    )


def test_wrong_password_keeps_the_login_page(club: str, page: Page) -> None:
    """a wrong password gets the login page again, 401, saying why, and nobody is logged in"""
    status = log_in(page, club, "Zoë Ngũ", "open-sesame")
    assert (status, page.locator("#problems").inner_text()) == (401, "The club password is missing or wrong.")
    assert page.locator("#status").inner_text() == "Not logged in"


def test_account_details_and_a_photo_show_on_the_profile(club: str, page: Page, shoot: Shoot) -> None:
    """a member edits the account details and uploads a photo; the profile shows both, the photo loaded"""
    log_in(page, club, "Ari")
    page.get_by_label("Favourite food").fill("phở bò")
    page.get_by_label("Message").fill("Ask me about chess, or about soup.")
    page.locator("#photo").set_input_files(files=[{"name": "ari.png", "mimeType": "image/png", "buffer": portrait()}])
    shoot(page, "account-details")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Save").click()
    response = navigation.value
    assert (response is not None and response.status, page.url) == (200, club + "/user/Ari")
    avatar = page.locator("img#avatar")
    natural_width = avatar.evaluate("image => image.complete && image.naturalWidth")
    shoot(page, "profile-with-photo")
    assert (page.locator("#food").inner_text(), natural_width) == ("phở bò", 96)


def test_logout_shows_nobody_logged_in(club: str, page: Page) -> None:
    """the Log out link logs the member out: #status says nobody is, and the account details need a login again"""
    log_in(page, club, "Ari")
    with page.expect_navigation():
        page.get_by_role("link", name="Log out").click()
    assert page.locator("#status").inner_text() == "Not logged in"
    page.goto(club + "/account-details")
    assert page.url == club + "/login"
