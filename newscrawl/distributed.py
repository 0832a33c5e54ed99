"""Distributed crawling on Redis: scrapy-redis 0.9.1, made to work with Scrapy 2.19.

Any number of worker processes, on any number of machines, run the same
spiders against one Redis server:

* the request queue and the duplicate filter are in Redis (scrapy-redis's
  scheduler and ``RFPDupeFilter``), so no page and no article is fetched
  twice in a run, whichever worker finds it;
* start URLs are pushed once (``newscrawl push``) to the
  ``<prefix>:start_urls`` list; every worker takes from it (start URLs given
  to the workers themselves go through the shared duplicate filter, so
  starting every worker with the same ones also fetches each once);
* the workers do not write the archive: each accepted article (after the
  validate, dates, clean and category pipelines) goes to the
  ``<prefix>:items`` list; ``newscrawl export --redis`` takes them into the
  archive's store and exports the archive from it, as a local crawl does.  The store is SQLite in
  the archive directory: workers on other machines cannot share it;
* the codes of articles that reached the items list stay in the
  ``<prefix>:archived`` set; :meth:`DistributedSpiderMixin.is_known` asks it,
  so scheduled runs stay incremental on every worker.  The collector adds the
  codes of everything in the store, so the set can be rebuilt from the
  archive at any time.

What scrapy-redis 0.9.1 gets wrong with Scrapy 2.19, and what this module
does about it (each is covered by ``tests/test_distributed.py``):

1. Its spiders only implement the old ``start_requests()``; Scrapy 2.13+
   calls ``start()``, so seeds were only read when a spider went idle.
   :class:`DistributedSpiderMixin` implements ``async def start()``.
2. Its seeds become ``dont_filter=True`` requests, so a seed page that is
   also linked from another page was fetched twice.  Seeds here go through
   the spider's own request methods and the shared duplicate filter.
3. Its ``RedisPipeline.process_item(item, spider)`` uses the signature that
   Scrapy 2.19 deprecates and returns a ``Deferred`` (also deprecated);
   its JSON serializer writes dates without their zone.
   :class:`RedisItemPipeline` has the current signature and keeps the zone.
4. Idle workers never exit unless ``MAX_IDLE_TIME_BEFORE_CLOSE`` is set, and
   when it is, the idle time is counted from the moment the module was
   imported (a class attribute), not from when the worker became idle: a
   worker busy for longer than the limit quit at its first idle moment.
   :meth:`DistributedSpiderMixin.spider_idle` counts from when the worker
   became idle.  (Scrapy asks an idle spider every 5 seconds, so a worker
   exits within ``idle + 5`` seconds.)
5. Without ``SCHEDULER_PERSIST`` the first worker to finish deleted the
   shared queue and duplicate filter under the others; with it, the
   duplicate filter grew forever and a second run skipped every page of the
   first.  :class:`RedisScheduler` keeps a register of live workers: the
   first worker of a new run (no live worker, empty queue) clears the
   duplicate filter, and the last one to leave an empty queue deletes it.
6. Its scheduler passes ``spider=`` to the stats collector (deprecated).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
import uuid
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

import redis
from itemadapter import ItemAdapter
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Request
from scrapy.settings import BaseSettings
from scrapy.utils.asyncio import AsyncioLoopingCall, create_looping_call
from scrapy.utils.misc import load_object
from scrapy_redis import connection
from scrapy_redis.pipelines import RedisPipeline
from scrapy_redis.scheduler import Scheduler
from scrapy_redis.spiders import RedisMixin
from twisted.internet.task import LoopingCall

from newscrawl.archive.store import Store
from newscrawl.distributed_cli import DEFAULT_IDLE_EXIT, DEFAULT_PREFIX
from newscrawl.items import Article
from newscrawl.sources import eastmoney as source
from newscrawl.spiders.listing import START_KEY, netloc

logger = logging.getLogger(__name__)

#: Seconds between a worker's "still alive" marks in the worker register.
HEARTBEAT_INTERVAL = 5.0
#: A worker not heard of for this long is taken for dead.
WORKER_TIMEOUT = 30.0
#: Items the collector takes from Redis per store transaction.
COLLECT_BATCH = 500


# --------------------------------------------------------------------------- keys


@dataclass(frozen=True)
class Keys:
    """The Redis keys of one prefix.

    The keys do not name the spider: ``category`` and ``feed`` workers (the
    same crawl, named) share one queue, and the share spider's requests
    resolve too.  Separate crawls use separate prefixes or Redis databases.
    """

    prefix: str = DEFAULT_PREFIX

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
    def collector_lock(self) -> str:
        return f"{self.prefix}:collector"

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Keys:
        return cls(settings.get("NEWSCRAWL_REDIS_PREFIX") or DEFAULT_PREFIX)


def connect(url: str) -> redis.Redis:
    """A client for ``redis://HOST:PORT/DB``, with scrapy-redis's connection defaults."""
    return connection.get_redis(url=url)


