"""Everything newscrawl knows about the source site, in one place.

Spiders and pipelines ask this module; they do not know the source's URL
patterns or JSON field names themselves.  See ``../shared/SOURCE.md`` §2.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit, urlunsplit

from newscrawl.items import EMNEWS, Channel

#: An article code becomes a file name: nothing may escape the archive.
CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

SHARE_PATH = "/html_News/NewsShare.html"
ARTICLE_PATH = "/NewsData/GetNewsText.do"
SHARE_QUERY_KEY = "infoCode"
ARTICLE_QUERY_KEY = "id"

#: JSON field names of the article endpoint, in order of preference.
TITLE_FIELDS = ("title",)
DATE_FIELDS = ("showtime", "datetime", "showTime")
MEDIA_FIELDS = ("medianame", "mediaName", "from")
BODY_FIELDS = ("text", "content")
DIGEST_FIELDS = ("digest",)

#: List feeds: the key holding the entries, and the entry keys naming the code.
FEED_LIST_KEYS = ("records", "nodeList", "record")
FEED_CODE_FIELDS = ("infoCode", "infocode", "id")
#: Paths of the list feeds (``…/web/webapi?type=102``, ``…/newmarket/web/webapi``).
FEED_PATH_RE = re.compile(r"/web/webapi$")

#: The rolling-news list (``…/web/webapi?type=102``, entries under ``records``).  Each
#: entry names its own post by ``id`` (digits) and carries the ``digest`` the post
#: quotes and ``url_w``, the article's page on the source's main site, that it links.
ROLLING_NEWS_FEED_TYPE = "102"
ROLLING_NEWS_LIST_KEY = "records"
ROLLING_NEWS_ID_FIELDS = ("id",)
ROLLING_NEWS_DIGEST_FIELDS = ("digest",)
ROLLING_NEWS_LINK_FIELDS = ("url_w",)
_ENTRY_ID_RE = re.compile(r"^\d{1,64}$")

CATEGORY_PATH_RE = re.compile(r"^/category/[^/]+\.html$")
#: Archive post pages: at Jekyll's default permalink, ``/<category>/YYYY/MM/DD/<name>.html``
#: (the category may be several folders, or none in archives of older newscrawl), and
#: the pages Jekyll made of posts moved to ``old_post/``, ``/old_post/YYYY-MM-DD-<name>.html``.
POST_PATH_RE = re.compile(
    r"^(?P<category>(?:/[^/]+)*)/\d{4}/\d{2}/\d{2}/(?P<name>[^/]+)\.html$"
    r"|^/old_post/\d{4}-\d{2}-\d{2}-(?P<old_name>[^/]+)\.html$"
)
#: The category of rolling-news posts: named by a list entry's id, not an article code,
#: and without a share link in their body.
ROLLING_NEWS_CATEGORY = EMNEWS
NEXT_PAGE_TEXTS = ("下一页",)
NEXT_PAGE_RELS = ("next",)
PAGE_QUERY_KEY = "page"
#: The source's home, as its share links name it (the demo crawls the replica as this host).
HOME_URL = "http://finews.zning.xyz/"
#: The list feeds (SOURCE.md §2), by their kind: path and query on the source's host.
FEED_PATHS = {
    "102": "web/webapi?type=102&count=20",
    "45": "web/webapi?type=45&count=20",
    "37": "newmarket/web/webapi?marketType=37&count=20",
}
#: The source's own hosts: their share links are followed from any listing.
ARTICLE_HOSTS = ("finews.zning.xyz",)
#: The field of a feed entry holding the article's share link.
FEED_SHARE_URL_FIELDS = ("url_w",)


def first_field(data: Mapping[str, Any], names: tuple[str, ...]) -> Any:
    """The value of the first of ``names`` that ``data`` holds, empty strings skipped.

    Feeds fill different fields; one may carry an empty ``text`` beside the
    real body in ``content``.
    """
    for name in names:
        value = data.get(name)
        if value is not None and not (isinstance(value, str) and not value.strip()):
            return value
    return None


def _query_value(url: str, key: str) -> str | None:
    values = parse_qs(urlsplit(url).query).get(key)
    return values[0] if values else None


def is_share_url(url: str) -> bool:
    """True for ``…/html_News/NewsShare.html?infoCode=CODE``."""
    parts = urlsplit(url)
    return parts.path.endswith(SHARE_PATH) and bool(_query_value(url, SHARE_QUERY_KEY))


def code_from_share_url(url: str) -> str | None:
    """The article code of a share link, or None if ``url`` is not one."""
    if not urlsplit(url).path.endswith(SHARE_PATH):
        return None
    return _query_value(url, SHARE_QUERY_KEY)


def is_feed_url(url: str) -> bool:
    return bool(FEED_PATH_RE.search(urlsplit(url).path))


def is_category_url(url: str) -> bool:
    return bool(CATEGORY_PATH_RE.match(urlsplit(url).path))


def is_post_url(url: str) -> bool:
    return bool(POST_PATH_RE.match(urlsplit(url).path))


def is_rolling_news_post_url(url: str) -> bool:
    """A rolling-news post page (``/emnews/YYYY/MM/DD/<id>.html``): no share link in it."""
    match = POST_PATH_RE.match(urlsplit(url).path)
    return bool(match and match["category"] == f"/{ROLLING_NEWS_CATEGORY}")


def code_from_post_url(url: str) -> str | None:
    """The article code an archive post page is named after
    (``/<category>/YYYY/MM/DD/<code>.html``, ``/old_post/YYYY-MM-DD-<code>.html``),
    or None when its name is not a code (a rolling-news post is named by its entry)."""
    match = POST_PATH_RE.match(urlsplit(url).path)
    if match is None or is_rolling_news_post_url(url):
        return None
    code = match["name"] or match["old_name"]
    return code if is_valid_code(code) else None


def is_http_url(url: str) -> bool:
    """An absolute ``http(s)://host/…`` URL (not ``javascript:``, ``mailto:``, relative)."""
    parts = urlsplit(url)
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def is_article_host(url: str) -> bool:
    """True when ``url`` is on one of the source's own hosts (:data:`ARTICLE_HOSTS`)."""
    return (urlsplit(url).hostname or "") in ARTICLE_HOSTS


