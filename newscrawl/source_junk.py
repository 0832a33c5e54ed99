"""What the source's article HTML carries that does not belong in the archive.

Site knowledge, as data: every pattern here was seen in bodies of the
source's articles (see SOURCE.md §3).  :mod:`newscrawl.pipelines.clean` reads
these constants and holds no site patterns of its own.  They are meant to be
folded into :mod:`newscrawl.source`, the single home of site knowledge.
"""

from __future__ import annotations

#: Comments that open and close a stock chart block inserted by the editor:
#: ``<!-- EM_StockImg_Start --><p><a class="EmImageRemark"><img K-line></a></p>
#: <!-- EM_StockImg_End -->``.  Everything between them, markers included, goes.
STOCK_IMG_START_MARKER = "EM_StockImg_Start"
STOCK_IMG_END_MARKER = "EM_StockImg_End"

#: Elements removed together with everything inside them (CSS selectors).
JUNK_SELECTORS: tuple[str, ...] = (
    # Quote widget: a link to the stock's quote page wrapped around its K-line
    # chart, also found outside the EM_StockImg markers.
    ".EmImageRemark",
    # The K-line / quote chart pictures themselves (``GetPic.aspx?nid=…&imageType=k``).
    'img[src*="GetPic.aspx"]',
    # Empty placeholders that the site's JavaScript fills with a live quote.
    'span[id^="quote_"]',
)

#: Keyword links: the stock, sector and data-topic links the source's editor
#: puts around words.  The element goes, its words stay as plain text.
KEYWORD_SELECTORS: tuple[str, ...] = (
    # ``<a class="keytip" data-code="1,600000">某公司</a>``: link to a stock's quote.
    "a.keytip",
    # ``<a class="infokey">业绩</a>``: link to a data topic.
    "a.infokey",
    # ``<span web="1" href=… class="em_stock_key_common">某板块</span>``: a sector.
    "span.em_stock_key_common",
    # ``<span id="stock_1.600000">``: wrapper of a stock's keytip link.
    'span[id^="stock_"]',
    # ``<span id="Info.3321">``: wrapper of an infokey link.
    'span[id^="Info."]',
)

#: Elements removed with their content wherever they appear in a body: code,
#: embedded players and widgets, never article text.
JUNK_TAGS: frozenset[str] = frozenset(
    {"script", "style", "iframe", "form", "object", "embed", "svg", "noscript"}
)

#: Inline style declarations that hide an element, as (property, value); an
#: element hidden so (``<p style="display:none;height:1px">``) goes entirely.
HIDDEN_STYLES: tuple[tuple[str, str], ...] = (
    ("display", "none"),
    ("visibility", "hidden"),
)

#: Attributes whose mere presence hides an element.
HIDDEN_ATTRIBUTES: tuple[str, ...] = ("hidden",)

#: The only classes kept, per tag: the source line ``<p class="em_media">（文章来源：…）</p>``.
KEPT_CLASSES: dict[str, frozenset[str]] = {"p": frozenset({"em_media"})}

#: Characters the editor indents paragraphs with, stripped at the start of a
#: paragraph: ideographic space (U+3000, ``　　``), no-break space, ordinary white space.
INDENT_CHARS = "\u3000\u00a0 \t\r\n\f"
