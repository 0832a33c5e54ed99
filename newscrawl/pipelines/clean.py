"""Article bodies: prune the source's junk, then sanitise what is left.

Two steps, each with the tool made for it:

1. lxml (libxml2's HTML parser) removes what :mod:`newscrawl.sources.eastmoney`
   describes (hidden paragraphs, stock chart blocks, quote widgets, keyword
   links, indentation), decides which links and pictures are acceptable and
   tidies the structure (see :func:`_prune`).
2. nh3, an allow-list sanitiser, re-parses the result with an HTML5 parser
   and guarantees that no tag, attribute or URL scheme outside the allow-list
   survives, whatever step 1 missed.

The output is nh3's serialisation, so a body that is already clean (like the
archive's golden post) comes out byte for byte as it went in, and cleaning is
idempotent: ``clean_html(clean_html(x)) == clean_html(x)``.

Idempotence needs both parsers to agree on the tree of step 1's output.
libxml2 (an HTML 4 tree builder) accepts nestings that an HTML5 parser
rearranges, for example a ``<div>`` inside a ``<p>``, which HTML5 splits
into ``<p></p>`` pieces.  Step 1 therefore only hands nh3 structures HTML5
keeps as they are: block wrappers become paragraphs or are dissolved, and a
paragraph, heading, link or bold/italic element that would contain a block
is dissolved into its content.

Why lxml and not BeautifulSoup: step 1 used to build a BeautifulSoup tree
(over the same libxml2 parser) and walk it: 3.1 ms of CPU per article of the
benchmark (10 KB median body), two thirds of it building and walking the
Python tree.  libxml2 builds its own tree in C in 0.06 ms, and step 1 now
walks that tree three times (decide, settle blocks bottom-up, settle white
space), matching the selectors of :mod:`newscrawl.sources.eastmoney` in Python as it
goes: ``clean_html`` takes 0.5 ms per article where it took 3.1 ms, nh3
(0.1 ms) included (CPU time over the benchmark's first 1000 bodies, both
versions on the same machine).

The rules and their output did not change: libxml2's tree is the one
BeautifulSoup was built from (same parser, same events), and what
BeautifulSoup did on the way is done here on purpose (:func:`_parse`,
:func:`_settled`, :func:`_keeps_apart`, :func:`_serialize_contents`).  lxml
holds text differently: an element owns the text up to its first child
(``.text``) and the text after its end tag (``.tail``), so removing an
element hands its tail to the previous sibling or the parent
(:func:`_remove`), and comments are elements.

All tree walks are loops, not recursion, and a body nested deeper than
libxml2's own tree builder goes (256 levels) is built from the parser's
events instead (:class:`_TreeBuilder`): bodies nested thousands of levels
deep are cleaned whole, without hitting Python's recursion limit.
"""

from __future__ import annotations

import html as html_lib
import re
import secrets
import threading
from collections.abc import Callable
from typing import Any, TypeAlias

import cssselect
import nh3
from cssselect import HTMLTranslator
from itemadapter import ItemAdapter
from lxml import etree
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from newscrawl.sources.eastmoney import (
    HIDDEN_ATTRIBUTES,
    HIDDEN_STYLES,
    INDENT_CHARS,
    JUNK_SELECTORS,
    JUNK_TAGS,
    KEPT_CLASSES,
    KEYWORD_SELECTORS,
    STOCK_IMG_END_MARKER,
    STOCK_IMG_START_MARKER,
)

Element: TypeAlias = etree._Element
#: A piece of text in lxml's model: its owner, and whether it is the owner's
#: tail (the text after it) rather than its text (the text at its start).
Slot: TypeAlias = tuple[Element, bool]


# --- What the archive keeps (the allow-list) ----------------------------------

#: Tags kept.  ``tfoot`` and ``caption`` are kept with the rest of a table:
#: dropping them would leave rows that an HTML5 parser re-wraps differently.
ALLOWED_TAGS: frozenset[str] = frozenset(
    {"p", "br", "strong", "b", "em", "i", "h1", "h2", "h3", "h4", "h5", "h6",
     "ul", "ol", "li", "blockquote", "img", "a",
     "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td"}
)
#: Attributes kept, per tag (``class`` is handled by ``KEPT_CLASSES``).
ALLOWED_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href"}),
    "img": frozenset({"src", "alt"}),
}
#: URL schemes kept in ``href`` and ``src``.  A protocol-relative ``//host/…``
#: picture is kept too; a link must say http or https.
ALLOWED_URL_SCHEMES: frozenset[str] = frozenset({"http", "https"})


# --- Generic HTML knowledge (not site-specific) -------------------------------