def page_number(url: str) -> int | None:
    """N of a listing's ``?page=N``, or None."""
    value = _query_value(url, PAGE_QUERY_KEY)
    return int(value) if value is not None and value.isdigit() else None


def listing_page_url(url: str) -> str:
    """The one URL of a listing page: no fragment, and page 1 is the listing itself.

    ``…/x.html?page=1`` and ``…/x.html`` are the same page, so a pagination
    loop back to the first page ends at whichever was asked first.
    """
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(k, v) for k, v in pairs if not (k == PAGE_QUERY_KEY and v.strip() == "1")]
    query = urlencode(kept) if len(kept) != len(pairs) else parts.query
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def is_next_page_link(url: str, text: str, rels: Collection[str], listing_url: str) -> bool:
    """Whether a link of listing ``listing_url`` leads to another page of it.

    ``rel="next"``, a text of 下一页, or ``?page=N`` on the listing's own path.
    """
    if any(rel in NEXT_PAGE_RELS for rel in rels):
        return True
    if any(marker in text for marker in NEXT_PAGE_TEXTS):
        return True
    return (
        page_number(url) is not None
        and urlsplit(url).path == urlsplit(listing_url).path
    )


def article_url(code: str, host_url: str) -> str:
    """The JSON endpoint of article ``code`` on the host of ``host_url``.

    ``host_url`` is any URL on that host (a share link, a feed, or a bare
    ``http://host``); its scheme and network location are kept.
    """
    parts = urlsplit(host_url)
    scheme = parts.scheme or "http"
    return f"{scheme}://{parts.netloc}{ARTICLE_PATH}?{urlencode({ARTICLE_QUERY_KEY: code})}"


def share_url(code: str, host_url: str) -> str:
    """The share link of article ``code`` on the host of ``host_url``."""
    parts = urlsplit(host_url)
    scheme = parts.scheme or "http"
    return f"{scheme}://{parts.netloc}{SHARE_PATH}?{urlencode({SHARE_QUERY_KEY: code})}"


def is_valid_code(code: object) -> bool:
    return isinstance(code, str) and bool(CODE_RE.match(code))


def feed_entries(data: Any) -> list[Mapping[str, Any]] | None:
    """The entries of a list feed answer, or None if ``data`` is not a feed."""
    if not isinstance(data, Mapping):
        return None
    for key in FEED_LIST_KEYS:
        entries = data.get(key)
        if isinstance(entries, list):
            return [e for e in entries if isinstance(e, Mapping)]
    return None


