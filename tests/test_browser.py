"""The reference solution in a real browser: headless Chromium, driven through Playwright.

A visitor opens the club, joins with the right password and lands on their
profile; joins with a wrong one and is refused (403); opens a user nobody
has and sees the 404 page. A member logs in, edits the account details,
uploads a photo and sees it on their profile, then logs out. At level 3 (solution-level3/), a visitor registers
with a password of their own, logs in with it and confirms with the mailed link; the administrator (CLUB_ADMIN)
edits a member's profile, which another member may not. Each test of levels 1 and 2 photographs the page it ends on:
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


# Level 3: registering with a password of one's own, the confirmation link, and the administrator's editor, on
# solution-level3/ (served by waitress from a copy, with CLUB_ADMIN set).
LEVEL3 = Path(__file__).resolve().parent.parent / "solution-level3"
ADMIN = "ChiefOtter42"
SERVE_LEVEL3 = f'''"""The level-3 reference under waitress, for the browser test: python serve.py."""
import logging
import os

os.environ.setdefault("CLUB_ADMIN", {ADMIN!r})
os.environ.setdefault("SECRET_KEY", "the browser test's key")

from waitress import serve

from app import create_app

logging.basicConfig(level=logging.INFO)
serve(create_app(), host="127.0.0.1", port=int(os.environ.get("PORT", "0")))
'''


@pytest.fixture(scope="module")
def club3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """solution-level3 under waitress in a copy of its own (no instance/, so an empty club), with two members."""
    import shutil

    folder = tmp_path_factory.mktemp("browser3") / "club"
    shutil.copytree(LEVEL3, folder, ignore=shutil.ignore_patterns("instance", "__pycache__", "tests"))
    (folder / "serve.py").write_text(SERVE_LEVEL3, encoding="utf-8")
    with Server(folder, PASSWORD) as server:
        with Visitor(server.url, PASSWORD) as visitor:
            for member in MEMBERS:
                assert visitor.join(member) == 303
        yield server


def register(page: Page, club: str, username: str, password: str) -> int:
    """Open /register, fill in the form and press Register; the status of the page the browser lands on."""
    page.goto(club + "/register")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("The same password again").fill(password)
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Register").click()
    response = navigation.value
    assert response is not None
    return response.status


def join(page: Page, club: str, username: str, food: str) -> None:
    """Store the member's profile with the home page's join form (the club password)."""
    page.goto(club + "/")
    fill_join_form(page, username, food, f"I am {username}.", PASSWORD)
    assert submit(page) == 200


def log_in3(page: Page, club: str, username: str, password: str) -> int:
    """Log in at level 3's /login (its label names both passwords); the status of the page the browser lands on."""
    page.goto(club + "/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Log in").click()
    response = navigation.value
    assert response is not None
    return response.status


def mailed_link(server: Server, username: str) -> str:
    """The link in the mail the club wrote into instance/outbox/ for this member."""
    outbox = server.folder / "instance" / "outbox"
    mails = [path.read_text(encoding="utf-8") for path in sorted(outbox.iterdir())]
    text = next(mail for mail in mails if username in mail)
    return next(word for word in text.split() if word.startswith("http://"))


def test_a_member_registers_logs_in_with_their_password_and_confirms(club3: Server, page: Page) -> None:
    """a visitor registers with a password of their own, lands on the login page, logs in with it (not the club's),
    and following the mailed link while logged in turns their profile's #confirmed from no to yes"""
    club = club3.url
    assert (register(page, club, "OtterPup7", "swims-all-day"), page.url) == (200, club + "/login")
    join(page, club, "OtterPup7", "fish")
    assert page.locator("#confirmed").inner_text() == "no"
    assert log_in3(page, club, "OtterPup7", PASSWORD) == 401  # the club password is not theirs
    assert page.locator("#status").inner_text() == "Not logged in"
    assert log_in3(page, club, "OtterPup7", "swims-all-day") == 200
    assert page.locator("#status").inner_text() == "Logged in as OtterPup7"
    page.goto(mailed_link(club3, "OtterPup7"))
    page.goto(club + "/user/OtterPup7")
    assert (page.locator("#confirmed").inner_text(), page.locator("#role").inner_text()) == ("yes", "member")


def test_a_bad_registration_is_refused_and_says_why(club3: Server, page: Page) -> None:
    """two passwords that differ are refused (400) with the form again, saying why, and nobody is registered"""
    page.goto(club3.url + "/register")
    page.get_by_label("Username").fill("SeaLion9")
    page.get_by_label("Password", exact=True).fill("swims-all-day")
    page.get_by_label("The same password again").fill("swims-all-night")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Register").click()
    response = navigation.value
    assert response is not None and response.status == 400
    assert page.locator("#problems").inner_text().strip() != ""
    assert log_in3(page, club3.url, "SeaLion9", "swims-all-day") == 401


def test_the_administrator_edits_a_members_profile(club3: Server, page: Page, browser: Browser) -> None:
    """CLUB_ADMIN, registered and logged in with their own password, opens a member's editor, filled with the
    member's values, and saves new ones; the member's profile shows them; a member who is not the administrator
    gets 403 for the same editor"""
    club = club3.url
    register(page, club, ADMIN, "chief-of-otters")
    join(page, club, ADMIN, "clams")
    assert page.locator("#role").inner_text() == "admin"
    assert log_in3(page, club, ADMIN, "chief-of-otters") == 200
    page.goto(club + "/edit-profile/Ari")
    assert (page.get_by_label("Favourite food").input_value(), page.get_by_label("Message").input_value()) == (
        "pho",
        "Ask me about chess.",
    )
    page.get_by_label("Favourite food").fill("bún chả")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Save").click()
    response = navigation.value
    assert (response is not None and response.status, page.url) == (200, club + "/user/Ari")
    assert page.locator("#food").inner_text() == "bún chả"
    other = browser.new_context(viewport=VIEWPORT).new_page()
    try:
        register(other, club, "SeaOtter12", "floats-on-backs")
        assert log_in3(other, club, "SeaOtter12", "floats-on-backs") == 200
        answer = other.goto(club + "/edit-profile/Ari")
        assert answer is not None and answer.status == 403
    finally:
        other.context.close()
