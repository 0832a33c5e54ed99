"""Article bodies: prune the source's junk, then sanitise what is left.

Two steps, each with the tool made for it:

1. BeautifulSoup (lxml parser) removes what :mod:`newscrawl.source`
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
lxml (libxml2, an HTML 4 parser) accepts nestings that an HTML5 parser
rearranges, for example a ``<div>`` inside a ``<p>``, which HTML5 splits
into ``<p></p>`` pieces.  Step 1 therefore only hands nh3 structures HTML5
keeps as they are: block wrappers become paragraphs or are dissolved, and a
paragraph, heading, link or bold/italic element that would contain a block
is dissolved into its content.

All tree walks are loops, not recursion: bodies nested thousands of levels
deep are cleaned without hitting Python's recursion limit.
"""

from __future__ import annotations

import html as html_lib
import re
import warnings
from collections.abc import Iterator
from typing import Any

import nh3
import soupsieve
from bs4 import (
    BeautifulSoup,
    Comment,
    MarkupResemblesLocatorWarning,
    NavigableString,
    PageElement,
    Tag,
)
from bs4.element import PreformattedString
from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from newscrawl.source import (
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

# --- What the archive keeps (the allow-list) ---------------------------------

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

# --- Generic HTML knowledge (not site-specific) --------------------------------

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
#: renaming is O(1) where unwrapping in BeautifulSoup costs O(depth), and nh3
#: drops the tag of every element outside the allow-list.
_DISSOLVED = "span"

# C0 controls other than tab, newline and carriage return, and the byte order
# mark: not text of an article, and libxml2 and html5ever treat them differently.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufeff]")
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
_JUNK = soupsieve.compile(", ".join(JUNK_SELECTORS))
_KEYWORDS = soupsieve.compile(", ".join(KEYWORD_SELECTORS))


def clean_html(html: str) -> str:
    """The archive's version of an article body: junk pruned, then sanitised.

    Pure and idempotent; an already clean body comes out unchanged.
    """
    text = html.encode("utf-8", "replace").decode("utf-8")  # lone surrogates
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


# --- Step 3: no text outside a block ----------------------------------------------

#: Elements that may stand at the top level of a body.  Text or inline
#: elements there would leave the post's Markdown with a line that Kramdown
#: reads as Markdown, escaping the HTML that follows it on the line.
_TOP_LEVEL_BLOCKS: frozenset[str] = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "blockquote", "table"}
)
_VOID_TAGS: frozenset[str] = frozenset({"br", "img"})
_TOP_LEVEL_INLINE: frozenset[str] = frozenset({"a", "b", "strong", "em", "i", "br", "img"})
_IMG_RE = re.compile(r"<img\b", re.IGNORECASE)
_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*>")


def _has_top_level_inline(html: str) -> bool:
    """Whether sanitised ``html`` has text or an inline element outside any block.

    A cheap scan of nh3's well-formed output; a false alarm only costs the
    exact (parsing) pass of ``_wrap_inline_runs``.
    """
    depth = 0
    position = 0
    for match in _TAG_RE.finditer(html):
        if depth == 0 and html[position:match.start()].strip():
            return True
        closing, name = match.group(1), match.group(2).lower()
        if closing:
            depth = max(depth - 1, 0)
        elif name in _VOID_TAGS:
            if depth == 0:
                return True
        else:
            if depth == 0 and name not in _TOP_LEVEL_BLOCKS:
                return True
            depth += 1
        position = match.end()
    return depth == 0 and bool(html[position:].strip())


def _wrap_inline_runs(html: str) -> str:
    """Each run of top-level text and inline elements becomes a paragraph.

    A run that shows nothing (white space, a lone ``<br>``) is dropped, as an
    empty paragraph would be.
    """
    soup = _parse(html)
    body = soup.body
    if body is None:
        return html
    # A stray list item or table part at the top level is no block of its
    # own: an HTML5 parser would close the paragraph around it.  Its content stays.
    while stray := [n for n in body.children if isinstance(n, Tag)
                    and n.name not in _TOP_LEVEL_INLINE | _TOP_LEVEL_BLOCKS]:
        for node in stray:
            node.unwrap()
    run: list[PageElement] = []

    def close_run(before: PageElement | None) -> None:
        if not run:
            return
        shows = any(
            (isinstance(node, Tag) and (node.name == "img" or node.find("img") is not None))
            or _has_text(node.get_text() if isinstance(node, Tag) else str(node))
            for node in run
        )
        if shows:
            paragraph = soup.new_tag("p")
            if before is None:
                body.append(paragraph)
            else:
                before.insert_before(paragraph)
            for node in run:
                paragraph.append(node.extract())
            _strip_indentation(paragraph)
        else:
            for node in run:
                node.extract()
        run.clear()

    for node in list(body.children):
        if isinstance(node, Tag) and node.name in _TOP_LEVEL_BLOCKS:
            close_run(node)
        elif isinstance(node, NavigableString) and not isinstance(node, Comment) \
                and not run and not _has_text(node):
            continue  # white space between blocks
        else:
            run.append(node)
    close_run(None)
    return body.decode_contents()


