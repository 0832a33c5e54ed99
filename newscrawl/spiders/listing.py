"""Crawling from start URLs that may be category pages, list feeds or share links.

``ListingSpider`` holds the logic; ``category`` and ``feed`` are its named
variants (``scrapy crawl category -a start_urls=…``).  What a start URL is,
the crawl learns from the URL (a share link needs no page request) and then
from the answer: JSON with a list of entries is a feed, HTML is a listing
(or, on an archive post path, a post page).

From a listing, three kinds of links are followed, nothing else: share links
(their article's JSON is requested), archive post pages (requested, then the
share link in their body), and pagination (``rel="next"``, the text 下一页,
``?page=N`` on the same listing).  Pages are followed only on the start
URL's host; share links also on the source's own article hosts.  Scrapy's
dupefilter asks each page once, so pagination loops end; ``ArticleSpider``
asks each article once.

Against a hostile source, two bounds (settings, reported in the summary when
hit): ``NEWSCRAWL_MAX_PAGES_PER_LISTING`` pages of one listing per run (a
listing whose ``?page=N`` always links ``N+1`` ends), and
``NEWSCRAWL_MAX_LINKS_PER_PAGE`` links followed from one page or feed.  A
page that redirects by meta refresh is reported, not followed.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Request, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.response import get_meta_refresh
from twisted.python.failure import Failure

from newscrawl import signals as newscrawl_signals
from newscrawl.items import ChannelSighting
from newscrawl.middlewares.refused import Refused
from newscrawl.sources import eastmoney as source
from newscrawl.spiders.base import ArticleSpider, failure_reason

#: Request meta keys of this spider.
SITE_KEY = "newscrawl_site"  # network location of the start URL the page was reached from
START_KEY = "newscrawl_start"  # True on the request of a start URL

#: Stats keys read by ``newscrawl crawl``.
STAT_START_URLS = "newscrawl/start_urls"
STAT_START_FAILED = "newscrawl/start_urls_failed"


def split_start_urls(start_urls: str | Iterable[str] | None) -> list[str]:
    """Start URLs from ``-a start_urls=A,B`` (a string) or a Python list, blanks dropped."""
    if start_urls is None:
        return []
    items = start_urls.split(",") if isinstance(start_urls, str) else list(start_urls)
    return [url.strip() for url in items if url and url.strip()]


def netloc(url: str) -> str:
    return urlsplit(url).netloc.lower()


def listing_key(url: str) -> str:
    """A listing, whichever of its pages ``url`` is: scheme, host and path."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.lower()}{parts.path}"


