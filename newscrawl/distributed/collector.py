"""The workers' articles into the archive's store: ``<prefix>:items`` (``export --redis``)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import redis
from scrapy.settings import BaseSettings

from newscrawl.archive.store import Store
from newscrawl.distributed.article_json import article_from_json, sighting_from_json
from newscrawl.distributed.connection import RedisUnavailable, connect_from_settings
from newscrawl.distributed.keys import Keys
from newscrawl.distributed.known import channel_member

logger = logging.getLogger(__name__)

#: Items the collector takes from Redis per store transaction.
COLLECT_BATCH = 500


@dataclass
class CollectSummary:
    """What one collection of the workers' items did."""

    new: int = 0
    changed: int = 0
    unchanged: int = 0
    unreadable: int = 0
    archived_codes: int = 0

    @property
    def total(self) -> int:
        return self.new + self.changed + self.unchanged + self.unreadable

    def line(self) -> str:
        return (
            f"newscrawl: {self.total} articles from Redis: {self.new} new, "
            f"{self.changed} changed, {self.unchanged} unchanged, {self.unreadable} unreadable"
        )


class CollectorBusy(Exception):
    """Another collector is taking the items from Redis."""


def collect_into_archive(settings: BaseSettings, archive_dir: Path) -> CollectSummary:
    """:func:`collect` from the Redis of ``REDIS_URL`` into the store of ``archive_dir``.

    Raises :class:`RedisUnavailable` or :class:`CollectorBusy`.
    """
    server = connect_from_settings(settings)
    try:
        with Store.open(archive_dir) as store:
            return collect(server, store, Keys.from_settings(settings))
    except redis.RedisError as exc:  # Redis went away during the collection
        raise RedisUnavailable(settings["REDIS_URL"], exc) from exc


def collect(server: redis.Redis, store: Store, keys: Keys,
            batch: int = COLLECT_BATCH) -> CollectSummary:
    """Move the workers' articles from Redis into the archive's store.

    Items are read in batches and removed from Redis only once they are in
    the store: a collection killed half-way leaves them to the next one,
    which finds them unchanged.  One collector at a time (a Redis lock).  At
    the end, the code of every stored article is added to the ``archived``
    set, so the set can always be rebuilt from the archive.  Writing the
    posts is the exporter's job (``newscrawl export --redis``).
    """
    summary = CollectSummary()
    lock = server.lock(keys.collector_lock, timeout=600, blocking=False)
    if not lock.acquire():
        raise CollectorBusy(f"another collector is taking the items from {keys.items}")
    try:
        while True:
            raw_items = server.lrange(keys.items, 0, batch - 1)
            if not raw_items:
                break
            for raw in raw_items:
                _collect_one(store, raw, summary)
            server.ltrim(keys.items, len(raw_items), -1)
            lock.extend(600, replace_ttl=True)
        summary.archived_codes = _sync_archived(server, keys.archived, store.codes())
        _sync_archived(server, keys.channels,
                       {channel_member(code, kind) for code, kind in store.channel_keys()})
    finally:
        lock.release()
    return summary


def _collect_one(store: Store, raw: bytes, summary: CollectSummary) -> None:
    try:
        sighting = sighting_from_json(raw)
        if sighting is not None:
            # One more channel of an article (stored, or still to come).
            if store.add_channel(sighting.code, sighting.channel):
                summary.changed += 1
            else:
                summary.unchanged += 1
            return
        article = article_from_json(raw)
        if article.date is None:
            raise ValueError("no date")
    except (ValueError, TypeError, KeyError) as exc:
        summary.unreadable += 1
        logger.warning("Unreadable item in Redis (%s): %.200r", exc, raw)
        return
    status = store.upsert(article).status
    if status == "new":
        summary.new += 1
    elif status == "changed":
        summary.changed += 1
    else:
        summary.unchanged += 1


def _sync_archived(server: redis.Redis, key: str, codes: set[str], chunk: int = 10_000) -> int:
    """Add the store's codes to the ``archived`` set; returns the set's size."""
    pending = list(codes)
    for start in range(0, len(pending), chunk):
        server.sadd(key, *pending[start:start + chunk])
    return int(server.scard(key))