# --- Step 1: pruning with BeautifulSoup ------------------------------------------


def _parse(html: str) -> BeautifulSoup:
    with warnings.catch_warnings():
        # A body that is just "http://..." is text here, not a mistaken URL argument.
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        return BeautifulSoup(html, "lxml")


def _prune(html: str) -> str:
    soup = _parse(html)
    _remove_stock_img_blocks(soup)
    body = soup.body
    if body is None:
        return ""
    _walk(body)
    _settle_blocks(body)
    _move_out_of_tables(body)
    _dissolve_stray_table_parts(body)
    for paragraph in body.find_all("p"):
        _strip_indentation(paragraph)
    _settle_white_space(body)
    return body.decode_contents()


def _has_text(text: str) -> bool:
    return bool(text.strip())


def _is_marker(node: PageElement, marker: str) -> bool:
    return isinstance(node, Comment) and node.strip().casefold() == marker.casefold()


def _remove_stock_img_blocks(soup: BeautifulSoup) -> None:
    """Remove each ``EM_StockImg_Start`` ... ``EM_StockImg_End`` block, markers included.

    The markers need not be siblings (lxml may put a leading comment before
    ``<body>``), so the block is everything between them in document order,
    less the end marker's ancestors.  A start without an end removes nothing
    but itself: better a stray chart than lost article text.
    """
    for start in soup.find_all(string=lambda s: _is_marker(s, STOCK_IMG_START_MARKER)):
        between: list[PageElement] = []
        end = None
        for node in start.next_elements:
            if _is_marker(node, STOCK_IMG_END_MARKER):
                end = node
                break
            between.append(node)
        if end is None:
            start.extract()
            continue
        keep = {id(ancestor) for ancestor in end.parents}
        removed: set[int] = set()
        doomed: list[PageElement] = [start, end]
        for node in between:
            if node.parent is not None and id(node.parent) in removed:
                removed.add(id(node))  # goes with its parent
            elif id(node) not in keep:
                removed.add(id(node))
                doomed.append(node)
        for node in doomed:
            node.extract()


def _is_hidden(tag: Tag) -> bool:
    if any(tag.has_attr(name) for name in HIDDEN_ATTRIBUTES):
        return True
    style = tag.get("style")
    if not isinstance(style, str):
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


def _acceptable_url(value: object, *, protocol_relative: bool) -> str | None:
    """The URL as a browser would read it, if it is http(s); else ``None``."""
    if not isinstance(value, str):
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


def _dissolve(tag: Tag) -> None:
    tag.name = _DISSOLVED
    tag.attrs = {}


def _kept_attributes(tag: Tag) -> dict[str, Any]:
    kept_classes = KEPT_CLASSES.get(tag.name)
    if not kept_classes:
        return {}
    classes = tag.get("class") or []
    if isinstance(classes, str):
        classes = classes.split()
    wanted = [name for name in classes if name in kept_classes]
    return {"class": wanted} if wanted else {}


def _walk(body: Tag) -> None:
    """Top-down pass: remove junk, dissolve keyword links, vet links, pictures, attributes."""
    junk = _JUNK.select(body)
    keywords = _KEYWORDS.select(body)
    junk_ids = {id(tag) for tag in junk}
    keyword_ids = {id(tag) for tag in keywords}
    # (element, inside a link)
    stack: list[tuple[Tag, bool]] = [(body, False)]
    while stack:
        parent, in_link = stack.pop()
        for child in list(parent.children):
            if isinstance(child, PreformattedString):  # comments, CDATA, doctypes...
                child.extract()
                continue
            if not isinstance(child, Tag):
                if _CONTROL_RE.search(child):  # from character references: &#1;
                    child.replace_with(NavigableString(_CONTROL_RE.sub("", child)))
                continue
            if (
                child.name in JUNK_TAGS
                or child.name in _NON_CONTENT_TAGS
                or id(child) in junk_ids
                or _is_hidden(child)
            ):
                child.extract()
                continue
            if id(child) in keyword_ids:
                _dissolve(child)
            if child.name == "a":
                href = _acceptable_url(child.get("href"), protocol_relative=False)
                if href is None or in_link:  # nested links would be split by HTML5
                    _dissolve(child)
                else:
                    child.attrs = {"href": href}
            elif child.name == "img":
                src = _acceptable_url(child.get("src"), protocol_relative=True)
                if src is None:
                    child.extract()
                    continue
                alt = child.get("alt")
                child.attrs = {"src": src}
                if isinstance(alt, str):
                    child.attrs["alt"] = _CONTROL_RE.sub("", alt)
            else:
                child.attrs = _kept_attributes(child)
            stack.append((child, in_link or child.name == "a"))