def worker_settings(
    redis_url: str,
    idle_exit: float = DEFAULT_IDLE_EXIT,
    prefix: str = DEFAULT_PREFIX,
    pipelines: dict[str, int | None] | None = None,
) -> dict[str, Any]:
    """The Scrapy settings that turn a newscrawl crawl into a Redis worker.

    ``pipelines`` is the project's ``ITEM_PIPELINES``: the archive pipeline is
    replaced by :class:`RedisItemPipeline` at its place in the order.
    """
    keys = Keys(prefix)
    item_pipelines: dict[str, int | None] = dict(pipelines or {})
    order = item_pipelines.pop("newscrawl.pipelines.archive.ArchivePipeline", 900)
    item_pipelines["newscrawl.pipelines.archive.ArchivePipeline"] = None
    item_pipelines["newscrawl.distributed.RedisItemPipeline"] = order or 900
    return {
        "REDIS_URL": redis_url,
        "SCHEDULER": "newscrawl.distributed.RedisScheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        # Never flush the shared queue when one worker ends (see RedisScheduler).
        "SCHEDULER_PERSIST": True,
        "SCHEDULER_QUEUE_KEY": keys.requests,
        "SCHEDULER_DUPEFILTER_KEY": keys.dupefilter,
        "REDIS_START_URLS_KEY": keys.start_urls,
        "REDIS_ITEMS_KEY": keys.items,
        "MAX_IDLE_TIME_BEFORE_CLOSE": idle_exit,
        "NEWSCRAWL_REDIS_PREFIX": prefix,
        "ITEM_PIPELINES": item_pipelines,
    }


# --------------------------------------------------------------------------- scheduler

# A run is the time during which at least one worker is alive.  The first
# worker of a run (no live worker, nothing queued) clears the previous run's
# duplicate filter; the last one to leave an empty queue deletes it.  Both
# are Lua scripts, so two workers starting together cannot both decide.
_REGISTER = """
local now = tonumber(redis.call('TIME')[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
local new_run = 0
if redis.call('ZCARD', KEYS[1]) == 0 and redis.call('EXISTS', KEYS[2]) == 0 then
  redis.call('DEL', KEYS[3])
  new_run = 1
end
redis.call('ZADD', KEYS[1], now, ARGV[1])
return new_run
"""

_HEARTBEAT = """
local now = tonumber(redis.call('TIME')[1])
redis.call('ZADD', KEYS[1], now, ARGV[1])
return now
"""

_UNREGISTER = """
local now = tonumber(redis.call('TIME')[1])
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
if redis.call('ZCARD', KEYS[1]) == 0 and redis.call('EXISTS', KEYS[2]) == 0 then
  redis.call('DEL', KEYS[3])
  return 1
end
return 0
"""


