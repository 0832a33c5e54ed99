"""Everything newscrawl knows about the source site, in one place.

Spiders and pipelines ask this module; they do not know the source's URL
patterns or JSON field names themselves.  See ``../shared/SOURCE.md`` §2.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

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

CATEGORY_PATH_RE = re.compile(r"^/category/[^/]+\.html$")
POST_PATH_RE = re.compile(r"^/post/[^/]+\.html$|^/\d{4}/\d{2}/\d{2}/[^/]+\.html$")
NEXT_PAGE_TEXTS = ("下一页",)
PAGE_QUERY_KEY = "page"


def first_field(data: Mapping[str, Any], names: tuple[str, ...]) -> Any:
    """The value of the first of ``names`` present (and not None) in ``data``."""
    for name in names:
        value = data.get(name)
        if value is not None:
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
    url = entry.get("url_w")
    return code_from_share_url(url) if isinstance(url, str) else None


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
