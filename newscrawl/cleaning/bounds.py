"""Bounds on the work of cleaning one body: its size and how deep it nests.

Cleaning is linear in the size of a body, but not in its depth: HTML5
parsers (nh3's html5ever among them) look through the open elements at many
start tags, and libxml2's tree grows by walking up to the root, so a body
nested N levels deep costs N² steps (100,000 levels: about a minute of CPU in
the reactor thread).  A body deeper or larger than its bound is refused,
before any parser sees it, with a reason (:func:`size_refusal`,
:func:`nesting_refusal`).
"""

from __future__ import annotations

import re
from itertools import accumulate
from operator import sub

from newscrawl.cleaning.elements import OPTIONAL_END_TAGS, VOID_TAGS

#: A start or end tag's opening: ``<name`` or ``</name``.
_TAG_OPEN_RE = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*")
#: Tags that never open a level: void elements, and elements that the next
#: one of their kind closes (``<p>``, ``<li>``...).
_FLAT: dict[str, int] = {
    prefix + name: 0 for name in VOID_TAGS | OPTIONAL_END_TAGS for prefix in ("<", "</")
}


def tag_openings(html: str) -> list[str]:
    """The openings of the tags in ``html`` in order, lower case: ``<p``, ``</p``...

    (Read as text: tags in comments and scripts are there too.)
    """
    found = _TAG_OPEN_RE.findall(html)
    joined = "\n".join(found)
    return joined.lower().split("\n") if not joined.islower() and joined else found


def nesting_depth(openings: list[str]) -> int:
    """How deep elements nest, by their tags' :func:`tag_openings` (an estimate
    from above).  A stray end tag does not make room for deeper nesting later."""
    if not openings:
        return 0
    levels = list(accumulate(
        [_FLAT.get(tag, -1 if tag[1] == "/" else 1) for tag in openings], initial=0))
    # The deepest level above the lowest one reached before it.
    return max(map(sub, levels, accumulate(levels, min)))


def size_refusal(html: str, *, max_chars: int) -> str | None:
    """Why a body is too large to be cleaned, or None."""
    if len(html) > max_chars:
        return (f"body of {len(html):,} characters is larger than "
                f"NEWSCRAWL_MAX_BODY_CHARS ({max_chars:,})")
    return None


def nesting_refusal(openings: list[str], *, max_nesting: int) -> str | None:
    """Why a body with these :func:`tag_openings` nests too deep to be cleaned, or None."""
    if len(openings) > max_nesting:  # (fewer tags cannot nest deeper)
        depth = nesting_depth(openings)
        if depth > max_nesting:
            return (f"body nests {depth:,} levels deep, deeper than "
                    f"NEWSCRAWL_MAX_NESTING ({max_nesting:,})")
    return None
