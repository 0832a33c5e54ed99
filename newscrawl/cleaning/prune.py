"""Removing the source's junk, by the rules of its spec (:mod:`newscrawl.sources.eastmoney`).

Stock chart blocks between their comment markers, junk elements (by tag,
selector or hiding style), keyword links (their words stay); links and
pictures vetted, attributes reduced to what the allow-list keeps.  This
module holds no site patterns: it applies the spec's.
"""

from __future__ import annotations

import re

from lxml import etree

from newscrawl.cleaning.elements import NON_CONTENT_TAGS
from newscrawl.cleaning.sanitize import sanitiser_keeps_url
from newscrawl.cleaning.selectors import Selectors
from newscrawl.cleaning.text import CONTROL_RE
from newscrawl.cleaning.tree import (
    Element,
    dissolve,
    remove_keeping_tail,
    shown_inside,
    shown_length,
)
from newscrawl.sources.eastmoney import (
    HIDDEN_ATTRIBUTES,
    HIDDEN_STYLES,
    INDENT_CHARS,
    JUNK_PARAGRAPH_PATTERNS,
    JUNK_SELECTORS,
    JUNK_TAGS,
    KEPT_CLASSES,
    KEYWORD_SELECTORS,
    STOCK_IMG_END_MARKER,
    STOCK_IMG_START_MARKER,
)

_IMPORTANT_RE = re.compile(r"!\s*important", re.IGNORECASE)

# Browsers remove these from anywhere in a URL: ``jav&#x09;ascript:``.
_URL_IGNORED_RE = re.compile(r"[\t\n\r]")

# Browsers strip leading and trailing C0 controls and spaces from a URL.
_URL_EDGE_CHARS = "".join(chr(c) for c in range(0x21))

#: Removed wherever they are, with their content (and comments, markers done,
#: and processing instructions).
_REMOVED_TAGS: frozenset[str] = JUNK_TAGS | NON_CONTENT_TAGS

#: The spec's junk paragraphs, after any indentation.
_JUNK_PARAGRAPH_RE = re.compile(
    f"[{re.escape(INDENT_CHARS)}]*(?:"
    + "|".join(f"(?:{pattern.pattern})" for pattern in JUNK_PARAGRAPH_PATTERNS) + ")"
)

_JUNK_PARAGRAPH_SEARCH_RE = re.compile("|".join(p.pattern for p in JUNK_PARAGRAPH_PATTERNS))

_JUNK = Selectors(JUNK_SELECTORS)


_KEYWORDS = Selectors(KEYWORD_SELECTORS)

#: Elements without attributes that :func:`walk` still decides on.
_BARE_CANDIDATES: frozenset[str] = frozenset({"a", "img"}) | _JUNK.bare | _KEYWORDS.bare

_ANY_BARE = "*" in _BARE_CANDIDATES


# --- Stock chart blocks --------------------------------------------------------


def _is_marker(node: Element, marker: str) -> bool:
    return node.tag is etree.Comment and (node.text or "").strip().casefold() == marker.casefold()


def remove_stock_img_blocks(top: list[Element]) -> int:
    """Remove each ``EM_StockImg_Start`` ... ``EM_StockImg_End`` block, markers
    included; the number of characters of text they held is returned.

    The markers need not be siblings (libxml2 may put a leading comment
    before ``<html>``), so the block is everything between them in document
    order, less the end marker's ancestors.  A start without an end removes
    nothing but itself (and :func:`walk` removes every comment): better a
    stray chart than lost article text.
    """
    comments = [
        comment
        for node in top
        for comment in (node.iter(etree.Comment) if isinstance(node.tag, str) else (node,))
        if comment.tag is etree.Comment
    ]
    removed = 0
    index = 0
    while index < len(comments):
        if not _is_marker(comments[index], STOCK_IMG_START_MARKER):
            index += 1
            continue
        end = next(
            (i for i in range(index + 1, len(comments))
             if _is_marker(comments[i], STOCK_IMG_END_MARKER)),
            None,
        )
        if end is None:
            break
        # Every comment in between (a later start too) goes with the block.
        removed += _remove_between(comments[index], comments[end])
        index = end + 1
    return removed


