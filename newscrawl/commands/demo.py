"""``newscrawl demo``: serve the bundled replica of the source and crawl it into the archive."""

from __future__ import annotations

import argparse
import os
import sys
import threading
from typing import Any

from newscrawl.commands import add_crawl_options, check_archive_dir
from newscrawl.commands.crawl import add_politeness_options, crawl_status, run_listing_crawl

NAME = "demo"
HELP = "serve the bundled replica of the source and crawl it into the archive"
DESCRIPTION = """\
Start the bundled replica of the source on 127.0.0.1 (inside this process),
crawl its category pages and list feeds into the archive directory, print
the summary and where the posts are, and stop the replica.  The replica's
articles are invented; its pages have everything a real crawl meets
(pagination, loops, duplicate links, off-site links, a path disallowed by
robots.txt, a slow page).

--edge-cases also crawls the replica's test category: deliberately broken
articles (empty titles, unreadable dates, withdrawn articles, bad JSON, a
503 answer), which the summary lists as rejected or failed.

Exit status as for newscrawl crawl."""

#: The replica's list feeds: its key in the replica's site description -> path and query.
FEED_TARGETS = {
    "102": "web/webapi?type=102&count=20",
    "45": "web/webapi?type=45&count=20",
    "37": "newmarket/web/webapi?marketType=37&count=20",
}

#: The demo crawls a local server: no reason to be slow with it.
DEMO_SETTINGS: dict[str, Any] = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "NEWSCRAWL_RETRY_BACKOFF_BASE": 0.2,
    "NEWSCRAWL_PROGRESS_INTERVAL": 2.0,
}

#: The demo crawls the replica as the source's own host, through the replica
#: as an HTTP proxy (as the tests do), so the posts carry the real share links.
SOURCE_BASE_URL = "http://finews.zning.xyz/"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--edge-cases", action="store_true",
        help="also crawl the replica's test category of deliberately broken articles",
    )
    add_crawl_options(parser)
    add_politeness_options(parser)
    # The summary lists every problem; the live log lines would only repeat them.
    parser.set_defaults(log_level="ERROR")


def replica_start_urls(
    site: dict[str, Any], base_url: str, edge_cases: bool
) -> tuple[list[str], list[str]]:
    """The replica's category pages (media ones; all with ``edge_cases``), and its feeds."""
    categories = [
        f"{base_url}category/{category['slug']}.html"
        for category in site.get("categories", [])
        if edge_cases or category.get("media")
    ]
    feeds = [f"{base_url}{FEED_TARGETS[kind]}" for kind in site.get("feeds", {})
             if kind in FEED_TARGETS]
    return categories, feeds


def run(args: argparse.Namespace) -> int:
    from newscrawl.replica.server import make_server

    check_archive_dir(args.out)
    server = make_server(port=0)
    thread = threading.Thread(target=server.serve_forever, name="replica", daemon=True)
    thread.start()
    try:
        # Every http request of this process goes to the replica.
        for name in ("http_proxy", "HTTP_PROXY", "no_proxy", "NO_PROXY", "all_proxy"):
            os.environ.pop(name, None)
        os.environ["http_proxy"] = server.url
        categories, feeds = replica_start_urls(
            server.data.site, SOURCE_BASE_URL, args.edge_cases
        )
        start_urls = categories + feeds
        print(
            f"newscrawl demo: the bundled replica of the source is serving on {server.url}, "
            f"standing in for {SOURCE_BASE_URL}\n"
            f"newscrawl demo: crawling its {len(categories)} category pages and "
            f"{len(feeds)} list feeds into {args.out}/ ...",
            file=sys.stderr, flush=True,
        )
        result = run_listing_crawl(args, start_urls, DEMO_SETTINGS)
    finally:
        server.shutdown()
        server.server_close()
    status = crawl_status(result, start_urls)
    posts = args.out / "_posts"
    count = len(list(posts.glob("*.md"))) if posts.is_dir() else 0
    print(f"newscrawl demo: {count} posts in {posts}/", flush=True)
    return status