#: Elements that never hold article text: removed with their content.  Some
#: are raw-text elements (``xmp``, ``textarea``...) whose content the two
#: parsers read differently, so neither may see them; the MathML token
#: elements (``mi``...) and ``desc`` are elements whose content nh3 drops
#: even outside ``<math>``/``<svg>``.
_NON_CONTENT_TAGS: frozenset[str] = frozenset(
    {"head", "title", "meta", "link", "base", "template", "textarea", "select", "option",
     "button", "input", "keygen", "hr", "col", "colgroup", "map", "area", "param", "source",
     "track", "audio", "video", "canvas", "math", "applet", "frame", "frameset", "noembed",
     "noframes", "xmp", "plaintext", "image", "dialog",
     "mi", "mo", "mn", "ms", "mtext", "mglyph", "malignmark", "annotation-xml", "desc"}
)
#: Block wrappers the archive does not keep: each becomes a ``<p>`` when it holds
#: only inline content (``<center><img></center>`` -> ``<p><img></p>``), and is
#: dissolved into its content otherwise.
_BLOCK_WRAPPERS: frozenset[str] = frozenset(
    {"div", "center", "section", "article", "aside", "header", "footer", "main", "nav",
     "figure", "figcaption", "address", "details", "summary", "fieldset", "legend",
     "dl", "dt", "dd", "hgroup", "menu", "dir", "pre", "listing", "search"}
)
#: Start tags that make an HTML5 parser close an open ``<p>``.
_P_CLOSERS: frozenset[str] = frozenset(
    {"address", "article", "aside", "blockquote", "center", "details", "dialog", "dir",
     "div", "dl", "fieldset", "figcaption", "figure", "footer", "header", "hgroup", "main",
     "menu", "nav", "ol", "p", "search", "section", "summary", "ul", "h1", "h2", "h3", "h4",
     "h5", "h6", "pre", "listing", "form", "plaintext", "table", "hr", "xmp", "li", "dd",
     "dt"}
)
#: Kept elements that must not contain a block (it would be split off by an
#: HTML5 parser): dissolved into their content when they do.
_INLINE_ONLY: frozenset[str] = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "a", "strong", "b", "em", "i"}
)
#: What each part of a table may hold directly; an HTML5 parser moves
#: anything else out, in front of the table ("foster parenting").
_TABLE_CHILDREN: dict[str, frozenset[str]] = {
    "table": frozenset({"caption", "thead", "tbody", "tfoot", "tr", "td", "th"}),
    "thead": frozenset({"tr", "td", "th"}),
    "tbody": frozenset({"tr", "td", "th"}),
    "tfoot": frozenset({"tr", "td", "th"}),
    "tr": frozenset({"td", "th"}),
}
#: Where each table part may stand; elsewhere an HTML5 parser ignores its tag
#: (a ``<td>`` outside a table) or moves it (a ``<td>`` inside a list in a cell).
_TABLE_PART_PARENTS: dict[str, frozenset[str]] = {
    "caption": frozenset({"table"}),
    "thead": frozenset({"table"}),
    "tbody": frozenset({"table"}),
    "tfoot": frozenset({"table"}),
    "tr": frozenset({"table", "thead", "tbody", "tfoot"}),
    "td": frozenset({"table", "thead", "tbody", "tfoot", "tr"}),
    "th": frozenset({"table", "thead", "tbody", "tfoot", "tr"}),
}
#: Containers whose white space between children is never content.
_STRUCTURE_CONTAINERS: frozenset[str] = frozenset(
    {"ul", "ol", "table", "thead", "tbody", "tfoot", "tr"}
)
#: Containers of blocks: white space next to a block, or at their edges, is dropped.
_FLOW_CONTAINERS: frozenset[str] = frozenset({"body", "blockquote", "li", "td", "th", "caption"})
#: Kept elements that are blocks, for the white space rule.
_BLOCKS: frozenset[str] = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote",
     "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td"}
)
#: The name given to an element that is to be dissolved (kept content, no tag):
#: renaming is O(1) where moving its content out is not, and nh3 drops the tag
#: of every element outside the allow-list.
_DISSOLVED = "span"

# C0 controls other than tab, newline and carriage return, and the byte order
# mark: not text of an article, and libxml2 and html5ever treat them differently.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufeff]")
#: What the first line of :func:`clean_html` is for (and lone surrogates).
_SUSPECT_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufeff\ud800-\udfff]")
_ASCII_WHITE_SPACE = " \t\n\r"
_IMPORTANT_RE = re.compile(r"!\s*important", re.IGNORECASE)
# Browsers remove these from anywhere in a URL: ``jav&#x09;ascript:``.
_URL_IGNORED_RE = re.compile(r"[\t\n\r]")
# Browsers strip leading and trailing C0 controls and spaces from a URL.
_URL_EDGE_CHARS = "".join(chr(c) for c in range(0x21))


def _keep_protocol_relative(url: str) -> str | None:
    """nh3 ``url_relative`` rule: of the URLs without a scheme only ``//host/…`` stays."""
    return url if url.startswith("//") else None


_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=set(JUNK_TAGS | _NON_CONTENT_TAGS),
    attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
    allowed_classes={tag: set(names) for tag, names in KEPT_CLASSES.items()},
    url_schemes=set(ALLOWED_URL_SCHEMES),
    url_relative=_keep_protocol_relative,
    link_rel=None,
    strip_comments=True,
)


def clean_html(html: str) -> str:
    """The archive's version of an article body: junk pruned, then sanitised.

    Pure and idempotent; an already clean body comes out unchanged.
    """
    text = html
    if _SUSPECT_RE.search(text):
        text = text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates
        text = _CONTROL_RE.sub("", text)
    if not text.strip():
        return ""
    cleaned = _CLEANER.clean(_prune(text))
    if _has_top_level_inline(cleaned):
        cleaned = _CLEANER.clean(_wrap_inline_runs(cleaned))
    return cleaned


def has_visible_content(html: str) -> bool:
    """Whether a body shows anything: some text that is not white space, or a picture.

    Cheap on purpose (it runs on every article): nh3 with no tags allowed
    leaves the text, which is unescaped and looked at; no tree is built.
    """
    if _IMG_RE.search(html):
        return True
    return _has_text(html_lib.unescape(nh3.clean(html, tags=set())))


# --- Step 1: pruning on libxml2's tree ----------------------------------------

def _prune(html: str) -> str:
    """Step 1: the body with the source's junk removed and its structure tidied,
    as HTML for nh3 (whose parse of it gives the same tree)."""
    swap = _NoncharacterSwap(html)
    top, settled = _parse(swap.hide(html), settle=False)
    _remove_stock_img_blocks(top)
    body = _body(top)
    if body is None:
        return ""
    _walk(body)
    _settle_blocks(body)
    _move_out_of_tables(body)
    _dissolve_stray_table_parts(body)
    _settle_white_space(body, settled=settled)
    return swap.show(_serialize_contents(body))


def _is_marker(node: Element, marker: str) -> bool:
    return node.tag is etree.Comment and (node.text or "").strip().casefold() == marker.casefold()


