"""The workers' last pipeline: each accepted article into Redis, not into an archive."""

from __future__ import annotations

from typing import Any

import redis
from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy_redis import connection
from scrapy_redis.pipelines import RedisPipeline

from newscrawl.distributed.article_json import article_to_json
from newscrawl.distributed.keys import Keys
from newscrawl.distributed.known import channel_member
from newscrawl.items import ChannelSighting, channel_from_value


class RedisItemPipeline(RedisPipeline):
    """scrapy-redis's ``RedisPipeline`` with Scrapy 2.19's signature: ``process_item(item)``.

    Appends each accepted article to ``<prefix>:items`` and adds its code to
    ``<prefix>:archived`` in one transaction, so no worker of this or a later
    run fetches it again.  Runs in place of the archive pipeline, last.
    """

    def __init__(self, server: redis.Redis, key: str, archived_key: str, crawler: Crawler,
                 channels_key: str = "") -> None:
        super().__init__(server, key=key, serialize_func=article_to_json)
        self.archived_key = archived_key
        self.channels_key = channels_key or Keys(archived_key.rsplit(":", 1)[0]).channels
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisItemPipeline:
        keys = Keys.from_settings(crawler.settings)
        return cls(
            connection.from_settings(crawler.settings),
            keys.items,
            keys.archived,
            crawler,
            keys.channels,
        )

    def process_item(self, item: Any) -> Any:  # type: ignore[override]
        """Also records the channels the article came through (a sighting: one more)."""
        sighting = isinstance(item, ChannelSighting)
        if sighting:
            code, channels = item.code, [item.channel]
        else:
            adapter = ItemAdapter(item)
            code = adapter.get("code")
            channels = [channel_from_value(c) for c in adapter.get("channels") or []]
        with self.server.pipeline(transaction=True) as pipe:
            pipe.rpush(self.key, self.serialize(item))
            if code and not sighting:
                pipe.sadd(self.archived_key, code)
            if code and channels:
                pipe.sadd(self.channels_key, *(channel_member(code, c.kind) for c in channels))
            pipe.execute()
        if not sighting:
            self.crawler.stats.inc_value("newscrawl/redis_items")
        return item
