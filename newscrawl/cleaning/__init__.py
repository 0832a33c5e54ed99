"""Article bodies as the archive keeps them: the source's junk pruned, then sanitised.

Two steps, each with the tool made for it:

1. lxml (libxml2's HTML parser, :mod:`.parse`) builds the tree; the source
   spec's junk is removed (:mod:`.prune`: hidden paragraphs, stock chart
   blocks, quote widgets, keyword links), links and pictures are vetted, and
   the structure (:mod:`.structure`) and white space and indentation
   (:mod:`.whitespace`) are settled.
2. nh3, an allow-list sanitiser (:mod:`.sanitize`), re-parses the result with
   an HTML5 parser and guarantees that no tag, attribute or URL scheme outside
   the allow-list survives, whatever step 1 missed.

The output is nh3's serialisation, so a body that is already clean (like the
archive's golden post) comes out byte for byte as it went in, and cleaning is
idempotent: ``clean_html(clean_html(x)) == clean_html(x)``.  Idempotence needs
both parsers to agree on the tree of step 1's output: step 1 therefore only
hands nh3 structures HTML5 keeps as they are.

The rules and their output are those of the BeautifulSoup implementation this
replaced: libxml2's tree is the one BeautifulSoup was built from (same parser,
same events), and what BeautifulSoup did on the way is done on purpose
(:func:`.parse.parse_document`, :func:`.text.settled_text`, :func:`.tree.keeps_apart`,
:func:`.parse.serialize_contents`).  All tree walks are loops, not recursion.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newscrawl.cleaning.bounds import nesting_refusal, size_refusal, tag_openings
from newscrawl.cleaning.parse import NoncharacterSwap, body_of, parse_document, serialize_contents
from newscrawl.cleaning.prune import may_hold_junk_paragraphs, remove_stock_img_blocks, walk
from newscrawl.cleaning.sanitize import ALLOWED_TAGS, CLEANER
from newscrawl.cleaning.structure import (
    dissolve_stray_table_parts,
    has_top_level_inline,
    move_out_of_tables,
    settle_blocks,
    wrap_inline_runs,
)
from newscrawl.cleaning.text import CONTROL_RE
from newscrawl.cleaning.unclosed import close_unclosed
from newscrawl.cleaning.visible import (
    IMG_RE,
    has_visible_content,
    parsers_agree_on_text,
    shown_characters,
    shown_characters_of_clean,
)
from newscrawl.cleaning.whitespace import settle_white_space

__all__ = [
    "ALLOWED_TAGS", "BodyRefused", "CleanedBody", "clean_body", "clean_html", "has_visible_content",
]

#: What the first line of :func:`clean_html` is for (and lone surrogates).
_SUSPECT_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufeff\ud800-\udfff]")


@dataclass(frozen=True)
class CleanedBody:
    """A cleaned body, and how much of its text a reader sees before and after."""

    html: str
    #: Characters of text a browser shows of the body as it came (white space
    #: aside), less those the junk rules remove.
    expected: int
    #: Characters of text a browser shows of the cleaned body.
    kept: int

    @property
    def lost(self) -> int:
        """Characters of text that cleaning lost beyond what the junk rules remove."""
        return max(0, self.expected - self.kept)

    @property
    def shows_anything(self) -> bool:
        """Whether the cleaned body shows some text or a picture."""
        return self.kept > 0 or IMG_RE.search(self.html) is not None


class BodyRefused(ValueError):
    """A body beyond the bounds of cleaning (:mod:`.bounds`); the message says why."""


def clean_html(html: str) -> str:
    """The archive's version of an article body: junk pruned, then sanitised.

    Pure and idempotent; an already clean body comes out unchanged.
    """
    text = _readable(html)
    return _clean(text, tag_openings(text))[0]


def clean_body(html: str, *, max_chars: int, max_nesting: int) -> CleanedBody:
    """:func:`clean_html` within bounds, with the count of the text a reader
    sees before and after, so that a body that would lose text can be
    refused rather than published truncated.

    The text before is read with nh3's HTML5 parser, as a browser reads it,
    less what the junk rules removed; the text after, from nh3's own output.
    A body made only of elements that libxml2 and HTML5 read alike
    (:func:`.visible.parsers_agree_on_text`, most of the source's) is not
    read a second time: only the junk rules take text from it.

    Raises :class:`BodyRefused` for a body larger than ``max_chars`` or
    nested deeper than ``max_nesting`` (:mod:`.bounds`).
    """
    text = _readable(html)
    reason = size_refusal(text, max_chars=max_chars)
    if reason is not None:
        raise BodyRefused(reason)
    openings = tag_openings(text)
    reason = nesting_refusal(openings, max_nesting=max_nesting)
    if reason is not None:
        raise BodyRefused(reason)
    cleaned, removed = _clean(text, openings)
    kept = shown_characters_of_clean(cleaned)
    if parsers_agree_on_text(text, openings):
        # (libxml2 and HTML5 read the same text; only the rules took some.)
        return CleanedBody(cleaned, kept, kept)
    expected = shown_characters(text) - removed if text.strip() else 0
    return CleanedBody(cleaned, expected, kept)


def _readable(html: str) -> str:
    """``html`` without lone surrogates and control characters."""
    if _SUSPECT_RE.search(html):
        html = html.encode("utf-8", "replace").decode("utf-8")  # lone surrogates
        html = CONTROL_RE.sub("", html)
    return html


def _clean(text: str, openings: list[str]) -> tuple[str, int]:
    """The cleaned body, and how many characters of text the junk rules removed."""
    if not text.strip():
        return "", 0
    pruned, removed = _prune(text, openings)
    cleaned = CLEANER.clean(pruned)
    if has_top_level_inline(cleaned):
        cleaned = CLEANER.clean(wrap_inline_runs(cleaned))
    return cleaned, removed


def _prune(html: str, openings: list[str]) -> tuple[str, int]:
    """Step 1: the body with the source's junk removed and its structure tidied,
    as HTML for nh3 (whose parse of it gives the same tree), and how many
    characters of text the junk rules removed."""
    swap = NoncharacterSwap(html)
    top, settled = parse_document(swap.hide(close_unclosed(html, openings)), settle=False)
    removed = remove_stock_img_blocks(top)
    body = body_of(top)
    if body is None:
        return "", removed
    removed += walk(body, junk_paragraphs=may_hold_junk_paragraphs(html))
    settle_blocks(body)
    move_out_of_tables(body)
    dissolve_stray_table_parts(body)
    settle_white_space(body, settled=settled)
    return swap.show(serialize_contents(body)), removed