def _remove_stock_img_blocks(top: list[Element]) -> None:
    """Remove each ``EM_StockImg_Start`` ... ``EM_StockImg_End`` block, markers included.

    The markers need not be siblings (libxml2 may put a leading comment
    before ``<html>``), so the block is everything between them in document
    order, less the end marker's ancestors.  A start without an end removes
    nothing but itself (and :func:`_walk` removes every comment): better a
    stray chart than lost article text.
    """
    comments = [
        comment
        for node in top
        for comment in (node.iter(etree.Comment) if isinstance(node.tag, str) else (node,))
        if comment.tag is etree.Comment
    ]
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
            return
        # Every comment in between (a later start too) goes with the block.
        _remove_between(comments[index], comments[end])
        index = end + 1


def _remove_between(start: Element, end: Element) -> None:
    """Remove ``start``, ``end`` and everything between them in document order
    except ``end``'s ancestors (whose text before ``end`` goes, though).

    Climbs from ``start`` to the lowest common ancestor, removing what follows
    on each level, then descends to ``end``, removing what precedes on each
    level.  At the top of the document, where lxml removes nothing, an
    element in between is emptied instead (it held no ``<body>`` then).
    """
    path = [end, *end.iterancestors()]  # end up to the top of the document
    on_path = set(path)
    node = start
    parent = node.getparent()
    while parent is not None and parent not in on_path:
        for sibling in list(node.itersiblings()):
            parent.remove(sibling)  # with its tail
        node.tail = None
        node, parent = parent, parent.getparent()
    if parent is None:  # node is at the top of the document
        for sibling in node.itersiblings():
            if sibling is path[-1]:
                break
            if isinstance(sibling.tag, str):
                sibling.clear()
        level = len(path) - 1
    else:
        level = next(i for i, ancestor in enumerate(path) if ancestor is parent)
        for sibling in list(node.itersiblings()):
            if sibling is path[level - 1]:
                break
            parent.remove(sibling)
        node.tail = None
        level -= 1
    for i in range(level, 0, -1):  # the ancestors of end below the common one
        ancestor = path[i]
        ancestor.text = None
        for child in list(ancestor):
            if child is path[i - 1]:
                break
            ancestor.remove(child)
    start_parent = start.getparent()
    if start_parent is not None:
        start_parent.remove(start)  # with its tail, which is in between
    _remove(end)


#: Removed wherever they are, with their content (and comments, markers done,
#: and processing instructions).
_REMOVED_TAGS: frozenset[str] = JUNK_TAGS | _NON_CONTENT_TAGS


def _walk(body: Element) -> None:
    """Remove junk, dissolve keyword links, vet links, pictures and attributes.

    One walk in document order decides on each element as parsed (so a
    link's ancestors are settled before it: a link inside a kept link is
    dissolved, HTML5 would split them); the removals come last.
    """
    junk_by_xpath = _JUNK.by_xpath(body)
    keywords_by_xpath = _KEYWORDS.by_xpath(body)
    by_xpath = bool(junk_by_xpath or keywords_by_xpath)
    doomed: list[Element] = []
    for element in body.iterdescendants():
        tag = element.tag
        if not isinstance(tag, str) or tag in _REMOVED_TAGS:
            doomed.append(element)  # comments and processing instructions too
            continue
        if element.attrib:
            junk = _JUNK.matches(element, tag) or _is_hidden(element)
            keyword = _KEYWORDS.matches(element, tag)
        elif tag in _BARE_CANDIDATES or _ANY_BARE or by_xpath:
            junk = tag in _JUNK.bare or "*" in _JUNK.bare
            keyword = tag in _KEYWORDS.bare or "*" in _KEYWORDS.bare
        else:
            continue  # nothing to decide on an element without attributes
        if by_xpath:
            junk = junk or element in junk_by_xpath
            keyword = keyword or element in keywords_by_xpath
        if junk:
            doomed.append(element)
        elif keyword:
            _dissolve(element)
        elif tag == "a":
            href = _acceptable_url(element.get("href"), protocol_relative=False)
            if href is None or next(element.iterancestors("a"), None) is not None:
                _dissolve(element)
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
                element.set("alt", _CONTROL_RE.sub("", alt))
            element.set("src", src)
        else:
            _keep_attributes(element)
    for element in doomed:
        _remove(element)  # (harmless for one already gone with an ancestor)


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


def _sanitiser_keeps_url(url: str) -> bool:
    """Whether nh3 keeps this URL: its URL parser is stricter than any check here
    (``http://exa mple/`` fails it), and both steps must agree on every link."""
    probe = _CLEANER.clean(f'<img src="{html_lib.escape(url, quote=True)}">')
    return "src=" in probe


def _acceptable_url(value: str | None, *, protocol_relative: bool) -> str | None:
    """The URL as a browser would read it, if it is http(s); else ``None``."""
    if value is None:
        return None
    url = _URL_IGNORED_RE.sub("", value).strip(_URL_EDGE_CHARS)
    if _CONTROL_RE.search(url):
        return None
    lowered = url.lower()
    if not (
        lowered.startswith(("http://", "https://"))
        or (protocol_relative and url.startswith("//"))
    ):
        return None
    return url if _sanitiser_keeps_url(url) else None


def _dissolve(element: Element) -> None:
    """Mark ``element`` to be dissolved into its content: renaming is O(1) where
    moving its content out is not, and nh3 drops the tag."""
    element.tag = _DISSOLVED
    element.attrib.clear()


def _keep_attributes(element: Element) -> None:
    kept_classes = KEPT_CLASSES.get(element.tag)
    wanted = [name for name in (element.get("class") or "").split()
              if kept_classes and name in kept_classes]
    element.attrib.clear()
    if wanted:
        element.set("class", " ".join(wanted))


