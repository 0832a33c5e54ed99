"""What HTML elements are, as far as cleaning is concerned (not site-specific).

The source's own junk is in :mod:`newscrawl.sources.eastmoney`; this is
generic knowledge of HTML: which elements never hold article text, which
are blocks, what an HTML5 parser (nh3's) rearranges.
"""

from __future__ import annotations

#: Elements that never hold article text: removed with their content.  Some
#: are raw-text elements (``xmp``, ``textarea``...) whose content the two
#: parsers read differently, so neither may see them; the MathML token
#: elements (``mi``...) and ``desc`` are elements whose content nh3 drops
#: even outside ``<math>``/``<svg>``.
NON_CONTENT_TAGS: frozenset[str] = frozenset(
    {"head", "title", "meta", "link", "base", "template", "textarea", "select", "option",
     "button", "input", "keygen", "hr", "col", "colgroup", "map", "area", "param", "source",
     "track", "audio", "video", "canvas", "math", "applet", "frame", "frameset", "noembed",
     "noframes", "xmp", "plaintext", "image", "dialog",
     "mi", "mo", "mn", "ms", "mtext", "mglyph", "malignmark", "annotation-xml", "desc"}
)

#: Block wrappers the archive does not keep: each becomes a ``<p>`` when it holds
#: only inline content (``<center><img></center>`` -> ``<p><img></p>``), and is
#: dissolved into its content otherwise.
BLOCK_WRAPPERS: frozenset[str] = frozenset(
    {"div", "center", "section", "article", "aside", "header", "footer", "main", "nav",
     "figure", "figcaption", "address", "details", "summary", "fieldset", "legend",
     "dl", "dt", "dd", "hgroup", "menu", "dir", "pre", "listing", "search"}
)

#: Start tags that make an HTML5 parser close an open ``<p>``.
P_CLOSERS: frozenset[str] = frozenset(
    {"address", "article", "aside", "blockquote", "center", "details", "dialog", "dir",
     "div", "dl", "fieldset", "figcaption", "figure", "footer", "header", "hgroup", "main",
     "menu", "nav", "ol", "p", "search", "section", "summary", "ul", "h1", "h2", "h3", "h4",
     "h5", "h6", "pre", "listing", "form", "plaintext", "table", "hr", "xmp", "li", "dd",
     "dt"}
)

#: Kept elements that must not contain a block (it would be split off by an
#: HTML5 parser): dissolved into their content when they do.
INLINE_ONLY: frozenset[str] = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "a", "strong", "b", "em", "i"}
)

#: What each part of a table may hold directly; an HTML5 parser moves
#: anything else out, in front of the table ("foster parenting").
TABLE_CHILDREN: dict[str, frozenset[str]] = {
    "table": frozenset({"caption", "thead", "tbody", "tfoot", "tr", "td", "th"}),
    "thead": frozenset({"tr", "td", "th"}),
    "tbody": frozenset({"tr", "td", "th"}),
    "tfoot": frozenset({"tr", "td", "th"}),
    "tr": frozenset({"td", "th"}),
}

#: Where each table part may stand; elsewhere an HTML5 parser ignores its tag
#: (a ``<td>`` outside a table) or moves it (a ``<td>`` inside a list in a cell).
TABLE_PART_PARENTS: dict[str, frozenset[str]] = {
    "caption": frozenset({"table"}),
    "thead": frozenset({"table"}),
    "tbody": frozenset({"table"}),
    "tfoot": frozenset({"table"}),
    "tr": frozenset({"table", "thead", "tbody", "tfoot"}),
    "td": frozenset({"table", "thead", "tbody", "tfoot", "tr"}),
    "th": frozenset({"table", "thead", "tbody", "tfoot", "tr"}),
}

#: Containers whose white space between children is never content.
STRUCTURE_CONTAINERS: frozenset[str] = frozenset(
    {"ul", "ol", "table", "thead", "tbody", "tfoot", "tr"}
)

#: Containers of blocks: white space next to a block, or at their edges, is dropped.
FLOW_CONTAINERS: frozenset[str] = frozenset({"body", "blockquote", "li", "td", "th", "caption"})

#: Kept elements that are blocks, for the white space rule.
BLOCKS: frozenset[str] = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote",
     "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td"}
)

#: Elements that may stand at the top level of a body.  Text or inline
#: elements there would leave the post's Markdown with a line that Kramdown
#: reads as Markdown, escaping the HTML that follows it on the line.
TOP_LEVEL_BLOCKS: frozenset[str] = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "blockquote", "table"}
)

#: Inline elements that may stand at the top level until :func:`wrap_inline_runs`.
TOP_LEVEL_INLINE: frozenset[str] = frozenset({"a", "b", "strong", "em", "i", "br", "img"})

#: What may stand at the top level after :func:`wrap_inline_runs`.
TOP_LEVEL: frozenset[str] = TOP_LEVEL_INLINE | TOP_LEVEL_BLOCKS

#: Elements whose white space BeautifulSoup kept as it was.
PRESERVED: frozenset[str] = frozenset({"pre", "textarea"})

#: HTML5's void elements (legacy ones included): they never hold content.
VOID_TAGS: frozenset[str] = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
     "track", "wbr", "basefont", "bgsound", "frame", "keygen", "param", "image", "isindex"}
)

#: Void elements that libxml2, an HTML 4 parser, does not know to be empty:
#: it makes what follows one of them its content.
LIBXML2_NESTING_VOIDS: frozenset[str] = frozenset(
    {"embed", "source", "track", "wbr", "bgsound", "keygen", "image"}
)

#: Elements whose content libxml2 reads as text up to their end tag, tags included.
RAW_TEXT_TAGS: frozenset[str] = frozenset(
    {"script", "style", "iframe", "textarea", "xmp", "title", "noembed", "noframes", "plaintext"}
)

#: Elements whose end tag may be left out: the next one (or their parent's end) closes them.
OPTIONAL_END_TAGS: frozenset[str] = frozenset(
    {"html", "head", "body", "p", "li", "dt", "dd", "option", "optgroup", "colgroup", "caption",
     "thead", "tbody", "tfoot", "tr", "td", "th", "rb", "rt", "rtc", "rp"}
)
