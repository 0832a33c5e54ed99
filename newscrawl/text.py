"""Text from the source, made safe to print on a terminal or in a log line.

A hostile article code, title or URL may carry a NUL, a newline (a forged
second line of output), an ANSI escape or a bidi override (U+202E makes a
terminal show text backwards).  :func:`printable` writes each such character
as a visible escape; every line newscrawl prints about the source goes
through it.
"""

from __future__ import annotations

import re
import unicodedata

#: Unicode categories shown as escapes: controls, format characters (the bidi
#: marks, overrides and isolates, zero-width characters), surrogates,
#: unassigned code points and noncharacters, line and paragraph separators.
_ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Cn", "Zl", "Zp"})
#: A quick test for the usual lines: printable ASCII, CJK, full-width forms.
_PLAIN = re.compile(r"[\x20-\x7e\u3000-\u30ff\u4e00-\u9fff\uff01-\uffef]*")


def _escape(char: str) -> str:
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def printable(text: str) -> str:
    """``text`` with every control, bidi or invisible formatting character as an escape.

    ``\\x00``, ``\\n`` as ``\\x0a``, ``\\u202e``: the text can no longer end a
    line, move the cursor or reorder what a terminal shows.
    """
    if _PLAIN.fullmatch(text):
        return text
    return "".join(
        _escape(char) if unicodedata.category(char) in _ESCAPED_CATEGORIES else char
        for char in text
    )