def _settle_blocks(body: Element) -> None:
    """Bottom-up pass: turn wrappers into paragraphs, dissolve what HTML5 would split,
    drop paragraphs and links that show nothing."""
    shows: set[Element] = set()  # text or a picture somewhere inside
    holds_block: set[Element] = set()  # holds an element that closes an open <p>
    # Reversed document order: every element after all of its descendants.
    for element in reversed(list(body.iterdescendants())):
        tag = element.tag
        has_content = tag == "img" or element in shows or _has_text(element.text)
        blocky = element in holds_block
        if tag in _BLOCK_WRAPPERS:
            tag = element.tag = _DISSOLVED if blocky else "p"
        elif tag in _INLINE_ONLY and blocky:
            _dissolve(element)
            tag = _DISSOLVED
        parent = element.getparent()
        # (The tail is the parent's text: looked at while that is still in question.)
        if parent not in shows and (has_content or _has_text(element.tail)):
            shows.add(parent)
        if not has_content and tag in ("p", "a"):
            _remove(element)
            continue
        if blocky or tag in _P_CLOSERS:
            holds_block.add(parent)


def _move_out_of_tables(body: Element) -> None:
    """Move stray content of a table's structure in front of the table, as HTML5 does.

    Text or a paragraph directly inside ``<table>`` or ``<tr>`` is not where
    an HTML5 parser leaves it: moving it here first keeps the white space
    rules below working on the tree nh3 will see.
    """
    for table in list(body.iter("table")):
        parts = [table]
        while parts:
            part = parts.pop()
            allowed = _TABLE_CHILDREN[part.tag]
            items = _flat_items(part)
            skip_tail_of: Element | None = None
            for item in items:
                if isinstance(item, tuple):
                    owner, is_tail, text = item
                    if is_tail and owner is skip_tail_of:
                        continue  # moved along with its element
                    _set((owner, is_tail), None)
                    if _has_text(text):
                        _put_text_before(table, text)
                elif item.tag in allowed:
                    if item.tag in _TABLE_CHILDREN:
                        parts.append(item)
                else:
                    if not _has_text(item.tail):
                        item.tail = None
                    table.addprevious(item)  # with its tail
                    skip_tail_of = item


def _kept_parent(element: Element) -> Element | None:
    """The nearest ancestor that nh3 keeps (dissolved elements are not)."""
    parent = element.getparent()
    while parent is not None and parent.tag not in ALLOWED_TAGS and parent.tag != "body":
        parent = parent.getparent()
    return parent


def _dissolve_stray_table_parts(body: Element) -> None:
    """Dissolve cells, rows and sections that do not stand where a table part may."""
    for element in list(body.iter(*_TABLE_PART_PARENTS)):  # parents before children
        parent = _kept_parent(element)
        if parent is None or parent.tag not in _TABLE_PART_PARENTS[element.tag]:
            _dissolve(element)


def _settle_white_space(body: Element, *, settled: bool) -> None:
    """Put white space between elements in the one form that parsing it again keeps.

    Works on runs of adjacent texts (adjacent once dissolved elements are
    gone, as nh3 will leave them), in the kept element (or the body) that
    holds them:

    - in flow containers (the top level, blockquote, li, cells), white space
      next to a block or to the container's edge is the source's layout,
      not content: it goes (a run of white space only goes entirely);
    - inside lists and table structure every white space text goes (an HTML5
      parser moves text out of tables but leaves white space in place);
    - any other run of only ASCII white space becomes one space, or one
      newline if it holds one, as it always did.

    (libxml2 itself drops white space at the start of the body, which the
    first rule covers.)  Texts not ``settled`` yet are settled here
    (:func:`_settled`).  The indentation of each paragraph goes first
    (:func:`_strip_indentation`).  One walk of the tree does it all: a
    container's runs are closed by its kept children and by its end.
    """
    # Per open container: its kind, its current run, the kept element before the run.
    stack: list[list[Any]] = []
    for event, element in etree.iterwalk(body, events=("start", "end")):
        tag = element.tag
        if event == "start":
            text = element.text
            if tag in ALLOWED_TAGS or element is body:
                if stack:  # an element of its container: it ends the run
                    container = stack[-1]
                    if container[1]:
                        _settle_run(container, tag in _BLOCKS, settled)
                    container[2] = element
                stack.append([_KINDS.get(tag, _INLINE), [], None])
                if tag == "p" and (not text or text[0] in INDENT_CHARS):
                    stripped = text.lstrip(INDENT_CHARS) if text else ""
                    if stripped:  # (the common case, done here)
                        element.text = text = stripped
                    else:
                        text = _strip_indentation(element, text)
            is_tail = False
        else:
            if tag in ALLOWED_TAGS or element is body:
                kind, run, _ = container = stack.pop()
                # (A lone text in an inline container stays as it is unless it
                # is white space other than one space or newline.)
                if run and not (kind == _INLINE and len(run) == 1
                                and (not _is_blank(run[0][2]) or run[0][2] in (" ", "\n"))):
                    _settle_run(container, True, settled)  # the container's edge ends it
                if element is body:
                    break
            text = element.tail
            is_tail = True
        if not text:
            continue
        container = stack[-1]
        if container[0] == _STRUCTURE:
            if not _has_text(text):
                _set((element, is_tail), None)
        else:
            container[1].append((element, is_tail, text))


_STRUCTURE, _FLOW, _INLINE = 0, 1, 2
_KINDS: dict[str, int] = {
    "body": _FLOW,
    **dict.fromkeys(_STRUCTURE_CONTAINERS, _STRUCTURE),
    **dict.fromkeys(_FLOW_CONTAINERS, _FLOW),
}


