"""``newscrawl fetch URL``: one article from its share link into the archive."""

from __future__ import annotations

import argparse
import sys

from newscrawl.commands import UsageError, add_crawl_options, check_archive_dir, crawl_settings
from newscrawl.runner import project_settings, run_crawl
from newscrawl.sources import eastmoney as source
from newscrawl.spiders.share import ShareSpider
from newscrawl.text import printable

NAME = "fetch"
HELP = "fetch one article from its share link and write its post"
DESCRIPTION = """\
Fetch one article from its share link (…/html_News/NewsShare.html?infoCode=CODE):
its data comes from …/NewsData/GetNewsText.do?id=CODE on the same host.  The
article goes through the pipelines into the archive's store, and its post is
written to DIR/_posts/<YYYY-MM-DD>-<CODE>.md.  Exit status 0 when the post was
written (or was already up to date), 1 when the article could not be fetched
or was rejected, or its post could not be written (the reason is printed),
2 on bad arguments.

Honours http_proxy / no_proxy, like every newscrawl crawl."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("url", help="share link of the article")
    add_crawl_options(parser)


def run(args: argparse.Namespace) -> int:
    if source.code_from_share_url(args.url) is None:
        raise UsageError(f"{args.url}: not a share link (…/NewsShare.html?infoCode=CODE)")
    check_archive_dir(args.out)
    settings = crawl_settings(args)
    settings.setdefault("NEWSCRAWL_PROGRESS_INTERVAL", 0)
    # The user asked for this article: fetch it even when the store knows it.
    settings.setdefault("NEWSCRAWL_REFRESH", True)
    result = run_crawl(ShareSpider, project_settings(settings), url=args.url)
    if result.error:
        print(printable(f"newscrawl: {args.url}: {result.error}"), file=sys.stderr)
        return 1
    summary = result.summary
    if summary.problems:
        problem = summary.problems[0]
        print(printable(f"newscrawl: {args.url}: {problem.reason}"), file=sys.stderr)
        return 1
    if summary.export_error:
        print(summary.export_error_line(), file=sys.stderr)
        return 1
    if summary.written + summary.unchanged == 0:
        print(printable(f"newscrawl: {args.url}: no article was written"), file=sys.stderr)
        return 1
    code = source.code_from_share_url(args.url)
    posts = sorted(args.out.glob(f"_posts/*-{code}.md")) + sorted(
        args.out.glob(f"old_post/*-{code}.md")
    )
    state = "written" if summary.written else "unchanged"
    where = posts[0] if posts else args.out
    print(printable(f"newscrawl: {where} ({state})"), flush=True)
    return 0
