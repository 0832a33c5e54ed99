"""Start URLs for the workers: the ``<prefix>:start_urls`` list (``newscrawl push``)."""

from __future__ import annotations

from collections.abc import Iterable

from scrapy.settings import BaseSettings

from newscrawl.distributed.connection import connect_from_settings
from newscrawl.distributed.keys import Keys


def push_seeds(settings: BaseSettings, urls: Iterable[str]) -> int:
    """Append start URLs to the workers' seed list; returns the list's new length.

    Raises :class:`~newscrawl.distributed.connection.RedisUnavailable`.
    """
    server = connect_from_settings(settings)
    key = Keys.from_settings(settings).start_urls
    urls = list(urls)
    if not urls:
        return int(server.llen(key))
    return int(server.rpush(key, *urls))