def _settle_run(container: list[Any], block_after: bool, settled: bool) -> None:
    """Settle the current run of ``container`` (``[kind, run, element before]``),
    ``block_after`` saying whether a block (or the container's edge) follows."""
    kind, run, before = container
    container[1] = []
    if kind == _FLOW and len(run) == 1:  # the common case: layout between blocks
        owner, is_tail, original = run[0]
        if not original.strip(_ASCII_WHITE_SPACE) and (
            block_after or before is None or before.tag in _BLOCKS
        ):
            _set((owner, is_tail), None)
            return
    if len(run) == 1:
        original = run[0][2]
        text = original if settled or not _is_blank(original) else _collapsed(original)
    else:
        original = "".join(item[2] for item in run)
        text = original if settled else "".join(
            item[2] if not _is_blank(item[2]) else _collapsed(item[2]) for item in run
        )
    if kind == _FLOW:
        block_before = before is None or before.tag in _BLOCKS
    else:
        block_before = block_after = False
    if block_before:
        text = text.lstrip(_ASCII_WHITE_SPACE)
    if block_after:
        text = text.rstrip(_ASCII_WHITE_SPACE)
    if (block_before or block_after) and not _has_text(text):
        text = ""
    elif text and not text.strip(_ASCII_WHITE_SPACE):
        text = "\n" if "\n" in text or "\r" in text else " "
    if text == original:
        return
    for owner, is_tail, _ in run[1:]:
        _set((owner, is_tail), None)
    owner, is_tail, _ = run[0]
    _set((owner, is_tail), text or None)


def _strip_indentation(paragraph: Element, text: str | None) -> str | None:
    """Remove ``　　``-style indentation from the start of a paragraph's text.

    ``text`` is the paragraph's own text (read already); what it becomes is returned.
    """
    if text:
        if text[0] not in INDENT_CHARS:
            return text
        stripped = text.lstrip(INDENT_CHARS)
        paragraph.text = stripped or None
        if stripped:
            return stripped
    # The texts inside, in document order, up to a line break or a picture.
    for event, element in etree.iterwalk(paragraph, events=("start", "end")):
        if element is paragraph:
            continue
        if event == "start":
            if element.tag in ("br", "img"):
                return None
            slot = (element, False)
        else:
            slot = (element, True)
        inner = _get(slot)
        if not inner:
            continue
        stripped = inner.lstrip(INDENT_CHARS)
        if stripped:
            if stripped != inner:
                _set(slot, stripped)
            return None
        _set(slot, None)
    return None


# --- The source's selectors, compiled once ------------------------------------

_Condition: TypeAlias = Callable[[Element], bool]


class _Selectors:
    """CSS selectors of :mod:`newscrawl.sources.eastmoney`, compiled once.

    A compound selector (a type, classes, an id, attribute tests: all the
    source's are) is matched in Python, element by element during the one
    walk of the tree, as soupsieve matched it on BeautifulSoup's tree
    (classes are split at any white space).  A selector beyond that
    (combinators, pseudo-classes) is translated to XPath by cssselect and
    evaluated once per body.
    """

    def __init__(self, selectors: tuple[str, ...]) -> None:
        #: type (``*``: any) -> the condition lists of the selectors of that type
        self._compound: dict[str, list[list[_Condition]]] = {}
        translator = HTMLTranslator()
        xpaths: list[str] = []
        for css in selectors:
            for selector in cssselect.parse(css):
                compiled = _compile_compound(selector)
                if compiled is None:
                    xpaths.append(translator.selector_to_xpath(selector, prefix="descendant::"))
                else:
                    tag, conditions = compiled
                    self._compound.setdefault(tag, []).append(conditions)
        self._xpath = etree.XPath(" | ".join(xpaths)) if xpaths else None
        #: types matched by a selector without conditions (an element without attributes)
        self.bare: frozenset[str] = frozenset(
            tag for tag, lists in self._compound.items() if any(not c for c in lists)
        )
        self._for_tag: dict[str, tuple[list[_Condition], ...]] = {}

    def by_xpath(self, body: Element) -> set[Element]:
        """The elements of ``body`` that the XPath selectors match."""
        return set() if self._xpath is None else set(self._xpath(body))

    def matches(self, element: Element, tag: str) -> bool:
        """Whether a compound selector matches ``element`` (of type ``tag``)."""
        candidates = self._for_tag.get(tag)
        if candidates is None:
            candidates = self._for_tag[tag] = (
                *self._compound.get(tag, ()), *self._compound.get("*", ())
            )
        for conditions in candidates:
            for condition in conditions:
                if not condition(element):
                    break
            else:
                return True
        return False


def _compile_compound(selector: cssselect.Selector) -> tuple[str, list[_Condition]] | None:
    """The type and conditions of a compound selector; None for anything else."""
    if selector.pseudo_element is not None:
        return None
    conditions: list[_Condition] = []
    node = selector.parsed_tree
    while not isinstance(node, cssselect.parser.Element):
        if isinstance(node, cssselect.parser.Class):
            conditions.append(_has_class(node.class_name))
        elif isinstance(node, cssselect.parser.Hash):
            conditions.append(_attribute_test("id", "=", node.id))
        elif (isinstance(node, cssselect.parser.Attrib) and node.namespace is None
              and node.flag is None and node.operator in _ATTRIBUTE_OPERATORS):
            value = "" if node.value is None else getattr(node.value, "value", node.value)
            conditions.append(_attribute_test(node.attrib.lower(), node.operator, value))
        else:
            return None
        node = node.selector
    if node.namespace is not None:
        return None
    return (node.element or "*").lower(), conditions


_ATTRIBUTE_OPERATORS: dict[str, Callable[[str, str], bool]] = {
    "exists": lambda actual, wanted: True,
    "=": lambda actual, wanted: actual == wanted,
    "~=": lambda actual, wanted: wanted in actual.split() and not any(c.isspace() for c in wanted),
    "|=": lambda actual, wanted: actual == wanted or actual.startswith(wanted + "-"),
    "^=": lambda actual, wanted: bool(wanted) and actual.startswith(wanted),
    "$=": lambda actual, wanted: bool(wanted) and actual.endswith(wanted),
    "*=": lambda actual, wanted: bool(wanted) and wanted in actual,
}


def _attribute_test(name: str, operator: str, wanted: str) -> _Condition:
    test = _ATTRIBUTE_OPERATORS[operator]

    def condition(element: Element) -> bool:
        actual = element.get(name)
        return actual is not None and test(actual, wanted)

    return condition


