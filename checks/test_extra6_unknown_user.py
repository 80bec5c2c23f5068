"""Extra 6: an unknown username gets a 404 page that names it."""

from __future__ import annotations

from checks.club import Club
from checks.data import Data
from checks.reply import normalize


def test_unknown_user_gets_named_404(club: Club, data: Data) -> None:
    """GET /user/<unknown> answers 404 with an HTML page that names the username"""
    username = data.username()
    reply = club.profile_page(username)
    if reply.status_code != 404:
        hints = {  # by the answer's class: any 2xx found a page, any 5xx broke
            200: "look the username up, and when there is no such profile call abort(404) "
            "or return render_template(...), 404",
            500: "the lookup of a missing username raised an error: check for it first and answer 404",
        }
        club.fail(
            f"expected 404 for a username that was never created, got {reply.summary()}",
            hints.get(reply.status_code // 100 * 100),
        )
    if not reply.is_html:
        club.fail(
            f"expected the 404 page to be HTML (text/html), got {reply.mimetype or 'no content type'}",
            "return render_template(...), 404 from your handler",
        )
    if normalize(username) not in reply.page_text:
        club.fail(
            f'expected the 404 page to name the username "{username}", but its text does not',
            "Flask's own 404 page doesn't name it: render your own page with the username in it",
        )
