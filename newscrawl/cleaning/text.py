"""Text as the cleaner reads it: control characters, and white space as BeautifulSoup saw it.

The cleaner once read bodies through BeautifulSoup, and its output must not
change: these rules say how a text was settled then (see :func:`settled_text`).
"""

from __future__ import annotations

import re

# C0 controls other than tab, newline and carriage return, and the byte order
# mark: not text of an article, and libxml2 and html5ever treat them differently.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufeff]")


#: BeautifulSoup's white space: a text of only these is read as one space or
#: newline (except in :data:`newscrawl.cleaning.elements.PRESERVED` elements).
_BS4_SPACES = " \n\t\x0c\r"


def settled_text(text: str, preserved: bool) -> str:
    """A text as BeautifulSoup left it for the rules: only white space (outside
    ``<pre>`` and ``<textarea>``) is one space, or one newline if it holds one
    (``a<span>  </span>b`` is ``a b``, as it always was), and control
    characters from character references (``&#1;``) go."""
    if not preserved and not text.strip(_BS4_SPACES):
        return collapsed(text)
    return CONTROL_RE.sub("", text)


def collapsed(text: str) -> str:
    return "\n" if "\n" in text else " "


def is_blank(text: str) -> bool:
    """Only white space, as BeautifulSoup counted it (ASCII only)."""
    return not text.strip(_BS4_SPACES)


def has_text(text: str | None) -> bool:
    return bool(text and text.strip())