def _has_class(name: str) -> _Condition:
    def condition(element: Element) -> bool:
        return name in (element.get("class") or "").split()

    return condition


_JUNK = _Selectors(JUNK_SELECTORS)
_KEYWORDS = _Selectors(KEYWORD_SELECTORS)
#: Elements without attributes that :func:`_walk` still decides on.
_BARE_CANDIDATES: frozenset[str] = frozenset({"a", "img"}) | _JUNK.bare | _KEYWORDS.bare
_ANY_BARE = "*" in _BARE_CANDIDATES


# --- Step 3: no text outside a block ------------------------------------------

#: Elements that may stand at the top level of a body.  Text or inline
#: elements there would leave the post's Markdown with a line that Kramdown
#: reads as Markdown, escaping the HTML that follows it on the line.
_TOP_LEVEL_BLOCKS: frozenset[str] = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "blockquote", "table"}
)
_VOID_TAGS: frozenset[str] = frozenset({"br", "img"})
_TOP_LEVEL_INLINE: frozenset[str] = frozenset({"a", "b", "strong", "em", "i", "br", "img"})
#: What may stand at the top level after :func:`_wrap_inline_runs`.
_TOP_LEVEL: frozenset[str] = _TOP_LEVEL_INLINE | _TOP_LEVEL_BLOCKS
_IMG_RE = re.compile(r"<img\b", re.IGNORECASE)
_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*>")


