"""Exponential backoff for Scrapy's retries.

Scrapy's ``RetryMiddleware`` reschedules a failed request at once; against a
host that answers 503 because it is overloaded, that is the worst moment to
ask again.  This middleware waits before each retry attempt (the requests
that carry ``meta["retry_times"]``): ``BASE * 2 ** (n - 1)`` seconds before
the n-th retry, at most ``MAX``.  The wait is a non-blocking sleep on the
reactor, so other requests go on meanwhile.

Settings: ``NEWSCRAWL_RETRY_BACKOFF_BASE`` (seconds, default 1.0; 0 switches
the backoff off) and ``NEWSCRAWL_RETRY_BACKOFF_MAX`` (seconds, default 60).
"""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Request
from scrapy.utils.asyncio import sleep

logger = logging.getLogger(__name__)


def backoff_delay(retry_times: int, base: float, cap: float) -> float:
    """Seconds to wait before retry number ``retry_times`` (1 for the first retry)."""
    if retry_times < 1 or base <= 0:
        return 0.0
    return min(cap, base * 2 ** (retry_times - 1))


class RetryBackoffMiddleware:
    """Delays retried requests exponentially (see the module docstring)."""

    def __init__(self, crawler: Crawler, base: float, cap: float) -> None:
        self.crawler = crawler
        self.base = base
        self.cap = cap

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryBackoffMiddleware:
        settings = crawler.settings
        base = settings.getfloat("NEWSCRAWL_RETRY_BACKOFF_BASE", 1.0)
        if not settings.getbool("RETRY_ENABLED") or base <= 0:
            raise NotConfigured
        return cls(crawler, base, settings.getfloat("NEWSCRAWL_RETRY_BACKOFF_MAX", 60.0))

    async def process_request(self, request: Request) -> None:
        delay = backoff_delay(request.meta.get("retry_times", 0), self.base, self.cap)
        if delay > 0:
            logger.debug("Waiting %.2fs before retrying %s", delay, request)
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value("newscrawl/retry_backoff_seconds", delay)
            await sleep(delay)
