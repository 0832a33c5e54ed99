"""What the archive keeps of a body (the allow-list), enforced by nh3.

nh3, an allow-list sanitiser, re-parses the pruned body with an HTML5
parser and guarantees that no tag, attribute or URL scheme outside the
allow-list survives, whatever the pruning missed.
"""

from __future__ import annotations

import html as html_lib

import nh3

from newscrawl.cleaning.elements import NON_CONTENT_TAGS
from newscrawl.sources.eastmoney import JUNK_TAGS, KEPT_CLASSES

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


def _keep_protocol_relative(url: str) -> str | None:
    """nh3 ``url_relative`` rule: of the URLs without a scheme only ``//host/…`` stays."""
    return url if url.startswith("//") else None


CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=set(JUNK_TAGS | NON_CONTENT_TAGS),
    attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
    allowed_classes={tag: set(names) for tag, names in KEPT_CLASSES.items()},
    url_schemes=set(ALLOWED_URL_SCHEMES),
    url_relative=_keep_protocol_relative,
    link_rel=None,
    strip_comments=True,
)


def sanitiser_keeps_url(url: str) -> bool:
    """Whether nh3 keeps this URL: its URL parser is stricter than any check here
    (``http://exa mple/`` fails it), and both steps must agree on every link."""
    probe = CLEANER.clean(f'<img src="{html_lib.escape(url, quote=True)}">')
    return "src=" in probe
