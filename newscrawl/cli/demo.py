"""``newscrawl demo``: serve the bundled replica of the source and crawl it into the archive."""

from __future__ import annotations

import argparse
import os
import sys
import threading
from typing import Any

from scrapy.settings import Settings

from newscrawl.archive import Archive
from newscrawl.cli import options
from newscrawl.cli.base import Command, plural
from newscrawl.cli.crawl import crawl_status, politeness_settings, print_summary, spider_for
from newscrawl.runner import run_crawl
from newscrawl.sources import eastmoney as source

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
SOURCE_BASE_URL = source.HOME_URL


def replica_start_urls(
    site: dict[str, Any], base_url: str, edge_cases: bool
) -> tuple[list[str], list[str]]:
    """The replica's category pages (media ones; all with ``edge_cases``), and its feeds."""
    categories = [
        f"{base_url}category/{category['slug']}.html"
        for category in site.get("categories", [])
        if edge_cases or category.get("media")
    ]
    feeds = [f"{base_url}{source.FEED_PATHS[kind]}" for kind in site.get("feeds", {})
             if kind in source.FEED_PATHS]
    return categories, feeds


class DemoCommand(Command):
    name = "demo"
    help = "serve the bundled replica of the source and crawl it into the archive"
    description = """\
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
    writes_archive = True

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--edge-cases", action="store_true",
            help="also crawl the replica's test category of deliberately broken articles",
        )
        options.add_crawl_options(parser)
        options.add_politeness_options(parser)
        # The summary lists every problem; the live log lines would only repeat them.
        parser.set_defaults(log_level="ERROR")

    def extra_settings(self, args: argparse.Namespace) -> dict[str, Any]:
        return {**DEMO_SETTINGS, **politeness_settings(args)}

    def run(self, args: argparse.Namespace, settings: Settings, archive: Archive) -> int:
        from newscrawl.replica.server import make_server

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
                f"newscrawl demo: crawling its {plural(len(categories), 'category page')} and "
                f"{plural(len(feeds), 'list feed')} into {archive.path}/ ...",
                file=sys.stderr, flush=True,
            )
            result = run_crawl(spider_for(start_urls), settings, start_urls=start_urls)
            print_summary(result)
        finally:
            server.shutdown()
            server.server_close()
        status = crawl_status(result, start_urls)
        posts = archive.path / archive.output_format(settings).post_folders[0]
        count = sum(1 for path in posts.rglob("*") if path.is_file()) if posts.is_dir() else 0
        print(f"newscrawl demo: {plural(count, 'post')} in {posts}/", flush=True)
        return status