def _settle_blocks(body: Tag) -> None:
    """Bottom-up pass: turn wrappers into paragraphs, dissolve what HTML5 would split,
    drop paragraphs and links that show nothing."""
    shows: dict[int, bool] = {}  # text or a picture somewhere inside
    blocky: dict[int, bool] = {}  # is or holds an element that closes an open <p>
    elements = [node for node in body.descendants if isinstance(node, Tag)]
    for tag in reversed(elements):  # every element after all of its descendants
        has_content = False
        holds_block = False
        for child in tag.children:
            if isinstance(child, Tag):
                has_content = has_content or shows[id(child)]
                holds_block = holds_block or blocky[id(child)]
            elif _has_text(child):
                has_content = True
        if tag.name in _BLOCK_WRAPPERS:
            tag.name = _DISSOLVED if holds_block else "p"
            tag.attrs = {}
        elif tag.name in _INLINE_ONLY and holds_block:
            _dissolve(tag)
        has_content = has_content or tag.name == "img"
        if not has_content and tag.name in ("p", "a"):
            tag.extract()
            continue
        shows[id(tag)] = has_content
        blocky[id(tag)] = holds_block or tag.name in _P_CLOSERS


def _move_out_of_tables(body: Tag) -> None:
    """Move stray content of a table's structure in front of the table, as HTML5 does.

    Text or a paragraph directly inside ``<table>`` or ``<tr>`` is not where
    an HTML5 parser leaves it: moving it here first keeps the white space
    rules below working on the tree nh3 will see.
    """
    for table in body.find_all("table"):
        parts = [table]
        while parts:
            part = parts.pop()
            for node in list(_flat_children(part)):
                if isinstance(node, Tag) and node.name in _TABLE_CHILDREN[part.name]:
                    if node.name in _TABLE_CHILDREN:
                        parts.append(node)
                elif isinstance(node, NavigableString) and not _has_text(node):
                    node.extract()
                else:
                    table.insert_before(node.extract())


def _kept_parent(node: PageElement) -> Tag | None:
    """The nearest ancestor that nh3 keeps (dissolved elements are not)."""
    parent = node.parent
    while parent is not None and parent.name not in ALLOWED_TAGS and parent.name != "body":
        parent = parent.parent
    return parent


def _dissolve_stray_table_parts(body: Tag) -> None:
    """Dissolve cells, rows and sections that do not stand where a table part may."""
    for tag in body.find_all(list(_TABLE_PART_PARENTS)):  # parents before children
        parent = _kept_parent(tag)
        if parent is None or parent.name not in _TABLE_PART_PARENTS[tag.name]:
            _dissolve(tag)


def _strip_indentation(paragraph: Tag) -> None:
    """Remove ``　　``-style indentation from the start of a paragraph's text."""
    for node in list(paragraph.descendants):
        if isinstance(node, Tag):
            if node.name in ("br", "img"):
                return
            continue
        stripped = node.lstrip(INDENT_CHARS)
        if stripped:
            if stripped != node:
                node.replace_with(NavigableString(stripped))
            return
        node.extract()


def _flat_children(container: Tag) -> Iterator[PageElement]:
    """Children as the sanitiser will leave them: dissolved elements replaced by their content."""
    stack: list[PageElement] = list(reversed(container.contents))
    while stack:
        node = stack.pop()
        if isinstance(node, Tag) and node.name not in ALLOWED_TAGS:
            stack.extend(reversed(node.contents))
        else:
            yield node


def _settle_white_space(body: Tag) -> None:
    """Put white space between elements in the one form that parsing it again keeps.

    Works on runs of adjacent text nodes (adjacent once dissolved elements
    are gone, as nh3 will leave them):

    - in flow containers (the top level, blockquote, li, cells), white space
      next to a block or to the container's edge is the source's layout,
      not content: it goes (a run of white space only goes entirely);
    - inside lists and table structure every white space node goes (an HTML5
      parser moves text out of tables but leaves white space in place);
    - any other run of only ASCII white space becomes one space, or one
      newline if it holds one: BeautifulSoup does exactly that to such a
      string when it parses, so a longer run would not survive a second pass.

    (libxml2 itself drops white space at the start of the body, which the
    first rule covers.)
    """
    containers = [body, *(tag for tag in body.find_all(True) if tag.name in ALLOWED_TAGS)]
    for container in containers:
        if container.name in _STRUCTURE_CONTAINERS:
            for node in list(_flat_children(container)):
                if isinstance(node, NavigableString) and not _has_text(node):
                    node.extract()
            continue
        flow = container is body or container.name in _FLOW_CONTAINERS
        before: PageElement | None = None
        run: list[NavigableString] = []
        for node in [*_flat_children(container), None]:
            if isinstance(node, NavigableString):
                run.append(node)
                continue
            if run:
                _settle_run(run, flow and _is_block_edge(before), flow and _is_block_edge(node))
            run = []
            before = node


def _is_block_edge(side: PageElement | None) -> bool:
    """Whether text next to ``side`` (``None``: the container's edge) ends at a block."""
    return side is None or (isinstance(side, Tag) and side.name in _BLOCKS)


def _settle_run(run: list[NavigableString], block_before: bool, block_after: bool) -> None:
    original = "".join(run)
    text = original
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
    for node in run[1:]:
        node.extract()
    if text:
        run[0].replace_with(NavigableString(text))
    else:
        run[0].extract()


# --- The pipeline ----------------------------------------------------------------


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
