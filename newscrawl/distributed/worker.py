"""One worker of a distributed crawl: the crawl, with its queue and its articles in Redis."""

from __future__ import annotations

from typing import Any

from scrapy.settings import BaseSettings, Settings

from newscrawl.distributed.connection import connect_from_settings
from newscrawl.distributed.keys import Keys
from newscrawl.distributed.spider import distributed_spider
from newscrawl.runner import CrawlResult, run_crawl
from newscrawl.spiders.category import CategorySpider

ARCHIVE_PIPELINE = "newscrawl.pipelines.archive.ArchivePipeline"
REDIS_PIPELINE = "newscrawl.distributed.pipeline.RedisItemPipeline"

#: Stats read by the worker's summary.
STAT_REDIS_ITEMS = "newscrawl/redis_items"


def worker_settings(settings: BaseSettings) -> dict[str, Any]:
    """The Scrapy settings that turn a newscrawl crawl into a Redis worker.

    Derived from ``settings`` (``REDIS_URL``, ``NEWSCRAWL_REDIS_PREFIX``,
    ``ITEM_PIPELINES``): the archive pipeline is replaced by
    :class:`~newscrawl.distributed.pipeline.RedisItemPipeline` at its place in
    the order, and known articles are asked of Redis.
    """
    keys = Keys.from_settings(settings)
    pipelines: dict[str, Any] = settings.getdict("ITEM_PIPELINES")
    order = pipelines.pop(ARCHIVE_PIPELINE, None) or 900
    return {
        "SCHEDULER": "newscrawl.distributed.scheduler.RedisScheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        # Never flush the shared queue when one worker ends (see RedisScheduler).
        "SCHEDULER_PERSIST": True,
        "SCHEDULER_QUEUE_KEY": keys.requests,
        "SCHEDULER_DUPEFILTER_KEY": keys.dupefilter,
        "ITEM_PIPELINES": {**pipelines, ARCHIVE_PIPELINE: None, REDIS_PIPELINE: order},
        "NEWSCRAWL_KNOWN_BACKEND": "newscrawl.distributed.known.RedisKnownArticles",
    }


def as_worker(settings: Settings) -> Settings:
    """``settings`` with :func:`worker_settings` under what the command line set.

    They go in at the project's priority: ``-s NAME=VALUE`` still overrides them.
    """
    settings.update(worker_settings(settings), priority="project")
    return settings


def run_worker(settings: Settings, start_urls: list[str]) -> CrawlResult:
    """Run one worker until it has been idle for ``NEWSCRAWL_IDLE_EXIT`` seconds.

    ``settings`` are the project's, with ``REDIS_URL``.  Raises
    :class:`~newscrawl.distributed.connection.RedisUnavailable` before the
    crawl when Redis cannot be reached.  The worker's ``NEWSCRAWL_OUT_DIR``
    only receives its own rejects log; the archive is written by the collector.
    """
    connect_from_settings(settings)
    spider_args = {"start_urls": start_urls} if start_urls else {}
    return run_crawl(distributed_spider(CategorySpider), as_worker(settings), **spider_args)
