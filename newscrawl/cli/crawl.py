"""``newscrawl crawl START_URL...``: category pages, list feeds and share links into the archive."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from scrapy.settings import Settings

from newscrawl.archive import Archive
from newscrawl.cli import distributed, options
from newscrawl.cli.base import Command, UsageError, error, plural
from newscrawl.runner import CrawlResult, run_crawl
from newscrawl.sources import eastmoney as source
from newscrawl.spiders.category import CategorySpider
from newscrawl.spiders.feed import FeedSpider
from newscrawl.spiders.listing import STAT_START_FAILED, ListingSpider


def spider_for(start_urls: list[str]) -> type[ListingSpider]:
    """``feed`` when every start URL is a feed, else ``category``: the same crawl, named."""
    return FeedSpider if all(source.is_feed_url(u) for u in start_urls) else CategorySpider


def print_summary(result: CrawlResult) -> None:
    for line in result.summary.summary_lines():
        print(line, file=sys.stderr)
    skipped = result.stats.get("newscrawl/known_skipped", 0)
    if skipped:
        print(f"  ({plural(skipped, 'article')} already in the archive "
              f"{'was' if skipped == 1 else 'were'} not requested again)", file=sys.stderr)
    sys.stderr.flush()


def crawl_status(result: CrawlResult, start_urls: list[str]) -> int:
    """0 when the run completed; 1 when it did not run, no start URL could be read,
    or the archive could not be exported."""
    if result.error:
        error(f"the crawl stopped: {result.error}")
        return 1
    if result.summary.export_error:
        print(result.summary.export_error_line(), file=sys.stderr)
        return 1
    if result.stats.get(STAT_START_FAILED, 0) >= len(start_urls):
        count = len(start_urls)
        which = "the start URL" if count == 1 else f"any of the {count} start URLs"
        error(f"could not read {which}")
        return 1
    return 0


def politeness_settings(args: argparse.Namespace) -> dict[str, Any]:
    """``--concurrency``: the limit in all and per host (``--delay`` is one setting)."""
    if args.concurrency is None:
        return {}
    return {"CONCURRENT_REQUESTS": args.concurrency,
            "CONCURRENT_REQUESTS_PER_DOMAIN": args.concurrency}


class CrawlCommand(Command):
    name = "crawl"
    help = "crawl category pages, list feeds and share links into the archive"
    description = """\
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
an archive directory that cannot be written, 3 when another run holds the
archive.  Honours http_proxy / no_proxy."""
    writes_archive = True

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "start_urls", nargs="*", type=options.http_url, metavar="START_URL",
            help="category page, list feed or share link (http or https)",
        )
        options.add_crawl_options(parser)
        options.add_politeness_options(parser)
        options.add_worker_options(parser)

    def check_options(self, args: argparse.Namespace) -> None:
        args.start_urls = list(dict.fromkeys(args.start_urls))
        if not args.start_urls and not args.redis:
            raise UsageError("at least one START_URL is needed (or --redis URL)")
        if args.redis:
            options.check_redis_installed()

    def extra_settings(self, args: argparse.Namespace) -> dict[str, Any]:
        return politeness_settings(args)

    def run(self, args: argparse.Namespace, settings: Settings, archive: Archive) -> int:
        if args.redis:  # one worker of a distributed crawl (README: Distributed crawling)
            return distributed.run_worker(settings, args.start_urls)
        result = run_crawl(spider_for(args.start_urls), settings, start_urls=args.start_urls)
        print_summary(result)
        return crawl_status(result, args.start_urls)