def feed_entry_code(entry: Mapping[str, Any]) -> str | None:
    """The article code named by a feed entry (its code field, or its share URL)."""
    for name in FEED_CODE_FIELDS:
        value = entry.get(name)
        if value not in (None, ""):
            return str(value)
    url = feed_entry_share_url(entry)
    return code_from_share_url(url) if url else None


def feed_entry_share_url(entry: Mapping[str, Any], code: str | None = None) -> str | None:
    """The share link a feed entry carries (of article ``code``, if given), or None."""
    for name in FEED_SHARE_URL_FIELDS:
        url = entry.get(name)
        if isinstance(url, str) and is_share_url(url.strip()):
            url = url.strip()
            if code is None or code_from_share_url(url) == code:
                return url
    return None


def is_rolling_news_feed(url: str, data: Any) -> bool:
    """Whether a list feed's answer is the rolling-news list (by its ``type``, or its shape)."""
    if _query_value(url, "type") == ROLLING_NEWS_FEED_TYPE:
        return True
    return isinstance(data, Mapping) and isinstance(data.get(ROLLING_NEWS_LIST_KEY), list)


def rolling_news_channel(entry: Mapping[str, Any], code: str) -> Channel | None:
    """What a rolling-news entry of article ``code`` says of its post, or None without an id.

    The post is named by the entry's ``id`` (digits); an entry without a usable
    one is named by the digits of the code, as the source numbers them.
    """
    entry_id = str(first_field(entry, ROLLING_NEWS_ID_FIELDS) or "").strip()
    if not _ENTRY_ID_RE.match(entry_id):
        entry_id = "".join(ch for ch in code if ch.isdigit())
        if not _ENTRY_ID_RE.match(entry_id):
            return None
    digest = first_field(entry, ROLLING_NEWS_DIGEST_FIELDS)
    link = first_field(entry, ROLLING_NEWS_LINK_FIELDS)
    link = link.strip() if isinstance(link, str) and is_http_url(link.strip()) else ""
    return Channel(EMNEWS, entry_id, digest if isinstance(digest, str) else "", link)


def article_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    """The article's fields from the JSON endpoint's answer, names normalised."""
    return {
        "title": first_field(data, TITLE_FIELDS),
        "raw_date": first_field(data, DATE_FIELDS),
        "media": first_field(data, MEDIA_FIELDS),
        "body": first_field(data, BODY_FIELDS),
        "digest": first_field(data, DIGEST_FIELDS),
    }


def unwrap_article_json(data: Any) -> Mapping[str, Any] | None:
    """The article object of an endpoint answer, or None when it holds none.

    Some feeds wrap the article (``{"data": {...}}``, ``{"Result": {...}}``);
    an empty object or an error object holds no article.
    """
    if not isinstance(data, Mapping):
        return None
    for key in ("data", "Data", "result", "Result", "news"):
        inner = data.get(key)
        if isinstance(inner, Mapping) and inner:
            data = inner
            break
    fields = article_fields(data)
    if all(value in (None, "") for value in fields.values()):
        return None
    return data


# --- Junk in article bodies (SOURCE.md §3) --------------------------------------
# What the source's article HTML carries that does not belong in the archive.
# Every pattern here was seen in bodies of the source's articles;
# newscrawl.cleaning reads these constants and holds no site patterns.

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
    # Promotion on current article pages: a link to the source's campaign
    # host (account opening, app download) around an advertising picture or
    # line, ``<a href="https://acttg.eastmoney.com/pub/…"><img …></a>``.
    'a[href*="acttg.eastmoney.com"]',
    # The advertising picture of current article pages, which the site's own
    # script lets a reader close: ``<img class="em_handle_adv_close" …>`` (the
    # class may sit on its wrapper too).
    ".em_handle_adv_close",
)

#: Paragraphs removed whole when the text they start with (indentation aside)
#: matches: the account-opening line at the top of current article pages,
#: ``<p>　　在东方财富看资讯行情，选东方财富证券一站式开户交易&gt;&gt;</p>``.
JUNK_PARAGRAPH_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"在东方财富看资讯行情[^。]{0,40}开户"),
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
#: paragraph: ideographic space (U+3000, ``　　``), em space (U+2003, ``&emsp;``,
#: on current article pages), no-break space, ordinary white space.
INDENT_CHARS = "\u3000\u2003\u00a0 \t\r\n\f"

#: Characters stripped at the end of a paragraph: the editor leaves white space
#: before ``</p>`` (``<p><strong>影响有多大？ </strong></p>``), which shows as a
#: stray gap and is never content.
TRAILING_SPACE_CHARS = INDENT_CHARS
