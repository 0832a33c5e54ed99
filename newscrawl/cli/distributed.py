"""What ``crawl --redis``, ``export --redis`` and ``push`` do, and print, with their settings.

The work is :mod:`newscrawl.distributed`'s, imported only when ``--redis`` is
used, so that the commands exist without the ``redis`` extra (``pip install
'newscrawl[redis]'``).  The options are in :mod:`.options` and reach here as
settings (``REDIS_URL``, ``NEWSCRAWL_REDIS_PREFIX``, ``NEWSCRAWL_IDLE_EXIT``).
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType

from scrapy.settings import Settings

from newscrawl.archive import Archive
from newscrawl.cli.base import UsageError, error, plural
from newscrawl.redact import mask_passwords


def distributed(module: str) -> ModuleType:
    """``newscrawl.distributed.<module>``, or a usage error naming the missing extra."""
    try:
        return importlib.import_module(f"newscrawl.distributed.{module}")
    except ImportError as exc:
        raise UsageError(
            f"--redis needs the redis extra ({exc.name or exc} is not installed): "
            "pip install 'newscrawl[redis]'"
        ) from exc


def run_worker(settings: Settings, start_urls: list[str]) -> int:
    """``newscrawl crawl --redis URL [START_URL...]``: one worker; prints its summary."""
    worker = distributed("worker")
    connection = distributed("connection")
    try:
        result = worker.run_worker(settings, start_urls)
    except connection.RedisUnavailable as exc:
        raise UsageError(str(exc)) from exc
    for line in result.summary.summary_lines():
        print(mask_passwords(line), file=sys.stderr)
    queued = result.stats.get(worker.STAT_REDIS_ITEMS, 0)
    skipped = result.stats.get("newscrawl/known_skipped", 0)
    print(f"  {plural(queued, 'article')} sent to Redis for `newscrawl export --redis`; "
          f"{skipped} already archived {'was' if skipped == 1 else 'were'} not requested",
          file=sys.stderr, flush=True)
    if result.error:
        error(f"the crawl stopped: {result.error}")
        return 1
    return 0


def collect_into_archive(settings: Settings, archive: Archive) -> None:
    """``newscrawl export --redis URL``: the workers' articles into the archive's store."""
    collector = distributed("collector")
    connection = distributed("connection")
    try:
        summary = collector.collect_into_archive(settings, archive.path)
    except (connection.RedisUnavailable, collector.CollectorBusy) as exc:
        raise UsageError(str(exc)) from exc
    print(summary.line(), flush=True)


def push(settings: Settings, urls: list[str]) -> int:
    """``newscrawl push``: the start URLs into the workers' seed list; prints how many wait."""
    seeds = distributed("seeds")
    connection = distributed("connection")
    try:
        waiting = seeds.push_seeds(settings, urls)
    except connection.RedisUnavailable as exc:
        raise UsageError(str(exc)) from exc
    print(f"newscrawl: pushed {plural(len(urls), 'start URL')}; {waiting} waiting for workers",
          flush=True)
    return 0
