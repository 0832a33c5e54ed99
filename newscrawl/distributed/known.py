"""The Redis backend of ``newscrawl.spiders.known``: the shared set of archived codes.

``<prefix>:archived`` holds the code of every article that a worker sent to
Redis, and the collector adds every code of the archive's store, so every
worker of every run skips what any of them, or the archive, already has.
"""

from __future__ import annotations

import redis
from scrapy.crawler import Crawler
from scrapy_redis import connection

from newscrawl.distributed.keys import Keys


class RedisKnownArticles:
    """``code in backend`` asks Redis each time (``SISMEMBER``): other workers add to the set."""

    def __init__(self, server: redis.Redis, key: str) -> None:
        self.server = server
        self.key = key

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisKnownArticles:
        return cls(connection.from_settings(crawler.settings),
                   Keys.from_settings(crawler.settings).archived)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and bool(self.server.sismember(self.key, code))
