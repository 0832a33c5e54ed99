"""The options the commands share, and the checks of single option values.

Each check is an argparse ``type``: a bad value is refused while the command
line is read, before anything is touched.  Defaults are not repeated here:
an option left out sets no setting, and ``newscrawl.settings`` decides.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from newscrawl import settings as defaults
from newscrawl.archive import ArchiveError, check_keep_days, check_site_url
from newscrawl.cli.base import EXIT_BUSY, UsageError
from newscrawl.redact import mask_passwords
from newscrawl.sources import eastmoney as source


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return value


def non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0:  # also refuses nan
        raise argparse.ArgumentTypeError(f"expected a number of seconds >= 0, got {text!r}")
    return value


def positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value < float("inf"):  # also refuses nan
        raise argparse.ArgumentTypeError(f"expected a number of seconds > 0, got {text!r}")
    return value


def port_number(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port number from 0 to 65535, got {text!r}")
    return value


def http_url(text: str) -> str:
    """A start URL: an absolute http(s) URL."""
    url = text.strip()
    if not source.is_http_url(url):
        raise argparse.ArgumentTypeError(f"not an http(s) URL: {text!r}")
    return url


def share_url(text: str) -> str:
    """An article's share link: ``http(s)://HOST/…/NewsShare.html?infoCode=CODE``."""
    url = text.strip()
    if not source.is_http_url(url) or not source.code_from_share_url(url):
        raise argparse.ArgumentTypeError(
            f"not a share link (http(s)://HOST/html_News/NewsShare.html?infoCode=CODE): {text!r}"
        )
    return url


def site_url(text: str) -> str:
    try:
        return check_site_url(text)
    except ArchiveError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def keep_days(text: str) -> int:
    try:
        return check_keep_days(text)
    except ArchiveError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def redis_url(text: str) -> str:
    """``redis://HOST:PORT/DB`` (or ``rediss://``, ``unix://``)."""
    url = text.strip()
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise argparse.ArgumentTypeError(
            mask_passwords(f"not a Redis URL (redis://HOST:PORT/DB): {text!r}"))
    return url


def add_out_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out", type=Path, default=None, metavar="DIR",
        help=f"archive directory (a Jekyll site; default: {defaults.NEWSCRAWL_OUT_DIR})",
    )


def add_archive_options(parser: argparse.ArgumentParser) -> None:
    """``--out``, ``--site-url`` and ``--wait``, shared by every command that writes the archive."""
    add_out_option(parser)
    parser.add_argument(
        "--site-url", type=site_url, default=None, metavar="URL",
        help="base URL of the published archive, used in post links and _config.yml "
        "(default: the archive's last one, remembered by every export; "
        f"{defaults.NEWSCRAWL_SITE_URL} for a new archive)",
    )
    parser.add_argument(
        "--wait", action="store_true",
        help="when another newscrawl run holds the archive, wait for it to end "
        f"(default: refuse, exit status {EXIT_BUSY})",
    )
    parser.add_argument(
        "--no-search", dest="search", action="store_false", default=None,
        help="do not write or update the search index (pagefind/) at the export",
    )


def add_crawl_options(parser: argparse.ArgumentParser) -> None:
    """Options of every command that runs a crawl."""
    add_archive_options(parser)
    parser.add_argument(
        "--log-level", default="WARNING",
        choices=["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"],
        help="Scrapy log level on stderr (default: %(default)s; progress and summary "
        "lines are printed regardless)",
    )
    parser.add_argument(
        "-s", "--set", dest="settings", action="append", default=[], metavar="NAME=VALUE",
        help="override a Scrapy or newscrawl setting, e.g. -s CONCURRENT_REQUESTS=32 "
        "(repeatable; JSON values are decoded)",
    )
    parser.add_argument(
        "--refresh", action="store_true",
        help="request articles that are already in the store again (default: only "
        "new ones; fetch always requests its article)",
    )


def add_politeness_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--concurrency", type=positive_int, default=None, metavar="N",
        help="at most N requests at a time, per host and in all (CONCURRENT_REQUESTS and "
        f"CONCURRENT_REQUESTS_PER_DOMAIN; default: {defaults.CONCURRENT_REQUESTS} in all, "
        f"{defaults.CONCURRENT_REQUESTS_PER_DOMAIN} per host)",
    )
    parser.add_argument(
        "--delay", type=non_negative_float, default=None, metavar="SECONDS",
        help="at least SECONDS between two requests to the same host (DOWNLOAD_DELAY; "
        f"AutoThrottle may wait longer; default: {defaults.DOWNLOAD_DELAY})",
    )


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
        f"default: {defaults.NEWSCRAWL_IDLE_EXIT:g}; Scrapy looks every 5 s, so the exit "
        "comes up to 5 s later)",
    )


def check_redis_installed() -> None:
    """For ``--redis``: UsageError unless the ``redis`` extra is installed."""
    try:
        import redis  # noqa: F401
        import scrapy_redis  # noqa: F401
    except ImportError as exc:
        raise UsageError(
            f"--redis needs the redis extra: pip install 'newscrawl[redis]' ({exc})"
        ) from exc
