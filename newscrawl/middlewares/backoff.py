"""Waiting before Scrapy's retries: exponential backoff, and the source's ``Retry-After``.

Scrapy's ``RetryMiddleware`` reschedules a failed request at once; against a
host that answers 503 because it is overloaded, that is the worst moment to
ask again.  This middleware waits before each retry attempt (the requests
that carry ``meta["retry_times"]``): ``BASE * 2 ** (n - 1)`` seconds before
the n-th retry, at most ``MAX``.  The wait is a non-blocking sleep on the
reactor, so other requests go on meanwhile.

A 429 or 503 answer with ``Retry-After`` (seconds or an HTTP date) is
retried no sooner than it asks, when that is at most
``NEWSCRAWL_RETRY_AFTER_MAX`` seconds; a longer wait is not waited for in
this run: the request fails at once with that reason
(:class:`RetryAfterTooLong`), and the next run asks again.

Settings: ``NEWSCRAWL_RETRY_BACKOFF_BASE`` (seconds; 0 switches the backoff
off), ``NEWSCRAWL_RETRY_BACKOFF_MAX`` and ``NEWSCRAWL_RETRY_AFTER_MAX``
(seconds), declared in ``newscrawl.settings``.
"""

from __future__ import annotations

import logging
import time
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response
from scrapy.utils.asyncio import sleep

from newscrawl.middlewares.refused import Refused

logger = logging.getLogger(__name__)

#: Request meta key: seconds the last answer's ``Retry-After`` asked to wait.
RETRY_AFTER_KEY = "newscrawl_retry_after"
#: Statuses whose ``Retry-After`` is a request to wait (RFC 9110 §10.2.3).
RETRY_AFTER_STATUSES = frozenset({429, 503})


class RetryAfterTooLong(Refused):
    """The source asked to wait longer than ``NEWSCRAWL_RETRY_AFTER_MAX``."""


def backoff_delay(retry_times: int, base: float, cap: float) -> float:
    """Seconds to wait before retry number ``retry_times`` (1 for the first retry)."""
    if retry_times < 1 or base <= 0:
        return 0.0
    return min(cap, base * 2 ** (retry_times - 1))


def retry_after_seconds(value: bytes | str | None, now: float | None = None) -> float | None:
    """Seconds a ``Retry-After`` value asks to wait (never negative), or None if unreadable."""
    if value is None:
        return None
    text = (value.decode("latin-1") if isinstance(value, bytes) else value).strip()
    if text.isdigit():
        return float(text[:12])  # a 400-digit header is a wait "for ever", not an int
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:  # RFC 9110 dates are GMT
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class RetryBackoffMiddleware:
    """Delays retried requests (see the module docstring)."""

    def __init__(self, crawler: Crawler, base: float, cap: float, retry_after_max: float) -> None:
        self.crawler = crawler
        self.base = base
        self.cap = cap
        self.retry_after_max = retry_after_max

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryBackoffMiddleware:
        settings = crawler.settings
        if not settings.getbool("RETRY_ENABLED"):
            raise NotConfigured
        return cls(
            crawler,
            settings.getfloat("NEWSCRAWL_RETRY_BACKOFF_BASE"),
            settings.getfloat("NEWSCRAWL_RETRY_BACKOFF_MAX"),
            settings.getfloat("NEWSCRAWL_RETRY_AFTER_MAX"),
        )

    def process_response(
        self, request: Request, response: Response, spider: Any = None
    ) -> Response:
        """Notes the wait a 429/503 asks for; refuses one longer than the cap.

        Runs before Scrapy's ``RetryMiddleware`` (a lower order number), which
        copies the request's meta into the retry.
        """
        if response.status not in RETRY_AFTER_STATUSES:
            return response
        wait = retry_after_seconds(response.headers.get(b"Retry-After"))
        if wait is None:
            return response
        if wait > self.retry_after_max:
            raise RetryAfterTooLong(
                f"HTTP {response.status} asking to wait {wait:.0f}s (Retry-After), longer than "
                f"NEWSCRAWL_RETRY_AFTER_MAX ({self.retry_after_max:g}s): asked again next run"
            )
        request.meta[RETRY_AFTER_KEY] = wait
        return response

    async def process_request(self, request: Request) -> None:
        retry_times = request.meta.get("retry_times", 0)
        asked = request.meta.pop(RETRY_AFTER_KEY, 0.0) if retry_times else 0.0
        delay = max(backoff_delay(retry_times, self.base, self.cap), asked)
        if delay > 0:
            logger.debug("Waiting %.2fs before retrying %s", delay, request)
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value("newscrawl/retry_backoff_seconds", delay)
            await sleep(delay)
