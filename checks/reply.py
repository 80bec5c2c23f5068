"""One answer of the student's app (`Reply`), and how a message quotes what it shows."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cached_property

from bs4 import BeautifulSoup

from checks.sandbox.text import decode

# The grader parses the app's pages itself: bounded, whatever the app sends. A page is parsed up to
# PARSE_LIMIT characters, and a lookup by id reads the first FIELD_LIMIT elements holding it (the text
# of each nested one is read again: 30,000 nested elements with one id would be quadratic).
PARSE_LIMIT = 256 << 10
FIELD_LIMIT = 20


def normalize(text: str) -> str:
    """Text as a reader sees it: Unicode NFC, runs of white space as one space."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def show(value: str, limit: int = 80) -> str:
    """A value quoted for a message, cut when long."""
    value = value if len(value) <= limit else value[:limit] + "…"
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


@dataclass
class Reply:
    """One answer of the student's app."""

    method: str
    path: str
    status_code: int
    headers: dict[str, str]
    body: bytes
    exception: str | None = None
    truncated: bool = False

    @property
    def mimetype(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def is_html(self) -> bool:
        return self.mimetype == "text/html"

    @property
    def accepted(self) -> bool:
        """2xx, or a 3xx redirect."""
        return 200 <= self.status_code < 400

    @cached_property
    def text(self) -> str:
        return decode(self.body)

    @cached_property
    def soup(self) -> BeautifulSoup:
        """The page parsed (its first PARSE_LIMIT characters: a profile page is a few KiB)."""
        return BeautifulSoup(self.text[:PARSE_LIMIT], "html.parser")

    @cached_property
    def page_text(self) -> str:
        return normalize(self.soup.get_text())

    def summary(self) -> str:
        """'303 to /user/Mira%20K', '200 text/html', or '500: your app raised …'."""
        if self.exception:
            return f"{self.status_code}: your app raised {self.exception}"
        if 300 <= self.status_code < 400 and "location" in self.headers:
            return f"{self.status_code} to {self.headers['location']}"
        kind = self.mimetype or "no content type"
        cut = f" (cut at {len(self.body) >> 20} MiB)" if self.truncated else ""
        return f"{self.status_code} {kind}{cut}"

    def field_texts(self, field_id: str) -> list[str]:
        """The text of each element #field_id on the page (none where there is no such element)."""
        return [normalize(element.get_text()) for element in self.soup.find_all(id=field_id, limit=FIELD_LIMIT)]

    def shows(self, field_id: str, value: str) -> tuple[bool, str]:
        """Whether the page shows value inside #field_id (where it exists), else anywhere.

        Returns (shown, what a message should say was seen instead).
        """
        wanted = normalize(value)
        texts = self.field_texts(field_id)
        if texts:
            if any(wanted in text for text in texts):
                return True, ""
            return False, f"#{field_id} is empty" if not texts[0] else f"#{field_id} says {show(texts[0])}"
        if wanted in self.page_text:
            return True, ""
        return False, f"the page has no #{field_id} and its text does not contain {show(value)}"
