"""What every newscrawl spider does with an article: request its JSON, read it, report faults."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import scrapy
from scrapy.crawler import Crawler
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
)
from scrapy.http import HtmlResponse, Request, Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.response import get_meta_refresh
from twisted.internet.error import (
    ConnectionRefusedError,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)
from twisted.python.failure import Failure

from newscrawl import signals as newscrawl_signals
from newscrawl.items import Article, Channel, ChannelSighting
from newscrawl.middlewares.refused import Refused
from newscrawl.sources import eastmoney as source
from newscrawl.spiders.known import SkipKnownArticles

#: Request meta key of an article request: ``{"code", "share_url"}``.  The run
#: report reads it to account for an article whose request ends in no callback.
ARTICLE_KEY = "newscrawl_article"


def failure_reason(failure: Failure) -> str:
    """A one-line, human reason for a failed request."""
    exc = failure.value
    if isinstance(exc, Refused):  # its message is the reason (a bound, a refused redirect)
        return " ".join(str(exc).split())
    if isinstance(exc, HttpError):
        return f"HTTP {exc.response.status}"
    # Scrapy 2.19 raises its own exceptions for these; Twisted's for older paths.
    if isinstance(exc, (CannotResolveHostError, DNSLookupError)):
        return "host not found (DNS lookup failed)"
    if isinstance(exc, (DownloadConnectionRefusedError, ConnectionRefusedError)):
        return "connection refused"
    if isinstance(exc, (DownloadTimeoutError, TimeoutError, TCPTimedOutError)):
        return "timed out"
    text = " ".join(str(exc).split()) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"[:300]


class ArticleSpider(scrapy.Spider):
    """Base of newscrawl's spiders: turns article codes into requests and answers into items.

    Incremental by default: an article the archive already has is not
    requested again (its code is known from the share link or the feed entry
    before any request; ``newscrawl.spiders.known`` says which are known).
    ``NEWSCRAWL_REFRESH = True`` refetches everything.

    Each article is requested once per run, through the first channel it is
    seen by (a media list or share link, or the rolling-news list).  Seen
    again through another channel, or already archived and seen through a
    channel the archive does not have for it, it becomes a
    :class:`ChannelSighting`: the archive records the channel, and the
    article gets that channel's post without another request.
    """

    _requested_codes: set[str] | None = None
    #: False for a spider that takes its start URLs from elsewhere too (a Redis worker).
    needs_start_urls: bool = True
    #: ``(code, channel kind)`` requested or recorded in this run.
    _sighted: set[tuple[str, str]] | None = None
    #: Which articles are not requested again (``newscrawl.spiders.known``).
    skip_known: SkipKnownArticles

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Any:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.skip_known = SkipKnownArticles.from_crawler(crawler)
        return spider

    def report_failure(self, url: str, code: str | None, reason: str) -> None:
        self.crawler.signals.send_catch_log(
            newscrawl_signals.fetch_failed, url=url, code=code, reason=reason
        )

    def article_request(
        self, code: str, share_url: str, found_on: str = "", host: str | None = None,
        channel: Channel | None = None,
    ) -> Request | ChannelSighting | None:
        """The request for article ``code``'s JSON, a sighting, or None when neither is needed.

        The JSON is asked of ``NEWSCRAWL_ARTICLE_HOST`` when that is set, else of
        ``host`` (any URL on it), else of the share link's host.  Each code is
        requested at most once per run, however many pages name it; ``channel``
        (default: a media list) is how it was found, see the class docstring.
        """
        channel = channel or Channel()
        if self._requested_codes is None:
            self._requested_codes = set()
            self._sighted = set()
        assert self._sighted is not None
        key = (code, channel.kind)
        if code in self._requested_codes:
            self.crawler.stats.inc_value("newscrawl/article_links_repeated")
            return self._sighting(code, channel)
        self._requested_codes.add(code)
        if not source.is_valid_code(code):
            self.report_failure(share_url, code, f"invalid article code {code!r}")
            return None
        if self.skip_known.article(code):
            return self._sighting(code, channel)
        self._sighted.add(key)
        configured = self.crawler.settings.get("NEWSCRAWL_ARTICLE_HOST") or ""
        if configured and "://" not in configured:
            configured = f"http://{configured}"
        return Request(
            source.article_url(code, configured or host or share_url),
            callback=self.parse_article,
            errback=self.article_error,
            cb_kwargs={"code": code, "share_url": share_url, "found_on": found_on,
                       "channel": channel},
            meta={ARTICLE_KEY: {"code": code, "share_url": share_url}},
        )

    def article_items(
        self, code: str, share_url: str, found_on: str = "", host: str | None = None,
        channel: Channel | None = None,
    ) -> Iterator[Request | ChannelSighting]:
        """What a callback yields for article ``code`` found through ``channel``:
        its request, a sighting, or nothing (see :meth:`article_request`)."""
        result = self.article_request(code, share_url, found_on, host, channel)
        if result is not None:
            yield result

    def _sighting(self, code: str, channel: Channel) -> ChannelSighting | None:
        """A sighting of ``code`` through ``channel``, unless the archive or this run has it."""
        assert self._sighted is not None
        key = (code, channel.kind)
        if key in self._sighted or self.skip_known.channel(code, channel.kind):
            return None
        self._sighted.add(key)
        return ChannelSighting(code=code, channel=channel)

    def parse_article(
        self, response: Response, code: str, share_url: str, found_on: str,
        channel: Channel | None = None,
    ) -> Iterator[Article]:
        """An :class:`Article` from the JSON endpoint's answer, or a reported failure."""
        text = response.text.strip()
        if not text:
            self.report_failure(share_url, code, "empty answer from the article endpoint")
            return
        try:
            data: Any = json.loads(text)
        except ValueError as exc:  # the int-string limit's error is one too
            _interval, target = get_meta_refresh(response) if isinstance(
                response, HtmlResponse) else (None, None)
            if target:
                self.report_failure(share_url, code, f"meta refresh to {target} not followed "
                                    "(METAREFRESH_ENABLED is off)")
                return
            reason = " ".join(str(exc).split())[:200]
            self.report_failure(
                share_url, code, f"invalid JSON from the article endpoint ({reason})"
            )
            return
        except RecursionError:
            self.report_failure(
                share_url, code, "invalid JSON from the article endpoint (nested too deeply)"
            )
            return
        article = source.unwrap_article_json(data)
        if article is None:
            self.report_failure(share_url, code, "no article in the endpoint's answer")
            return
        fields = source.article_fields(article)
        yield Article(
            code=code,
            share_url=share_url,
            found_on=found_on,
            title=_text(fields["title"]),
            raw_date=fields["raw_date"],
            media=_text(fields["media"]),
            body=_text(fields["body"]),
            digest=_text(fields["digest"]),
            fetched_at=datetime.now().astimezone(),
            channels=[channel or Channel()],
        )

    def article_error(self, failure: Failure) -> None:
        kwargs = failure.request.cb_kwargs  # type: ignore[attr-defined]
        self.report_failure(kwargs["share_url"], kwargs["code"], failure_reason(failure))


def _text(value: Any) -> Any:
    """A text field as the source sent it: None is empty text; any other type is
    passed on as it is, for the validate pipeline to reject with its JSON type."""
    return "" if value is None else value