def _remove_between(start: Element, end: Element) -> int:
    """Remove ``start``, ``end`` and everything between them in document order
    except ``end``'s ancestors (whose text before ``end`` goes, though); the
    number of characters of text removed is returned.

    Climbs from ``start`` to the lowest common ancestor, removing what follows
    on each level, then descends to ``end``, removing what precedes on each
    level.  At the top of the document, where lxml removes nothing, an
    element in between is emptied instead (it held no ``<body>`` then).
    """
    path = [end, *end.iterancestors()]  # end up to the top of the document
    on_path = set(path)
    removed = 0
    node = start
    parent = node.getparent()
    while parent is not None and parent not in on_path:
        for sibling in list(node.itersiblings()):
            removed += _shown_with_tail(sibling)
            parent.remove(sibling)  # with its tail
        removed += shown_length(node.tail)
        node.tail = None
        node, parent = parent, parent.getparent()
    if parent is None:  # node is at the top of the document
        for sibling in node.itersiblings():
            if sibling is path[-1]:
                break
            if isinstance(sibling.tag, str):
                removed += shown_inside(sibling, _REMOVED_TAGS)
                sibling.clear()
        level = len(path) - 1
    else:
        level = next(i for i, ancestor in enumerate(path) if ancestor is parent)
        for sibling in list(node.itersiblings()):
            if sibling is path[level - 1]:
                break
            removed += _shown_with_tail(sibling)
            parent.remove(sibling)
        removed += shown_length(node.tail)
        node.tail = None
        level -= 1
    for i in range(level, 0, -1):  # the ancestors of end below the common one
        ancestor = path[i]
        removed += shown_length(ancestor.text)
        ancestor.text = None
        for child in list(ancestor):
            if child is path[i - 1]:
                break
            removed += _shown_with_tail(child)
            ancestor.remove(child)
    start_parent = start.getparent()
    if start_parent is not None:
        removed += shown_length(start.tail)
        start_parent.remove(start)  # with its tail, which is in between
    remove_keeping_tail(end)
    return removed


def _shown_with_tail(node: Element) -> int:
    """The characters a reader sees of ``node`` and the text after it."""
    inside = shown_inside(node, _REMOVED_TAGS) if isinstance(node.tag, str) else 0
    return inside + shown_length(node.tail)


# --- Junk, keyword links, links, pictures, attributes --------------------------


