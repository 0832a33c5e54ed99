"""The one exception newscrawl's middlewares refuse a request with.

Scrapy's ``IgnoreRequest`` is also how robots.txt drops a page, which the
crawl does not report; a :class:`Refused` request is always reported, as a
failure whose reason is the exception's one-line message.
"""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest


class Refused(IgnoreRequest):
    """A request not completed on purpose (a bound hit, a redirect off the site).

    Its message is the reason shown in the summary and in ``rejects.jsonl``.
    """