class RedisScheduler(Scheduler):
    """scrapy-redis's scheduler, shared safely by many workers and many runs.

    * never flushes the shared queue or duplicate filter when one worker
      closes (scrapy-redis does, unless ``SCHEDULER_PERSIST``);
    * keeps a register of live workers (``<prefix>:workers``):
      the first worker of a new run clears the last run's duplicate filter,
      the last worker of a finished run deletes it, so it holds one run's
      fingerprints at most;
    * counts its stats without the deprecated ``spider=`` argument, and logs
      without the deprecated ``Spider.log()``.
    """

    worker_id: str = ""
    workers_key: str = f"{DEFAULT_PREFIX}:workers"
    new_run: bool = False
    _heartbeat: AsyncioLoopingCall | LoopingCall | None = None

    def open(self, spider: Spider) -> None:
        # scrapy-redis's open(), without its deprecated Spider.log() call.
        self.spider = spider
        self.queue = load_object(self.queue_cls)(
            server=self.server, spider=spider, key=self.queue_key % {"spider": spider.name},
            serializer=self.serializer,
        )
        if not self.df:
            self.df = load_object(self.dupefilter_cls).from_spider(spider)
        if self.flush_on_start:
            self.flush()
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.new_run = bool(
            self.server.eval(_REGISTER, 3, *self._run_keys(), self.worker_id, WORKER_TIMEOUT)
        )
        if self.new_run:
            logger.info("First worker of a new run: cleared the duplicate filter")
        elif len(self.queue):
            logger.info("Joining a run with %d requests queued", len(self.queue))
        if self.stats:
            self.stats.set_value("newscrawl/redis_new_run", self.new_run)
        self._heartbeat = create_looping_call(self._beat)
        self._heartbeat.start(HEARTBEAT_INTERVAL, now=False)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisScheduler:
        scheduler = super().from_crawler(crawler)
        scheduler.workers_key = Keys.from_settings(crawler.settings).workers
        return scheduler

    def _run_keys(self) -> tuple[str, str, str]:
        """The worker register, the shared queue and the duplicate filter."""
        return (self.workers_key, self.queue.key, self.df.key)

    def _beat(self) -> None:
        try:
            self.server.eval(_HEARTBEAT, 1, self.workers_key, self.worker_id)
        except redis.RedisError as exc:  # the next beat tries again
            logger.warning("Redis heartbeat failed: %s", exc)

    def close(self, reason: str) -> None:
        if self._heartbeat is not None and self._heartbeat.running:
            self._heartbeat.stop()
        ended = self.server.eval(_UNREGISTER, 3, *self._run_keys(), self.worker_id,
                                 WORKER_TIMEOUT)
        if ended:
            logger.info("Last worker of the run: deleted the duplicate filter")

    def enqueue_request(self, request: Request) -> bool:
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        self.queue.push(request)
        return True

    def next_request(self) -> Request | None:
        request = self.queue.pop(self.idle_before_close)
        if request is not None and self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request


# --------------------------------------------------------------------------- spiders


#: The spider arguments that give start URLs (ListingSpider, ShareSpider).
_SEED_ARGUMENTS = ("start_urls", "url", "urls")


