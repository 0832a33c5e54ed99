"""The Redis backend of ``newscrawl.spiders.known``: the shared set of archived codes.

``<prefix>:archived`` holds the code of every article that a worker sent to
Redis, and the collector adds every code of the archive's store, so every
worker of every run skips what any of them, or the archive, already has.
``<prefix>:channels`` holds ``<code>#<channel>`` of the channels each came
through (:func:`channel_member`), filled the same way: a known article seen
through a channel it lacks is recorded, not fetched.  A set without them yet
(an archive of before channels, until its next ``export --redis``) costs a
sighting the collector finds already known.
"""

from __future__ import annotations

import redis
from scrapy.crawler import Crawler
from scrapy_redis import connection

from newscrawl.distributed.keys import Keys


class RedisKnownArticles:
    """``code in backend`` asks Redis each time (``SISMEMBER``): other workers add to the set."""

    def __init__(self, server: redis.Redis, key: str, channels_key: str = "") -> None:
        self.server = server
        self.key = key
        self.channels_key = channels_key or Keys(key.rsplit(":", 1)[0]).channels

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisKnownArticles:
        keys = Keys.from_settings(crawler.settings)
        return cls(connection.from_settings(crawler.settings), keys.archived, keys.channels)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and bool(self.server.sismember(self.key, code))

    def has_channel(self, code: str, kind: str) -> bool:
        return bool(self.server.sismember(self.channels_key, channel_member(code, kind)))


def channel_member(code: str, kind: str) -> str:
    """The member of ``<prefix>:channels`` saying article ``code`` came through ``kind``."""
    return f"{code}#{kind}"
