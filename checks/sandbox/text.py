"""Text that came from a student's app, made safe for every output once, where it enters the grader.

A lone surrogate (which no UTF-8 writer can encode) becomes U+FFFD; control
characters other than newline and tab, and the marks that reorder a line, are shown
as escapes (`\\x1b`) so that no terminal, JSON, XML, CSV, Markdown or HTML output can
be redrawn, broken or crash on them.
"""

from __future__ import annotations

import re

SURROGATE = re.compile("[\ud800-\udfff]")
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff]")


def escape_character(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(text: object) -> str:
    """The text, safe to print anywhere: surrogates replaced, control characters shown as escapes."""
    text = (text if isinstance(text, str) else str(text)).replace("\r\n", "\n")
    return UNSAFE.sub(escape_character, SURROGATE.sub("\ufffd", text))


def decode(data: bytes) -> str:
    """Bytes the app sent, as safe text (invalid UTF-8 replaced, any line ending a newline)."""
    return clean(data.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n"))