class DistributedSpiderMixin(RedisMixin):
    """Makes a newscrawl spider a Redis worker: ``class W(DistributedSpiderMixin, CategorySpider)``.

    Seeds are read from ``<prefix>:start_urls`` at once by
    :meth:`start` (and again whenever the worker is idle); each is a URL, or
    JSON ``{"url": …}``, and becomes the request the spider makes of such a
    start URL: a share link asks for its article, anything else is a page.
    None is ``dont_filter``.
    """

    #: Monotonic time at which this worker last became idle (None: busy).
    _idle_since: float | None = None
    _idle_exit: float = DEFAULT_IDLE_EXIT

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if any(kwargs.get(name) for name in _SEED_ARGUMENTS):
            super().__init__(*args, **kwargs)
            return
        # A worker may start without start URLs of its own (newscrawl's spiders
        # refuse that): it takes them from Redis.
        Spider.__init__(self, *args, **{k: v for k, v in kwargs.items()
                                         if k not in _SEED_ARGUMENTS})
        self.start_urls = []
        self.share_urls: list[str] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Any:
        spider = super().from_crawler(crawler, *args, **kwargs)  # type: ignore[misc]
        spider.setup_redis(crawler)
        return spider

    def setup_redis(self, crawler: Crawler | None = None) -> None:
        if self.server is not None:
            return
        crawler = crawler or self.crawler
        # scrapy-redis reads MAX_IDLE_TIME_BEFORE_CLOSE as an int; keep fractions.
        idle = float(crawler.settings.get("MAX_IDLE_TIME_BEFORE_CLOSE") or 0)
        self.max_idle_time = int(idle)
        super().setup_redis(crawler)
        self._idle_exit = idle
        self._keys = Keys.from_settings(crawler.settings)
        crawler.signals.connect(self._busy, signal=signals.request_reached_downloader)

    async def start(self) -> AsyncIterator[Any]:
        """The spider's own start requests, then every seed waiting in Redis."""
        async for item_or_request in super().start():  # type: ignore[misc]
            yield item_or_request
        while self.count_size(self.redis_key) > 0:
            for request in self.next_requests():
                yield request

    def make_request_from_data(self, data: bytes | str) -> list[Request]:
        """The requests of one seed: a URL, or JSON ``{"url": …}``."""
        text = data.decode(self.redis_encoding or "utf-8") if isinstance(data, bytes) else data
        text = text.strip()
        url = text
        if text.startswith("{"):
            try:
                url = str(json.loads(text).get("url") or "")
            except (ValueError, AttributeError):
                url = ""
        if not source.is_http_url(url):
            self.logger.warning("Ignoring seed %r: not an http(s) URL", text[:200])
            return []
        return list(self.seed_requests(url))

    def seed_requests(self, url: str) -> Iterator[Request]:
        """What the spider asks of start URL ``url`` (never ``dont_filter``)."""
        code = source.code_from_share_url(url)
        if code is not None:
            request = self.article_request(code, url)  # type: ignore[attr-defined]
            if request is not None:
                yield request
            return
        page_request = getattr(self, "page_request", None)
        if page_request is not None:
            # A listing spider's start page: as its start() would ask for it.
            request = page_request(
                source.listing_page_url(url), self.parse, site=netloc(url), start=True
            )
            request.meta[START_KEY] = True
            yield request
        else:
            yield Request(url, callback=self.parse)

    def _busy(self, *args: Any, **kwargs: Any) -> None:
        self._idle_since = None

    def spider_idle(self) -> None:
        """Take waiting seeds; exit after ``MAX_IDLE_TIME_BEFORE_CLOSE`` seconds without work.

        The idle time counts from when this worker became idle (not from
        when scrapy-redis was imported); 0 waits forever.
        """
        now = time.monotonic()
        scheduled = 0
        for request in self.next_requests():
            self.crawler.engine.crawl(request)
            scheduled += 1
        if scheduled:
            self._idle_since = None
            raise DontCloseSpider
        if self._idle_since is None:
            self._idle_since = now
        if self._idle_exit <= 0 or now - self._idle_since < self._idle_exit:
            raise DontCloseSpider
        self.logger.info("Idle for %.1fs: this worker exits", now - self._idle_since)

    def is_known(self, code: str) -> bool:
        """True when ``code`` is in the shared set of archived articles (``<prefix>:archived``)."""
        if self.crawler.settings.getbool("NEWSCRAWL_REFRESH"):
            return False
        return bool(self.server.sismember(self._keys.archived, code))


_DISTRIBUTED: dict[type, type] = {}


