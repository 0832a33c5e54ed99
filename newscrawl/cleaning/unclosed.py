"""Elements left open that libxml2 would let swallow the rest of a body.

libxml2 is an HTML 4 parser.  It does not know some of HTML5's void
elements (``<embed>``, ``<source>``, ``<track>``, ``<keygen>``, ``<image>``...)
and makes everything after one of them its content, up to the end of the
enclosing element; and a junk element without its end tag (``<object>``,
``<iframe>``, ``<script>``...) holds everything up to the end of its parent or
of the body.  Since the cleaner removes such elements with their content,
the article text after them went with them.

:func:`close_unclosed` gives each such element its end tag right after its
start tag before libxml2 reads the body: a void element is empty, and an
element that is never closed is taken to hold nothing, so what follows it
stays (better a stray word of a widget than lost article text).  It reads
the body as a tokenizer does, in one pass: comments are skipped, and the
content of a raw-text element (``<script>``, ``<style>``...) holds no tags.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache

from newscrawl.cleaning.elements import (
    LIBXML2_NESTING_VOIDS,
    NON_CONTENT_TAGS,
    OPTIONAL_END_TAGS,
    RAW_TEXT_TAGS,
    VOID_TAGS,
)
from newscrawl.sources.eastmoney import JUNK_TAGS

#: Elements removed with their content that have an end tag to look for.
_REMOVED_CONTAINERS = (JUNK_TAGS | NON_CONTENT_TAGS) - VOID_TAGS - RAW_TEXT_TAGS - OPTIONAL_END_TAGS
_WATCHED = LIBXML2_NESTING_VOIDS | RAW_TEXT_TAGS | _REMOVED_CONTAINERS
#: A comment, or a start or end tag of a watched element (attribute values
#: may hold ``>``).  Group 1: ``/`` of an end tag; 2: the name; 3: ``/`` of ``/>``.
_TOKEN_RE = re.compile(
    r"<!--.*?-->|<(/?)(" + "|".join(sorted(_WATCHED, key=len, reverse=True)) + r")(?=[\s/>])"
    r"""(?:[^>"']|"[^"]*"|'[^']*')*?(/?)>""",
    re.IGNORECASE | re.DOTALL,
)
_WATCHED_OPENINGS = frozenset(f"{prefix}{name}" for name in _WATCHED for prefix in ("<", "</"))
_NESTING_VOID_OPENINGS = frozenset(f"<{name}" for name in LIBXML2_NESTING_VOIDS)
#: Elements whose ``<x/>`` closes them (foreign content); elsewhere HTML5 ignores the ``/``.
_SELF_CLOSING = frozenset({"svg", "math"})


@cache
def _raw_text_end(name: str) -> re.Pattern[str]:
    return re.compile(rf"</{name}(?=[\s/>])", re.IGNORECASE)


def close_unclosed(html: str, openings: list[str]) -> str:
    """``html`` with an end tag right after each void element libxml2 would
    nest, and after each removed element that is never closed.

    ``openings`` are the body's :func:`~newscrawl.cleaning.bounds.tag_openings`:
    a body whose watched elements are all closed as often as opened (almost
    every body) is returned as it is without being read again.
    """
    watched = _WATCHED_OPENINGS.intersection(openings)
    if not watched:
        return html
    if watched.isdisjoint(_NESTING_VOID_OPENINGS):
        counts = Counter(opening for opening in openings if opening in watched)
        if all(counts[f"<{name}"] == counts[f"</{name}"] for name in _WATCHED
               if f"<{name}" in watched):
            return html
    inserts: list[tuple[int, str]] = []  # (position, end tag)
    open_at: dict[str, list[int]] = {}  # container name -> ends of its open start tags
    position = 0
    while (token := _TOKEN_RE.search(html, position)) is not None:
        position = token.end()
        if token.group(2) is None:
            continue  # a comment
        slash, name, self_closing = token.group(1), token.group(2).lower(), token.group(3)
        if name in LIBXML2_NESTING_VOIDS:
            if not slash:
                inserts.append((position, f"</{name}>"))
        elif name in RAW_TEXT_TAGS:
            if slash:
                continue  # a stray end tag
            end = _raw_text_end(name).search(html, position)
            if end is None:
                inserts.append((position, f"</{name}>"))
            else:
                position = end.start()  # its content holds no tags
        elif slash:
            stack = open_at.get(name)
            if stack:
                stack.pop()
        elif not (self_closing and name in _SELF_CLOSING):
            open_at.setdefault(name, []).append(position)
    inserts.extend((end, f"</{name}>") for name, ends in open_at.items() for end in ends)
    if not inserts:
        return html
    inserts.sort(key=lambda insert: insert[0])
    pieces: list[str] = []
    last = 0
    for at, end_tag in inserts:
        pieces.append(html[last:at])
        pieces.append(end_tag)
        last = at
    pieces.append(html[last:])
    return "".join(pieces)
