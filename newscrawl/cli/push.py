"""``newscrawl push --redis URL START_URL...``: start URLs for distributed workers."""

from __future__ import annotations

import argparse

from scrapy.settings import Settings

from newscrawl.archive import Archive
from newscrawl.cli import distributed, options
from newscrawl.cli.base import Command


class PushCommand(Command):
    name = "push"
    help = "push start URLs to Redis for the workers of a distributed crawl"
    description = """\
Append START_URLs (category pages, list feeds, share links) to the Redis list
that the workers of a distributed crawl (newscrawl crawl --redis URL) take
their start URLs from.  Each URL is taken by one worker; every page is
fetched once in a run, whichever worker finds it, and articles already
archived are not fetched again.  Running workers pick the URLs up when they
are idle (Scrapy looks every 5 seconds); workers started later at once.

Prints the number of start URLs waiting.  Exit status 0; 2 on bad arguments
or when Redis cannot be reached."""

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "start_urls", nargs="+", type=options.http_url, metavar="START_URL",
            help="category page, list feed or share link (http or https)",
        )
        options.add_redis_option(parser, required=True)

    def check_options(self, args: argparse.Namespace) -> None:
        args.start_urls = list(dict.fromkeys(args.start_urls))
        options.check_redis_installed()

    def run(self, args: argparse.Namespace, settings: Settings, archive: Archive) -> int:
        return distributed.push(settings, args.start_urls)