def walk(body: Element, *, junk_paragraphs: bool) -> int:
    """Remove junk, dissolve keyword links, vet links, pictures and attributes;
    the number of characters of text the junk rules removed is returned.
    ``junk_paragraphs`` says whether the body may hold one of the spec's junk
    paragraphs (:func:`may_hold_junk_paragraphs`): most do not, and the text
    of every paragraph need not be read then.

    One walk in document order decides on each element as parsed (so a
    link's ancestors are settled before it: a link inside a kept link is
    dissolved, HTML5 would split them), and does not look inside an element
    that goes; the removals come last.  (Text inside elements removed for
    their tag is not counted: no reader sees it.)
    """
    junk_by_xpath = _JUNK.by_xpath(body)
    keywords_by_xpath = _KEYWORDS.by_xpath(body)
    by_xpath = bool(junk_by_xpath or keywords_by_xpath)
    doomed: list[Element] = []
    removed = 0
    skipping, after_doomed = False, None  # (the node after the last doomed one's content)
    for element in body.iterdescendants():
        if skipping:
            if element is not after_doomed:
                continue
            skipping = False
        tag = element.tag
        if not isinstance(tag, str) or tag in _REMOVED_TAGS:
            doomed.append(element)  # comments and processing instructions too
            skipping, after_doomed = True, _following(element, body)
            continue
        if element.attrib:
            junk = _JUNK.matches(element, tag) or _is_hidden(element)
            keyword = _KEYWORDS.matches(element, tag)
        elif tag in _BARE_CANDIDATES or _ANY_BARE or by_xpath:
            junk = tag in _JUNK.bare or "*" in _JUNK.bare
            keyword = tag in _KEYWORDS.bare or "*" in _KEYWORDS.bare
        elif tag == "p" and junk_paragraphs:
            junk = keyword = False  # (only the spec's junk paragraphs to look for)
        else:
            continue  # nothing to decide on an element without attributes
        if by_xpath:
            junk = junk or element in junk_by_xpath
            keyword = keyword or element in keywords_by_xpath
        if junk or (junk_paragraphs and tag == "p" and _is_junk_paragraph(element)):
            doomed.append(element)
            removed += shown_inside(element, _REMOVED_TAGS)
            skipping, after_doomed = True, _following(element, body)
        elif keyword:
            dissolve(element)
        elif tag == "a":
            href = _acceptable_url(element.get("href"), protocol_relative=False)
            if href is None or next(element.iterancestors("a"), None) is not None:
                dissolve(element)
            else:
                element.attrib.clear()
                element.set("href", href)
        elif tag == "img":
            src = _acceptable_url(element.get("src"), protocol_relative=True)
            if src is None:
                doomed.append(element)
                continue
            alt = element.get("alt")
            element.attrib.clear()
            # In alphabetical order, as BeautifulSoup wrote them: nh3 keeps the order.
            if alt is not None:
                element.set("alt", CONTROL_RE.sub("", alt))
            element.set("src", src)
        elif element.attrib:
            _keep_attributes(element)
    for element in doomed:
        remove_keeping_tail(element)
    return removed


def _following(element: Element, root: Element) -> Element | None:
    """The node that comes after ``element`` and its content in ``root``, if any."""
    node = element
    while node is not root:
        following = node.getnext()
        if following is not None:
            return following
        node = node.getparent()
    return None


def may_hold_junk_paragraphs(html: str) -> bool:
    """Whether ``html`` holds the text of one of the spec's junk paragraphs."""
    return _JUNK_PARAGRAPH_SEARCH_RE.search(html) is not None


def _is_junk_paragraph(paragraph: Element) -> bool:
    """Whether the text a paragraph starts with is one of the spec's junk lines."""
    text = paragraph.text
    return text is not None and _JUNK_PARAGRAPH_RE.match(text) is not None


def _is_hidden(element: Element) -> bool:
    for name in HIDDEN_ATTRIBUTES:
        if element.get(name) is not None:
            return True
    style = element.get("style")
    if style is None:
        return False
    for declaration in style.split(";"):
        prop, _, value = declaration.partition(":")
        value = _IMPORTANT_RE.sub("", value).strip().lower()
        if (prop.strip().lower(), value) in HIDDEN_STYLES:
            return True
    return False


def _acceptable_url(value: str | None, *, protocol_relative: bool) -> str | None:
    """The URL as a browser would read it, if it is http(s); else ``None``."""
    if value is None:
        return None
    url = _URL_IGNORED_RE.sub("", value).strip(_URL_EDGE_CHARS)
    if CONTROL_RE.search(url):
        return None
    lowered = url.lower()
    if not (
        lowered.startswith(("http://", "https://"))
        or (protocol_relative and url.startswith("//"))
    ):
        return None
    return url if sanitiser_keeps_url(url) else None


def _keep_attributes(element: Element) -> None:
    kept_classes = KEPT_CLASSES.get(element.tag)
    wanted = [name for name in (element.get("class") or "").split()
              if kept_classes and name in kept_classes]
    element.attrib.clear()
    if wanted:
        element.set("class", " ".join(wanted))
