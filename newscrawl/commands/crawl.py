"""``newscrawl crawl START_URL...``: category pages, list feeds and share links into the archive."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from newscrawl.commands import (
    UsageError,
    add_crawl_options,
    check_archive_dir,
    crawl_settings,
    distributed_options,
    non_negative_float,
    positive_int,
)
from newscrawl.runner import CrawlResult, project_settings, run_crawl
from newscrawl.sources import eastmoney as source
from newscrawl.spiders.category import CategorySpider
from newscrawl.spiders.feed import FeedSpider
from newscrawl.spiders.listing import STAT_START_FAILED, ListingSpider
from newscrawl.text import printable

NAME = "crawl"
HELP = "crawl category pages, list feeds and share links into the archive"
DESCRIPTION = """\
Crawl the source from START_URLs, which may mix category pages
(…/category/<slug>.html), list feeds (…/web/webapi?type=102&count=N and the
like, JSON) and share links (…/html_News/NewsShare.html?infoCode=CODE).

From a category page the crawl follows its share links, its archive post
pages (and the share link in each) and its pagination (rel="next", 下一页,
?page=N), on the start URL's host only.  From a feed it fetches each entry's
article from the feed's host (or NEWSCRAWL_ARTICLE_HOST).  Every article is
requested once per run; articles already in the archive are not requested
again (--refresh asks for them anyway).

Polite by default: robots.txt obeyed, AutoThrottle on, retries of 5xx answers
and timeouts with growing waits.  A progress line is printed every
NEWSCRAWL_PROGRESS_INTERVAL seconds, and a summary at the end listing every
rejected or failed article and page with its reason.

With --redis URL the process is one worker of a distributed crawl: any number
of workers, on any machines, share one request queue and duplicate filter
in Redis; start URLs may also come from `newscrawl push`; the articles go to
Redis, and `newscrawl export --redis URL` writes them into the archive.

Exit status: 0 when the run completed (even with rejected or failed
articles), 1 when no start URL could be read or the archive could not be
exported at the end (its articles stay in the store), 2 on bad arguments or
an archive directory that cannot be written.  Honours http_proxy / no_proxy."""


def http_url(text: str) -> str:
    """A start URL argument: an absolute http(s) URL."""
    url = text.strip()
    if not source.is_http_url(url):
        raise argparse.ArgumentTypeError(f"not an http(s) URL: {text!r}")
    return url


def add_politeness_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--concurrency", type=positive_int, default=None, metavar="N",
        help="at most N requests at a time, per host and in all "
        "(CONCURRENT_REQUESTS and CONCURRENT_REQUESTS_PER_DOMAIN; default: 16 in all, 4 per host)",
    )
    parser.add_argument(
        "--delay", type=non_negative_float, default=None, metavar="SECONDS",
        help="at least SECONDS between two requests to the same host (DOWNLOAD_DELAY; "
        "AutoThrottle may wait longer; default: 0.25)",
    )


def politeness_settings(args: argparse.Namespace) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    if args.concurrency is not None:
        settings["CONCURRENT_REQUESTS"] = args.concurrency
        settings["CONCURRENT_REQUESTS_PER_DOMAIN"] = args.concurrency
    if args.delay is not None:
        settings["DOWNLOAD_DELAY"] = args.delay
    return settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "start_urls", nargs="*", type=http_url, metavar="START_URL",
        help="category page, list feed or share link (http or https)",
    )
    add_crawl_options(parser)
    add_politeness_options(parser)
    distributed_options.add_worker_options(parser)


def spider_for(start_urls: list[str]) -> type[ListingSpider]:
    """``feed`` when every start URL is a feed, else ``category``: the same crawl, named."""
    return FeedSpider if all(source.is_feed_url(u) for u in start_urls) else CategorySpider


def run_listing_crawl(
    args: argparse.Namespace, start_urls: list[str], extra: dict[str, Any] | None = None
) -> CrawlResult:
    """The crawl of ``start_urls`` with the command's options; prints the summary."""
    settings = {**(extra or {}), **politeness_settings(args)}
    # -s NAME=VALUE comes last: it overrides the options above.
    settings.update(crawl_settings(args))
    result = run_crawl(spider_for(start_urls), project_settings(settings), start_urls=start_urls)
    for line in result.summary.summary_lines():
        print(line, file=sys.stderr)
    skipped = result.stats.get("newscrawl/known_skipped", 0)
    if skipped:
        print(f"  ({skipped} articles already in the archive were not requested again)",
              file=sys.stderr)
    sys.stderr.flush()
    return result


def crawl_status(result: CrawlResult, start_urls: list[str]) -> int:
    """0 when the run completed; 1 when it did not run, no start URL could be read,
    or the archive could not be exported."""
    if result.error:
        print(printable(f"newscrawl: the crawl stopped: {result.error}"), file=sys.stderr)
        return 1
    if result.summary.export_error:
        print(result.summary.export_error_line(), file=sys.stderr)
        return 1
    if result.stats.get(STAT_START_FAILED, 0) >= len(start_urls):
        count = len(start_urls)
        which = "the start URL" if count == 1 else f"any of the {count} start URLs"
        print(f"newscrawl: could not read {which}", file=sys.stderr)
        return 1
    return 0


def run(args: argparse.Namespace) -> int:
    start_urls = list(dict.fromkeys(args.start_urls))
    bad = [url for url in start_urls if not source.is_http_url(url)]
    if bad:  # argparse has checked them already; run() may also be called from Python
        raise UsageError(f"not an http(s) URL: {', '.join(bad)}")
    if not start_urls and not args.redis:
        raise UsageError("at least one START_URL is needed (or --redis URL)")
    check_archive_dir(args.out)
    if args.redis:  # one worker of a distributed crawl (README: Distributed crawling)
        settings = {**distributed_options.redis_settings(args), **politeness_settings(args)}
        # -s NAME=VALUE comes last: it overrides the options above.
        settings.update(crawl_settings(args))
        return distributed_options.run_worker(settings, start_urls)
    result = run_listing_crawl(args, start_urls)
    return crawl_status(result, start_urls)
