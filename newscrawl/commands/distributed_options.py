"""The command-line side of distributed crawling: ``crawl --redis``, ``push``, ``export --redis``.

Options and output only; the work is :mod:`newscrawl.distributed`'s, imported
when ``--redis`` is used, so that the commands exist without the ``redis``
extra (``pip install 'newscrawl[redis]'``).  Defaults are the settings'
(``NEWSCRAWL_REDIS_PREFIX``, ``NEWSCRAWL_IDLE_EXIT`` in ``newscrawl.settings``).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from newscrawl import settings as defaults
from newscrawl.commands import UsageError, non_negative_float
from newscrawl.redact import mask_passwords
from newscrawl.text import printable


def redis_url(text: str) -> str:
    """A ``--redis`` argument: ``redis://HOST:PORT/DB`` (or ``rediss://``, ``unix://``)."""
    url = text.strip()
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise argparse.ArgumentTypeError(
            mask_passwords(f"not a Redis URL (redis://HOST:PORT/DB): {text!r}"))
    return url


def add_redis_option(parser: argparse.ArgumentParser, required: bool = False,
                     purpose: str = "") -> None:
    """``--redis URL`` and ``--redis-prefix``."""
    parser.add_argument(
        "--redis", type=redis_url, required=required, default=None, metavar="URL",
        help=f"Redis server of a distributed crawl, redis://[:PASSWORD@]HOST:PORT/DB{purpose}",
    )
    parser.add_argument(
        "--redis-prefix", default=None, metavar="PREFIX",
        help="prefix of newscrawl's Redis keys, one per crawl (setting NEWSCRAWL_REDIS_PREFIX; "
        f"default: {defaults.NEWSCRAWL_REDIS_PREFIX})",
    )


def add_worker_options(parser: argparse.ArgumentParser) -> None:
    """``--redis``, ``--redis-prefix`` and ``--idle-exit`` of ``newscrawl crawl``."""
    add_redis_option(parser, purpose=": this process is one of its workers (see README)")
    parser.add_argument(
        "--idle-exit", type=non_negative_float, default=None, metavar="SECONDS",
        help="with --redis: exit after SECONDS without work (0: wait for work forever; "
        f"setting NEWSCRAWL_IDLE_EXIT, default: {defaults.NEWSCRAWL_IDLE_EXIT}; "
        "Scrapy looks every 5 s, so the exit comes up to 5 s later)",
    )


def redis_settings(args: argparse.Namespace) -> dict[str, Any]:
    """The settings that the Redis options give (only those given)."""
    settings: dict[str, Any] = {"REDIS_URL": args.redis}
    if args.redis_prefix is not None:
        settings["NEWSCRAWL_REDIS_PREFIX"] = args.redis_prefix
    if getattr(args, "idle_exit", None) is not None:
        settings["NEWSCRAWL_IDLE_EXIT"] = args.idle_exit
    return settings


def distributed(module: str) -> ModuleType:
    """``newscrawl.distributed.<module>``, or a usage error naming the missing extra."""
    try:
        return importlib.import_module(f"newscrawl.distributed.{module}")
    except ImportError as exc:
        raise UsageError(
            f"--redis needs the redis extra ({exc.name or exc} is not installed): "
            "pip install 'newscrawl[redis]'"
        ) from exc


def _settings(overrides: dict[str, Any]) -> Any:
    from newscrawl.runner import project_settings

    return project_settings(overrides)


def run_worker(overrides: dict[str, Any], start_urls: list[str]) -> int:
    """``newscrawl crawl --redis URL [START_URL...]``: one worker; prints its summary.

    ``overrides`` are the command's settings, :func:`redis_settings` included.
    """
    worker = distributed("worker")
    connection = distributed("connection")
    try:
        result = worker.run_worker(_settings(overrides), start_urls)
    except connection.RedisUnavailable as exc:
        raise UsageError(str(exc)) from exc
    for line in result.summary.summary_lines():
        print(mask_passwords(line), file=sys.stderr)
    queued = result.stats.get(worker.STAT_REDIS_ITEMS, 0)
    skipped = result.stats.get("newscrawl/known_skipped", 0)
    print(f"  {queued} articles sent to Redis for `newscrawl export --redis`; "
          f"{skipped} already archived were not requested", file=sys.stderr, flush=True)
    if result.error:
        print(printable(mask_passwords(f"newscrawl: the crawl stopped: {result.error}")),
              file=sys.stderr)
        return 1
    return 0


def collect_into_archive(args: argparse.Namespace, out: Path) -> None:
    """``newscrawl export --redis URL``: the workers' articles into the archive's store."""
    collector = distributed("collector")
    connection = distributed("connection")
    try:
        summary = collector.collect_into_archive(_settings(redis_settings(args)), out)
    except (connection.RedisUnavailable, collector.CollectorBusy) as exc:
        raise UsageError(str(exc)) from exc
    print(summary.line(), flush=True)


def push(args: argparse.Namespace, urls: list[str]) -> int:
    """``newscrawl push``: the start URLs into the workers' seed list."""
    seeds = distributed("seeds")
    connection = distributed("connection")
    try:
        waiting = seeds.push_seeds(_settings(redis_settings(args)), urls)
    except connection.RedisUnavailable as exc:
        raise UsageError(str(exc)) from exc
    print(f"newscrawl: pushed {len(urls)} start URLs; {waiting} waiting for workers")
    return 0
