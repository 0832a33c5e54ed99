"""The command line of distributed crawling: ``crawl --redis``, ``push``, ``export --redis``.

Kept apart from :mod:`newscrawl.distributed` so that the commands' options
exist without Redis installed (``pip install newscrawl[redis]``): the Redis
modules are imported only when ``--redis`` is used.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from newscrawl.commands import UsageError, non_negative_float

#: Prefix of every Redis key newscrawl uses (setting ``NEWSCRAWL_REDIS_PREFIX``).
DEFAULT_PREFIX = "newscrawl"
#: Seconds an idle worker waits for new work before it exits (``--idle-exit``).
DEFAULT_IDLE_EXIT = 30.0


def redis_url(text: str) -> str:
    """A ``--redis`` argument: ``redis://HOST:PORT/DB`` (or ``rediss://``, ``unix://``)."""
    url = text.strip()
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise argparse.ArgumentTypeError(f"not a Redis URL (redis://HOST:PORT/DB): {text!r}")
    return url


def add_redis_option(parser: argparse.ArgumentParser, required: bool = False,
                     purpose: str = "") -> None:
    """``--redis URL`` and ``--redis-prefix``."""
    parser.add_argument(
        "--redis", type=redis_url, required=required, default=None, metavar="URL",
        help=f"Redis server of a distributed crawl, redis://HOST:PORT/DB{purpose}",
    )
    parser.add_argument(
        "--redis-prefix", default=DEFAULT_PREFIX, metavar="PREFIX",
        help="prefix of newscrawl's Redis keys, one per crawl (default: %(default)s)",
    )


def add_worker_options(parser: argparse.ArgumentParser) -> None:
    """``--redis``, ``--redis-prefix`` and ``--idle-exit`` of ``newscrawl crawl``."""
    add_redis_option(parser, purpose=": this process is one of its workers (see README)")
    parser.add_argument(
        "--idle-exit", type=non_negative_float, default=DEFAULT_IDLE_EXIT, metavar="SECONDS",
        help="with --redis: exit after SECONDS without work (0: wait for work forever; "
        "default: %(default)s; Scrapy looks every 5 s, so the exit comes up to 5 s later)",
    )


def redis_error(url: str, exc: Exception) -> UsageError:
    return UsageError(f"Redis {url}: {' '.join(str(exc).split()) or type(exc).__name__}")


def run_worker(args: argparse.Namespace, start_urls: list[str]) -> int:
    """``newscrawl crawl --redis URL [START_URL...]``: one worker of a distributed crawl.

    The worker's ``--out`` only receives its own rejects log and run log; the
    archive is written by ``newscrawl export --redis``.
    """
    import redis

    from newscrawl import distributed
    from newscrawl.commands import crawl_settings
    from newscrawl.commands.crawl import politeness_settings
    from newscrawl.runner import project_settings, run_crawl
    from newscrawl.spiders.category import CategorySpider

    try:
        distributed.connect(args.redis).ping()
    except redis.RedisError as exc:
        raise redis_error(args.redis, exc) from exc
    pipelines = project_settings().getdict("ITEM_PIPELINES")
    settings: dict[str, Any] = distributed.worker_settings(
        args.redis, args.idle_exit, args.redis_prefix, pipelines
    )
    settings.update(politeness_settings(args))
    # -s NAME=VALUE comes last: it overrides the options above.
    settings.update(crawl_settings(args))
    spider_args = {"start_urls": start_urls} if start_urls else {}
    result = run_crawl(
        distributed.distributed_spider(CategorySpider), project_settings(settings), **spider_args
    )
    for line in result.summary.summary_lines():
        print(line, file=sys.stderr)
    queued = result.stats.get("newscrawl/redis_items", 0)
    skipped = result.stats.get("newscrawl/known_skipped", 0)
    print(f"  {queued} articles sent to Redis for `newscrawl export --redis`; "
          f"{skipped} already archived were not requested", file=sys.stderr, flush=True)
    if result.error:
        print(f"newscrawl: the crawl stopped: {result.error}", file=sys.stderr)
        return 1
    return 0


def collect_into_archive(args: argparse.Namespace, out: Path) -> None:
    """``newscrawl export --redis URL``: the workers' articles into the archive's store."""
    import redis

    from newscrawl import distributed
    from newscrawl.archive.store import Store

    try:
        with Store.open(out) as store:
            summary = distributed.collect(distributed.connect(args.redis), store,
                                          args.redis_prefix)
    except redis.RedisError as exc:
        raise redis_error(args.redis, exc) from exc
    except distributed.CollectorBusy as exc:
        raise UsageError(str(exc)) from exc
    print(summary.line(), flush=True)


def push(args: argparse.Namespace, urls: list[str]) -> int:
    """``newscrawl push``: the start URLs into the workers' seed list."""
    import redis

    from newscrawl import distributed

    try:
        waiting = distributed.push_seeds(distributed.connect(args.redis), urls,
                                         args.redis_prefix)
    except redis.RedisError as exc:
        raise redis_error(args.redis, exc) from exc
    print(f"newscrawl: pushed {len(urls)} start URLs; {waiting} waiting for workers")
    return 0
