"""The structure an HTML5 parser keeps: blocks, tables, no text outside a block.

libxml2 (an HTML 4 tree builder) accepts nestings that an HTML5 parser
rearranges, for example a ``<div>`` inside a ``<p>``, which HTML5 splits
into ``<p></p>`` pieces.  The pruned tree is settled here into structures
HTML5 keeps as they are, so that nh3 reads the tree the pruning left.
"""

from __future__ import annotations

import re

from lxml import etree

from newscrawl.cleaning.elements import (
    BLOCK_WRAPPERS,
    INLINE_ONLY,
    P_CLOSERS,
    TABLE_CHILDREN,
    TABLE_PART_PARENTS,
    TOP_LEVEL,
    TOP_LEVEL_BLOCKS,
)
from newscrawl.cleaning.parse import NoncharacterSwap, body_of, parse_document, serialize_contents
from newscrawl.cleaning.sanitize import ALLOWED_TAGS
from newscrawl.cleaning.text import has_text
from newscrawl.cleaning.tree import (
    DISSOLVED,
    Element,
    Slot,
    dissolve,
    flat_items,
    get_slot,
    put_text_before,
    remove_keeping_tail,
    set_slot,
    unwrap,
)
from newscrawl.cleaning.whitespace import strip_indentation, strip_trailing_space

# --- Blocks and tables ---------------------------------------------------------


def settle_blocks(body: Element) -> None:
    """Bottom-up pass: turn wrappers into paragraphs, dissolve what HTML5 would split,
    drop paragraphs and links that show nothing."""
    shows: set[Element] = set()  # text or a picture somewhere inside
    holds_block: set[Element] = set()  # holds an element that closes an open <p>
    # Reversed document order: every element after all of its descendants.
    for element in reversed(list(body.iterdescendants())):
        tag = element.tag
        has_content = tag == "img" or element in shows or has_text(element.text)
        blocky = element in holds_block
        if tag in BLOCK_WRAPPERS:
            tag = element.tag = DISSOLVED if blocky else "p"
        elif tag in INLINE_ONLY and blocky:
            dissolve(element)
            tag = DISSOLVED
        parent = element.getparent()
        # (The tail is the parent's text: looked at while that is still in question.)
        if parent not in shows and (has_content or has_text(element.tail)):
            shows.add(parent)
        if not has_content and tag in ("p", "a"):
            remove_keeping_tail(element)
            continue
        if blocky or tag in P_CLOSERS:
            holds_block.add(parent)


def move_out_of_tables(body: Element) -> None:
    """Move stray content of a table's structure in front of the table, as HTML5 does.

    Text or a paragraph directly inside ``<table>`` or ``<tr>`` is not where
    an HTML5 parser leaves it: moving it here first keeps the white space
    rules below working on the tree nh3 will see.
    """
    for table in list(body.iter("table")):
        parts = [table]
        while parts:
            part = parts.pop()
            allowed = TABLE_CHILDREN[part.tag]
            items = flat_items(part)
            skip_tail_of: Element | None = None
            for item in items:
                if isinstance(item, tuple):
                    owner, is_tail, text = item
                    if is_tail and owner is skip_tail_of:
                        continue  # moved along with its element
                    set_slot((owner, is_tail), None)
                    if has_text(text):
                        put_text_before(table, text)
                elif item.tag in allowed:
                    if item.tag in TABLE_CHILDREN:
                        parts.append(item)
                else:
                    if not has_text(item.tail):
                        item.tail = None
                    table.addprevious(item)  # with its tail
                    skip_tail_of = item


def _kept_parent(element: Element) -> Element | None:
    """The nearest ancestor that nh3 keeps (dissolved elements are not)."""
    parent = element.getparent()
    while parent is not None and parent.tag not in ALLOWED_TAGS and parent.tag != "body":
        parent = parent.getparent()
    return parent


def dissolve_stray_table_parts(body: Element) -> None:
    """Dissolve cells, rows and sections that do not stand where a table part may."""
    for element in list(body.iter(*TABLE_PART_PARENTS)):  # parents before children
        parent = _kept_parent(element)
        if parent is None or parent.tag not in TABLE_PART_PARENTS[element.tag]:
            dissolve(element)


# --- No text outside a block ---------------------------------------------------


_VOID_TAGS: frozenset[str] = frozenset({"br", "img"})

_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*>")


def has_top_level_inline(html: str) -> bool:
    """Whether sanitised ``html`` has text or an inline element outside any block.

    A cheap scan of nh3's well-formed output; a false alarm only costs the
    exact (parsing) pass of ``wrap_inline_runs``.  The split leaves, after
    the text before the first tag, three parts per tag: ``/`` or nothing,
    its name, the text after it.
    """
    parts = _TAG_RE.split(html)
    if parts[0].strip():
        return True
    depth = 0
    for i in range(1, len(parts), 3):
        if parts[i]:  # a closing tag
            if depth:
                depth -= 1
        else:
            name = parts[i + 1].lower()
            if name in _VOID_TAGS:
                if not depth:
                    return True
            else:
                if not depth and name not in TOP_LEVEL_BLOCKS:
                    return True
                depth += 1
        if not depth and parts[i + 2].strip():
            return True
    return False


def wrap_inline_runs(html: str) -> str:
    """Each run of top-level text and inline elements becomes a paragraph.

    A run that shows nothing (white space, a lone ``<br>``) is dropped, as an
    empty paragraph would be.
    """
    swap = NoncharacterSwap(html)
    body = body_of(parse_document(swap.hide(html), settle=True)[0])
    if body is None:
        return html
    # A stray list item or table part at the top level is no block of its
    # own: an HTML5 parser would close the paragraph around it.  Its content stays.
    while stray := [child for child in body if child.tag not in TOP_LEVEL]:
        for child in stray:
            unwrap(child)
    # Each run: its leading text (a slot), its inline elements (with their
    # tails), and the block that ends it (None: the end of the body).
    runs: list[tuple[Slot | None, list[Element], Element | None]] = []
    lead: Slot | None = (body, False) if has_text(body.text) else None
    inline: list[Element] = []
    for child in body:
        if child.tag in TOP_LEVEL_BLOCKS:
            if lead is not None or inline:
                runs.append((lead, inline, child))
            # White space between blocks stays where it is.
            lead = (child, True) if has_text(child.tail) else None
            inline = []
        else:
            inline.append(child)
    if lead is not None or inline:
        runs.append((lead, inline, None))
    for lead, inline, before in runs:
        if lead is None and not any(map(_shows, inline)):
            for child in inline:
                body.remove(child)  # with its tail: part of the run
            continue
        paragraph = etree.Element("p")
        if before is None:
            body.append(paragraph)
        else:
            before.addprevious(paragraph)
        if lead is not None:
            paragraph.text = get_slot(lead)
            set_slot(lead, None)
        for child in inline:
            paragraph.append(child)  # with its tail
        strip_indentation(paragraph, paragraph.text)
        strip_trailing_space(paragraph)
    return swap.show(serialize_contents(body))


def _shows(element: Element) -> bool:
    """Whether ``element`` (with its tail) shows anything: text or a picture."""
    return (
        element.tag == "img"
        or next(element.iter("img"), None) is not None
        or has_text("".join(element.itertext()))
        or has_text(element.tail)
    )
