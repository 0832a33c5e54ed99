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
(:func:`.parse.parse`, :func:`.text.settled_text`, :func:`.tree.keeps_apart`,
:func:`.parse.serialize_contents`).  All tree walks are loops, not recursion.
"""

from __future__ import annotations

import re

from newscrawl.cleaning.parse import NoncharacterSwap, body_of, parse, serialize_contents
from newscrawl.cleaning.prune import remove_stock_img_blocks, walk
from newscrawl.cleaning.sanitize import ALLOWED_TAGS, CLEANER
from newscrawl.cleaning.structure import (
    dissolve_stray_table_parts,
    has_top_level_inline,
    move_out_of_tables,
    settle_blocks,
    wrap_inline_runs,
)
from newscrawl.cleaning.text import CONTROL_RE
from newscrawl.cleaning.visible import has_visible_content
from newscrawl.cleaning.whitespace import settle_white_space

__all__ = ["ALLOWED_TAGS", "clean_html", "has_visible_content"]

#: What the first line of :func:`clean_html` is for (and lone surrogates).
_SUSPECT_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufeff\ud800-\udfff]")


def clean_html(html: str) -> str:
    """The archive's version of an article body: junk pruned, then sanitised.

    Pure and idempotent; an already clean body comes out unchanged.
    """
    text = html
    if _SUSPECT_RE.search(text):
        text = text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates
        text = CONTROL_RE.sub("", text)
    if not text.strip():
        return ""
    cleaned = CLEANER.clean(_prune(text))
    if has_top_level_inline(cleaned):
        cleaned = CLEANER.clean(wrap_inline_runs(cleaned))
    return cleaned


def _prune(html: str) -> str:
    """Step 1: the body with the source's junk removed and its structure tidied,
    as HTML for nh3 (whose parse of it gives the same tree)."""
    swap = NoncharacterSwap(html)
    top, settled = parse(swap.hide(html), settle=False)
    remove_stock_img_blocks(top)
    body = body_of(top)
    if body is None:
        return ""
    walk(body)
    settle_blocks(body)
    move_out_of_tables(body)
    dissolve_stray_table_parts(body)
    settle_white_space(body, settled=settled)
    return swap.show(serialize_contents(body))