def distributed_spider(spider_cls: type[Spider]) -> type[Spider]:
    """The Redis worker variant of a newscrawl spider class (same name, same callbacks)."""
    if issubclass(spider_cls, DistributedSpiderMixin):
        return spider_cls
    if spider_cls not in _DISTRIBUTED:
        _DISTRIBUTED[spider_cls] = type(
            f"Redis{spider_cls.__name__}",
            (DistributedSpiderMixin, spider_cls),
            {"__module__": __name__, "__doc__": spider_cls.__doc__},
        )
    return _DISTRIBUTED[spider_cls]


# --------------------------------------------------------------------------- items


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


_ARTICLE_FIELDS = {f.name for f in fields(Article)}
_DATE_FIELDS = ("date", "fetched_at")


def article_to_json(item: Any) -> str:
    """An article as JSON for the items list; dates keep their zone (ISO 8601)."""
    return json.dumps(ItemAdapter(item).asdict(), ensure_ascii=False, default=_json_default)


def article_from_json(data: bytes | str) -> Article:
    """The :class:`Article` of :func:`article_to_json`'s output."""
    record = json.loads(data)
    values = {k: v for k, v in record.items() if k in _ARTICLE_FIELDS}
    for name in _DATE_FIELDS:
        if isinstance(values.get(name), str):
            values[name] = datetime.fromisoformat(values[name])
    return Article(**values)


class RedisItemPipeline(RedisPipeline):
    """scrapy-redis's ``RedisPipeline`` with Scrapy 2.19's signature: ``process_item(item)``.

    Appends each accepted article to ``<prefix>:items`` and adds its code to
    ``<prefix>:archived`` in one transaction, so no worker of this or a later
    run fetches it again.  Runs in place of the archive pipeline, last.
    """

    def __init__(self, server: redis.Redis, key: str, archived_key: str, crawler: Crawler) -> None:
        super().__init__(server, key=key, serialize_func=article_to_json)
        self.archived_key = archived_key
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisItemPipeline:
        keys = Keys.from_settings(crawler.settings)
        return cls(
            connection.from_settings(crawler.settings),
            crawler.settings.get("REDIS_ITEMS_KEY") or keys.items,
            keys.archived,
            crawler,
        )

    def process_item(self, item: Any) -> Any:  # type: ignore[override]
        code = ItemAdapter(item).get("code")
        with self.server.pipeline(transaction=True) as pipe:
            pipe.rpush(self.key, self.serialize(item))
            if code:
                pipe.sadd(self.archived_key, code)
            pipe.execute()
        self.crawler.stats.inc_value("newscrawl/redis_items")
        return item


# --------------------------------------------------------------------------- commands


def push_seeds(server: redis.Redis, urls: Iterable[str], prefix: str = DEFAULT_PREFIX) -> int:
    """Append start URLs to the workers' seed list; returns the list's new length."""
    key = Keys(prefix).start_urls
    urls = list(urls)
    if not urls:
        return int(server.llen(key))
    return int(server.rpush(key, *urls))


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


def collect(server: redis.Redis, store: Store, prefix: str = DEFAULT_PREFIX,
            batch: int = COLLECT_BATCH) -> CollectSummary:
    """Move the workers' articles from Redis into the archive's store.

    Items are read in batches and removed from Redis only once they are in
    the store: a collection killed half-way leaves them to the next one,
    which finds them unchanged.  One collector at a time (a Redis lock).  At
    the end, the code of every stored article is added to the ``archived``
    set, so the set can always be rebuilt from the archive.  Writing the
    posts is the exporter's job (``newscrawl export --redis``).
    """
    keys = Keys(prefix)
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
    finally:
        lock.release()
    return summary


def _collect_one(store: Store, raw: bytes, summary: CollectSummary) -> None:
    try:
        article = article_from_json(raw)
        if article.date is None:
            raise ValueError("no date")
    except (ValueError, TypeError) as exc:
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
