"""``newscrawl fetch URL``: one article from its share link into the archive."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from scrapy.settings import Settings

from newscrawl.archive import Archive
from newscrawl.cli import options
from newscrawl.cli.base import Command, error
from newscrawl.runner import run_crawl
from newscrawl.sources import eastmoney as source
from newscrawl.spiders.share import ShareSpider
from newscrawl.text import printable


class FetchCommand(Command):
    name = "fetch"
    help = "fetch one article from its share link and write its post"
    description = """\
Fetch one article from its share link (…/html_News/NewsShare.html?infoCode=CODE):
its data comes from …/NewsData/GetNewsText.do?id=CODE on the same host.  The
article goes through the pipelines into the archive's store, and its post is
written to DIR/_posts/<YYYY-MM-DD>-<CODE>.md.  Exit status 0 when the post was
written (or was already up to date), 1 when the article could not be fetched
or was rejected, or its post could not be written (the reason is printed),
2 on bad arguments, 3 when another run holds the archive.

Honours http_proxy / no_proxy, like every newscrawl crawl."""
    writes_archive = True

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("url", type=options.share_url, help="share link of the article")
        options.add_crawl_options(parser)

    def extra_settings(self, args: argparse.Namespace) -> dict[str, Any]:
        # The user asked for this article: fetch it even when the store knows it.
        return {"NEWSCRAWL_PROGRESS_INTERVAL": 0, "NEWSCRAWL_REFRESH": True}

    def run(self, args: argparse.Namespace, settings: Settings, archive: Archive) -> int:
        result = run_crawl(ShareSpider, settings, url=args.url)
        if result.error:
            error(f"{args.url}: {result.error}")
            return 1
        summary = result.summary
        if summary.problems:
            error(f"{args.url}: {summary.problems[0].reason}")
            return 1
        if summary.export_error:
            print(summary.export_error_line(), file=sys.stderr)
            return 1
        if summary.written + summary.unchanged == 0:
            error(f"{args.url}: no article was written")
            return 1
        code = source.code_from_share_url(args.url)
        posts = [path for folder in archive.output_format(settings).post_folders
                 for path in sorted(archive.path.glob(f"{folder}/*-{code}.*"))]
        state = "written" if summary.written else "unchanged"
        where = posts[0] if posts else archive.path
        print(printable(f"newscrawl: {where} ({state})"), flush=True)
        return 0