def _has_top_level_inline(html: str) -> bool:
    """Whether sanitised ``html`` has text or an inline element outside any block.

    A cheap scan of nh3's well-formed output; a false alarm only costs the
    exact (parsing) pass of ``_wrap_inline_runs``.  The split leaves, after
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
                if not depth and name not in _TOP_LEVEL_BLOCKS:
                    return True
                depth += 1
        if not depth and parts[i + 2].strip():
            return True
    return False


def _wrap_inline_runs(html: str) -> str:
    """Each run of top-level text and inline elements becomes a paragraph.

    A run that shows nothing (white space, a lone ``<br>``) is dropped, as an
    empty paragraph would be.
    """
    swap = _NoncharacterSwap(html)
    body = _body(_parse(swap.hide(html), settle=True)[0])
    if body is None:
        return html
    # A stray list item or table part at the top level is no block of its
    # own: an HTML5 parser would close the paragraph around it.  Its content stays.
    while stray := [child for child in body if child.tag not in _TOP_LEVEL]:
        for child in stray:
            _unwrap(child)
    # Each run: its leading text (a slot), its inline elements (with their
    # tails), and the block that ends it (None: the end of the body).
    runs: list[tuple[Slot | None, list[Element], Element | None]] = []
    lead: Slot | None = (body, False) if _has_text(body.text) else None
    inline: list[Element] = []
    for child in body:
        if child.tag in _TOP_LEVEL_BLOCKS:
            if lead is not None or inline:
                runs.append((lead, inline, child))
            # White space between blocks stays where it is.
            lead = (child, True) if _has_text(child.tail) else None
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
            paragraph.text = _get(lead)
            _set(lead, None)
        for child in inline:
            paragraph.append(child)  # with its tail
        _strip_indentation(paragraph, paragraph.text)
    return swap.show(_serialize_contents(body))


def _shows(element: Element) -> bool:
    """Whether ``element`` (with its tail) shows anything: text or a picture."""
    return (
        element.tag == "img"
        or next(element.iter("img"), None) is not None
        or _has_text("".join(element.itertext()))
        or _has_text(element.tail)
    )


def _unwrap(element: Element) -> None:
    """Replace ``element`` with its content (text, children, tail) in its parent."""
    parent = element.getparent()
    if parent is None:
        return
    children = list(element)
    tail = element.tail or ""
    lead = element.text or ""
    if children:
        last = children[-1]
        last.tail = (last.tail or "") + tail
    else:
        lead += tail
    element.tail = None
    if lead:
        previous = element.getprevious()
        if previous is None:
            parent.text = (parent.text or "") + lead
        else:
            previous.tail = (previous.tail or "") + lead
    for child in children:
        element.addprevious(child)  # with its tail
    parent.remove(element)


# --- Parsing and serialising with lxml, as BeautifulSoup did ------------------

_LOCAL = threading.local()
_TOO_DEEP = etree.ErrorTypes.ERR_RESOURCE_LIMIT
_DOCTYPE_RE = re.compile(r"<!doctype", re.IGNORECASE)
#: Where an element of :data:`_PRESERVED` may start.
_PRESERVED_RE = re.compile(r"<(?:pre|textarea)", re.IGNORECASE)


def _parser() -> etree.HTMLParser:
    """This thread's libxml2 HTML parser, as BeautifulSoup's lxml builder set it
    up (and without a table of ``id`` attributes, which nothing looks up).

    One per thread: a parser fed and closed in two calls is not to be shared.
    """
    parser: etree.HTMLParser | None = getattr(_LOCAL, "parser", None)
    if parser is None:
        parser = _LOCAL.parser = etree.HTMLParser(collect_ids=False)
    return parser


def _parse(html: str, *, settle: bool = False) -> tuple[list[Element], bool]:
    """The document libxml2 reads in ``html``: its top-level nodes in order, and
    whether its texts are settled already (:func:`_settled`).

    The top-level nodes are usually one ``<html>`` element with the comments
    libxml2 puts around it; content after an explicit ``</html>`` makes
    another ``<html>`` (BeautifulSoup saw them all).

    The texts are settled (as BeautifulSoup read them: :func:`_settled`)
    when ``settle`` asks for it, and always when the body holds a character
    reference (the only source of control characters now) or a ``<pre>``
    (the only place where white space is not settled).  Otherwise
    :func:`_settle_white_space` settles them where it matters, which spares
    a pass over every text.

    The parser is fed as BeautifulSoup's lxml builder fed it (``feed``
    takes a ``str`` with an XML declaration, where ``fromstring`` refuses
    it).  Two documents are built from the parser's events instead
    (:class:`_TreeBuilder`): one nested deeper than libxml2's tree builder
    goes (256 levels: it drops the rest of the document), and one with a
    ``<!DOCTYPE>`` in it, which ends a text for BeautifulSoup but is no
    node of libxml2's tree.
    """
    if _DOCTYPE_RE.search(html) is None:
        parser = _parser()
        parser.feed(html)
        try:
            root = parser.close()
        except etree.ParseError:
            return [], True
        if not any(error.type == _TOO_DEEP for error in parser.feed_error_log):
            if root is None:
                return [], True
            top = [*reversed(list(root.itersiblings(preceding=True))), root,
                   *root.itersiblings()]
            settle = settle or "&#" in html or _PRESERVED_RE.search(html) is not None
            if settle:
                for node in top:
                    if isinstance(node.tag, str):
                        _settle_texts(node)
            return top, settle
    builder = _TreeBuilder()
    events = etree.HTMLParser(target=builder, collect_ids=False)
    events.feed(html)
    return [events.close()], True


class _TreeBuilder:
    """Builds a document from libxml2's parser events, as BeautifulSoup did (:func:`_parse`).

    The top-level nodes go into one ``x-document`` element (lxml allows no
    second root).  Each text is settled as BeautifulSoup settled it
    (:func:`_settled`), and two texts that come to stand side by side (a
    ``<!DOCTYPE>`` between them) stay apart, as they did.  lxml's setters
    validate what libxml2's builder does not: a tag name like ``o:p``
    becomes ``x-invalid`` (an unknown element, dissolved like the original
    would be), attributes with such names go, and control characters in
    attribute values go (see :meth:`start`).
    """

    def __init__(self) -> None:
        self.document: Element = etree.Element("x-document")
        self._open: list[Element] = [self.document]
        self._last: Element | None = None  # the last closed child of the open element
        self._data: list[str] = []
        self._preserved = 0  # open <pre> and <textarea> elements

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self._flush()
        try:
            element = etree.Element(tag)
        except ValueError:
            element = etree.Element("x-invalid")
        for name, value in attrib.items():
            if _CONTROL_RE.search(value):
                if name in ("href", "src"):
                    continue  # refused either way
                # alt loses them either way; elsewhere they only make a value
                # unlike any the rules look for, as U+FFFD does.
                value = _CONTROL_RE.sub("" if name == "alt" else "\ufffd", value)
            try:
                element.set(name, value)
            except ValueError:
                continue
        self._open[-1].append(element)
        self._open.append(element)
        self._last = None
        if element.tag in _PRESERVED:
            self._preserved += 1

    def end(self, tag: str) -> None:
        self._flush()
        if len(self._open) > 1:
            self._last = self._open.pop()
            if self._last.tag in _PRESERVED:
                self._preserved -= 1

    def data(self, data: str) -> None:
        self._data.append(data)

    def comment(self, text: str) -> None:
        self._flush()
        if "--" in text or text.endswith("-"):
            text = ""  # lxml refuses it; no marker looks like that
        comment = etree.Comment(text)
        self._open[-1].append(comment)
        self._last = comment

    def pi(self, target: str, data: str | None = None) -> None:
        self.comment("")  # removed with every comment

    def doctype(self, *args: object) -> None:
        self._flush()

    def close(self) -> Element:
        self._flush()
        return self.document

    def _flush(self) -> None:
        """Put the text read since the last event in its place."""
        if not self._data:
            return
        text = _settled("".join(self._data), self._preserved > 0)
        self._data = []
        if not text or len(self._open) == 1:
            return  # nothing, or text outside the <html> element
        parent, owner = self._open[-1], self._last
        before = parent.text if owner is None else owner.tail
        if before:  # (a <!DOCTYPE> stood between them): kept apart, as they were
            boundary = etree.SubElement(parent, _DISSOLVED)
            boundary.tail = text
            self._last = boundary
        elif owner is None:
            parent.text = text
        else:
            owner.tail = text


def _body(top: list[Element]) -> Element | None:
    """The first ``<body>`` of the document, as BeautifulSoup's ``soup.body``.

    (libxml2 puts it in ``<html>``: looked for there first.)
    """
    for node in top:
        if isinstance(node.tag, str):
            for child in node:
                if child.tag == "body":
                    return child
            if (body := next(node.iter("body"), None)) is not None:
                return body
    return None


#: BeautifulSoup's white space: a text of only these is read as one space or newline...
_BS4_SPACES = " \n\t\x0c\r"
#: ... except inside these.
_PRESERVED: frozenset[str] = frozenset({"pre", "textarea"})


def _settle_texts(root: Element) -> None:
    """Settle every text of ``root`` as BeautifulSoup did (:func:`_settled`)."""
    preserved = {d for p in root.iter(*_PRESERVED) for d in p.iter()}
    for element in root.iter():
        if isinstance(element.tag, str) and element.text:
            element.text = _settled(element.text, element in preserved) or None
        if element.tail:
            element.tail = _settled(element.tail, element.getparent() in preserved) or None


def _settled(text: str, preserved: bool) -> str:
    """A text as BeautifulSoup left it for the rules: only white space (outside
    ``<pre>`` and ``<textarea>``) is one space, or one newline if it holds one
    (``a<span>  </span>b`` is ``a b``, as it always was), and control
    characters from character references (``&#1;``) go."""
    if not preserved and not text.strip(_BS4_SPACES):
        return _collapsed(text)
    return _CONTROL_RE.sub("", text)


def _collapsed(text: str) -> str:
    return "\n" if "\n" in text else " "


def _is_blank(text: str) -> bool:
    """Only white space, as BeautifulSoup counted it (ASCII only)."""
    return not text.strip(_BS4_SPACES)


def _has_text(text: str | None) -> bool:
    return bool(text and text.strip())


def _keeps_apart(before: str | None, after: str) -> bool:
    """Whether two texts that come to stand side by side must stay apart.

    BeautifulSoup kept them as two strings.  White space alone in a list or
    a table's structure goes as a whole string (``<ol> <x hidden></x>k</ol>``
    is ``<ol>k</ol>``), and a string of white space only is one space or
    newline (:func:`_settled`, done as late as :func:`_settle_white_space`).
    lxml would join them into one text, so an empty element (which nh3
    drops) stays between them unless both are more than white space, or
    both are white space other than ASCII.
    """
    if not before:
        return False
    if _has_text(before) != _has_text(after):
        return True
    return _is_blank(before) or _is_blank(after)


def _remove(element: Element) -> None:
    """Remove ``element`` with its content; the text after it (its tail) stays in place.

    (lxml's ``remove`` takes the tail along.)
    """
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    if tail:
        previous = element.getprevious()
        before = parent.text if previous is None else previous.tail
        if _keeps_apart(before, tail):
            boundary = etree.Element(_DISSOLVED)
            boundary.tail = tail
            parent.replace(element, boundary)  # each keeps its own tail
            return
        if previous is None:
            parent.text = (before or "") + tail
        else:
            previous.tail = (before or "") + tail
    parent.remove(element)


def _put_text_before(element: Element, text: str | None) -> None:
    """Put ``text`` right before ``element``: into the previous sibling's tail or
    the parent's text, or behind a boundary (:func:`_keeps_apart`)."""
    if not text:
        return
    previous = element.getprevious()
    parent = element.getparent()
    if parent is None:
        return
    before = parent.text if previous is None else previous.tail
    if _keeps_apart(before, text):
        boundary = etree.Element(_DISSOLVED)
        boundary.tail = text
        element.addprevious(boundary)
    elif previous is None:
        parent.text = (before or "") + text
    else:
        previous.tail = (before or "") + text


def _get(slot: Slot) -> str | None:
    owner, is_tail = slot
    return owner.tail if is_tail else owner.text


def _set(slot: Slot, text: str | None) -> None:
    owner, is_tail = slot
    if is_tail:
        owner.tail = text
    else:
        owner.text = text


def _flat_items(container: Element) -> list[Element | tuple[Element, bool, str]]:
    """What ``container`` holds as the sanitiser will leave it, in order: kept
    elements, and the non-empty texts around them as ``(owner, is_tail, text)``;
    dissolved elements (outside the allow-list) are replaced by their content."""
    items: list[Element | tuple[Element, bool, str]] = []
    if container.text:
        items.append((container, False, container.text))
    stack = [(container, iter(container))]
    while stack:
        owner, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if stack and owner.tail:
                items.append((owner, True, owner.tail))
            continue
        if child.tag in ALLOWED_TAGS:
            items.append(child)
            if child.tail:
                items.append((child, True, child.tail))
        else:
            if child.text:
                items.append((child, False, child.text))
            stack.append((child, iter(child)))
    return items


class _NoncharacterSwap:
    """U+FFFE and U+FFFF are text to HTML parsers but lxml refuses to set them.

    They are swapped for private use characters the body does not hold
    before parsing, and back in the serialised result.
    """

    def __init__(self, html: str) -> None:
        self.hidden: dict[int, str] = {}
        self.shown: dict[int, str] = {}
        if "\ufffe" not in html and "\uffff" not in html:
            return
        stand_ins = (chr(c) for c in range(0xE000, 0xF900) if chr(c) not in html)
        for character, stand_in in zip("\ufffe\uffff", stand_ins, strict=False):
            self.hidden[ord(character)] = stand_in
            self.shown[ord(stand_in)] = character

    def hide(self, html: str) -> str:
        return html.translate(self.hidden) if self.hidden else html

    def show(self, html: str) -> str:
        return html.translate(self.shown) if self.shown else html


#: libxml2's HTML serialiser percent-encodes these characters in ``href`` and
#: ``src`` (white space, controls, all that is not ASCII); nh3 would keep that.
_URL_ESCAPED_RE = re.compile(r"[^\x21-\x7e]")
#: Stands in for such a URL while libxml2 serialises; random, so no body holds it.
_URL_TOKEN = f"newscrawl-url-{secrets.token_hex(8)}-"


def _serialize_contents(body: Element) -> str:
    """The HTML of what ``body`` holds.

    libxml2 writes every URL as it is except for the characters it
    percent-encodes (:data:`_URL_ESCAPED_RE`): such a URL is written through
    a stand-in, so nh3 reads the same URL BeautifulSoup wrote.
    """
    for item in body.iter("li"):
        if item.text is None and len(item) == 0:
            item.text = ""  # else libxml2 writes <li> without </li>, as it may
    urls: list[str] = []
    for element in body.iter("a", "img"):
        for name in ("href", "src"):
            url = element.get(name)
            if url is not None and _URL_ESCAPED_RE.search(url):
                element.set(name, f"{_URL_TOKEN}{len(urls)}")
                urls.append(url)
    body.attrib.clear()
    html = etree.tostring(body, encoding=str, method="html", with_tail=False)
    html = html.removeprefix("<body>").removesuffix("</body>")
    for index in reversed(range(len(urls))):  # 10 before 1
        html = html.replace(
            f'"{_URL_TOKEN}{index}"', f'"{html_lib.escape(urls[index], quote=True)}"'
        )
    return html


# --- The pipeline -------------------------------------------------------------

class CleanHtmlPipeline:
    """Cleans ``body`` with :func:`clean_html`; drops articles left with nothing to show."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CleanHtmlPipeline:
        return cls()

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        body = adapter.get("body")
        cleaned = clean_html(body) if isinstance(body, str) else ""
        if not has_visible_content(cleaned):
            raise DropItem("empty body after cleaning")
        adapter["body"] = cleaned
        return item