class ListingSpider(ArticleSpider):
    """Base of the ``category`` and ``feed`` spiders (see the module docstring).

    Arguments: ``start_urls``, comma-separated or a list; every one an
    ``http(s)`` URL.
    """

    def __init__(self, start_urls: str | Iterable[str] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        urls = split_start_urls(start_urls)
        if not urls and self.needs_start_urls:
            raise ValueError(f"the {self.name} spider needs start URLs: -a start_urls=URL1,URL2")
        bad = [url for url in urls if not source.is_http_url(url)]
        if bad:
            raise ValueError(f"not an http(s) URL: {', '.join(bad)}")
        # Each start URL once, in the order given.
        self.start_urls = list(dict.fromkeys(urls))
        # Pages requested per listing (``listing_key``), for the pages bound.
        self._listing_pages: dict[str, set[str]] = {}
        self._limits_reported: set[tuple[str, str]] = set()

    async def start(self) -> AsyncIterator[Request | ChannelSighting]:
        self.crawler.stats.set_value(STAT_START_URLS, len(self.start_urls))
        for url in self.start_urls:
            code = source.code_from_share_url(url)
            if code is not None:
                for item in self.article_items(code, url, found_on=""):
                    if isinstance(item, Request):
                        item.meta[START_KEY] = True
                    yield item
                continue
            page = source.listing_page_url(url)
            self._listing_pages.setdefault(listing_key(page), set()).add(page)
            yield self.page_request(page, self.parse, site=netloc(url), start=True)

    # -- requests ---------------------------------------------------------

    def page_request(
        self, url: str, callback: Any, site: str, start: bool = False
    ) -> Request:
        """A request for a page (listing, post page or feed); duplicates are filtered.

        Not ``dont_filter``, not even for start URLs: a pagination loop back
        to the first page must find it already seen.
        """
        return Request(
            url,
            callback=callback,
            errback=self.page_error,
            meta={SITE_KEY: site, START_KEY: start},
        )

    def page_error(self, failure: Failure) -> None:
        """A page that could not be fetched (after retries) goes into the summary."""
        request: Request = failure.request  # type: ignore[attr-defined]
        start = bool(request.meta.get(START_KEY))
        if (
            failure.check(IgnoreRequest)
            and not failure.check(HttpError, Refused)
            and not start
        ):
            # Disallowed by robots.txt (or dropped by another middleware): not a fault.
            self.crawler.stats.inc_value("newscrawl/pages_ignored")
            self.logger.debug("Not following %s: %s", request.url, failure.value)
            return
        if start:
            self.crawler.stats.inc_value(STAT_START_FAILED)
        if failure.check(IgnoreRequest) and not failure.check(HttpError, Refused):
            reason = f"not fetched: {failure.value}"  # e.g. "Forbidden by robots.txt"
        else:
            reason = failure_reason(failure)
        self.report_failure(request.url, None, reason)

    def article_error(self, failure: Failure) -> None:
        super().article_error(failure)
        if failure.request.meta.get(START_KEY):  # type: ignore[attr-defined]
            self.crawler.stats.inc_value(STAT_START_FAILED)

    def unusable_page(self, response: Response, reason: str) -> None:
        """A page that answered but cannot be read as what it should be: reported."""
        if response.meta.get(START_KEY):
            self.crawler.stats.inc_value(STAT_START_FAILED)
        self.report_failure(response.url, None, reason)

    def report_limit(self, url: str, reason: str) -> None:
        """A bound hit: once per URL and reason, into the summary."""
        if (url, reason) in self._limits_reported:
            return
        self._limits_reported.add((url, reason))
        self.crawler.signals.send_catch_log(
            newscrawl_signals.limit_reached, url=url, reason=reason
        )

    def link_budget(self, response: Response) -> Iterator[int]:
        """Counts the links followed from ``response``; stops at the links bound, reported."""
        limit = self.crawler.settings.getint("NEWSCRAWL_MAX_LINKS_PER_PAGE")
        if limit <= 0:  # 0: no bound, as with Scrapy's own bounds
            yield from itertools.count()
        yield from range(limit)
        self.report_limit(
            response.url,
            f"more than {limit} links to follow (NEWSCRAWL_MAX_LINKS_PER_PAGE); "
            "the rest not followed",
        )

    def next_page_request(self, url: str, site: str) -> Request | None:
        """The request of a listing's next page, or None past the pages bound (reported)."""
        page = source.listing_page_url(url)
        key = listing_key(page)
        seen = self._listing_pages.setdefault(key, set())
        if page not in seen:
            limit = self.crawler.settings.getint("NEWSCRAWL_MAX_PAGES_PER_LISTING")
            if 0 < limit <= len(seen):
                self.report_limit(
                    key,
                    f"stopped after {limit} pages (NEWSCRAWL_MAX_PAGES_PER_LISTING); "
                    "the next run starts again from its first page",
                )
                return None
            seen.add(page)
        return self.page_request(page, self.parse_listing, site)

    def meta_refresh(self, response: Response) -> bool:
        """True (and reported) when the page sends the reader elsewhere by meta refresh."""
        _interval, target = get_meta_refresh(response)
        if not target or target == response.url:
            return False
        self.unusable_page(
            response, f"meta refresh to {target} not followed (METAREFRESH_ENABLED is off)"
        )
        return True

    # -- callbacks --------------------------------------------------------

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Request | ChannelSighting]:
        """A start URL's answer: a feed, a post page or a listing, told by its content."""
        data = _json_body(response)
        if data is not None:
            yield from self.parse_feed_data(response, data)
        elif source.is_feed_url(response.url):
            self.unusable_page(response, "not a list feed (no JSON in the answer)")
        elif not isinstance(response, HtmlResponse):
            self.unusable_page(response, "neither an HTML page nor a JSON list feed")
        elif source.is_post_url(response.url):
            yield from self.parse_post(response)
        else:
            yield from self.parse_listing(response)

    def parse_listing(self, response: Response) -> Iterator[Request | ChannelSighting]:
        """A category page: its share links, its post pages and its next pages."""
        if not isinstance(response, HtmlResponse):
            self.unusable_page(response, "not an HTML page")
            return
        if self.meta_refresh(response):
            return
        site = response.meta.get(SITE_KEY) or netloc(response.url)
        listing = source.listing_page_url(response.url)
        budget = self.link_budget(response)
        for url, text, rels in _links(response):
            if source.is_share_url(url):
                if self._article_allowed(url, site) and next(budget, None) is not None:
                    yield from self._article(url, response.url, site)
            elif netloc(url) != site:
                self.crawler.stats.inc_value("newscrawl/offsite_links")
            elif source.is_rolling_news_post_url(url):
                # Named by its list entry, with no share link: nothing to follow there.
                self.crawler.stats.inc_value("newscrawl/rolling_news_post_pages_skipped")
            elif source.is_post_url(url):
                if next(budget, None) is None:
                    continue
                code = source.code_from_post_url(url)
                if code is not None and self.skip_known.post_page(code):
                    continue
                yield self.page_request(url, self.parse_post, site)
            elif source.is_next_page_link(url, text, rels, listing):
                if next(budget, None) is None:
                    continue
                request = self.next_page_request(url, site)
                if request is not None:
                    yield request

    def parse_post(self, response: Response) -> Iterator[Request | ChannelSighting]:
        """An archive post page: the share link(s) in its body, nothing else."""
        if not isinstance(response, HtmlResponse):
            self.unusable_page(response, "not an HTML page")
            return
        if self.meta_refresh(response):
            return
        site = response.meta.get(SITE_KEY) or netloc(response.url)
        found = False
        budget = self.link_budget(response)
        for url, _text, _rels in _links(response):
            if source.is_share_url(url):
                found = True
                if self._article_allowed(url, site) and next(budget, None) is not None:
                    yield from self._article(url, response.url, site)
        if not found:
            self.unusable_page(response, "post page without a share link")

    def parse_feed_data(
        self, response: Response, data: Any
    ) -> Iterator[Request | ChannelSighting]:
        """A list feed: each entry's article, on the feed's host (or the article host).

        An entry of the rolling-news list is the article's rolling-news channel.
        """
        entries = source.feed_entries(data)
        if entries is None:
            self.unusable_page(response, "JSON answer without a list of articles")
            return
        budget = self.link_budget(response)
        rolling_news = source.is_rolling_news_feed(response.url, data)
        for entry in entries:
            if next(budget, None) is None:
                break
            code = source.feed_entry_code(entry)
            if code is None:
                self.report_failure(response.url, None, "feed entry without an article code")
                continue
            channel = None
            if rolling_news:
                channel = source.rolling_news_channel(entry, code)
                if channel is None:
                    self.report_failure(response.url, code, "rolling-news entry without an id")
                    continue
            share = source.feed_entry_share_url(entry, code) or source.share_url(
                code, response.url
            )
            yield from self.article_items(code, share, found_on=response.url, host=response.url,
                                          channel=channel)

    def _article_allowed(self, share: str, site: str) -> bool:
        """Whether a share link found on a page of ``site`` is followed (counted if not)."""
        if netloc(share) != site and not source.is_article_host(share):
            self.crawler.stats.inc_value("newscrawl/offsite_links")
            return False
        return True

    def _article(self, share: str, found_on: str, site: str
                 ) -> Iterator[Request | ChannelSighting]:
        """The article request of a share link found on a page of ``site``."""
        if not self._article_allowed(share, site):
            return
        yield from self.article_items(source.code_from_share_url(share) or "", share, found_on)


def _links(response: HtmlResponse) -> Iterator[tuple[str, str, frozenset[str]]]:
    """``(absolute URL, text, rel values)`` of the page's links.

    The ``<a href>`` links, and the ``<link rel="next">`` of the head.  Only
    http(s) URLs: ``javascript:``, ``mailto:`` and the like are dropped here.
    Fragments are removed.
    """
    for node in response.xpath(
        "//a[@href] | //link[@href][contains(concat(' ', translate(@rel, 'NEXT', 'next'), ' '),"
        " ' next ')]"
    ):
        href = (node.attrib.get("href") or "").strip()
        if not href:
            continue
        url = response.urljoin(href).split("#", 1)[0]
        if not source.is_http_url(url):
            continue
        text = " ".join("".join(node.css("::text").getall()).split())
        rels = frozenset((node.attrib.get("rel") or "").lower().split())
        yield url, text, rels


def _json_body(response: Response) -> Any:
    """The decoded JSON of an answer that is JSON (by type or by its first byte), else None."""
    if not isinstance(response, TextResponse):
        return None
    content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1").lower()
    body = response.text.lstrip("\ufeff \t\r\n")
    if "json" not in content_type and not body.startswith(("{", "[")):
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None
