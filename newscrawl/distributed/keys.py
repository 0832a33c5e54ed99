"""The Redis keys of a distributed crawl, all under one prefix (``NEWSCRAWL_REDIS_PREFIX``)."""

from __future__ import annotations

from dataclasses import dataclass

from scrapy.settings import BaseSettings


@dataclass(frozen=True)
class Keys:
    """The Redis keys of one prefix.

    The keys do not name the spider: ``category`` and ``feed`` workers (the
    same crawl, named) share one queue, and the share spider's requests
    resolve too.  Separate crawls use separate prefixes or Redis databases.
    """

    prefix: str

    @property
    def start_urls(self) -> str:
        return f"{self.prefix}:start_urls"

    @property
    def requests(self) -> str:
        return f"{self.prefix}:requests"

    @property
    def dupefilter(self) -> str:
        return f"{self.prefix}:dupefilter"

    @property
    def workers(self) -> str:
        return f"{self.prefix}:workers"

    @property
    def items(self) -> str:
        return f"{self.prefix}:items"

    @property
    def archived(self) -> str:
        return f"{self.prefix}:archived"

    @property
    def channels(self) -> str:
        """``<code>#<channel>`` of the archived articles' channels (see ``known.py``)."""
        return f"{self.prefix}:channels"

    @property
    def collector_lock(self) -> str:
        return f"{self.prefix}:collector"

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Keys:
        return cls(settings["NEWSCRAWL_REDIS_PREFIX"])
