"""A bare Scrapy spider: the same URLs as newscrawl's crawl, and nothing else.

It follows the category pages' pagination and asks for each listed
article's JSON, with the concurrency given, and does nothing with the
answers: no item, no pipeline, no store, no export.  Its CPU per article is
what Scrapy itself costs; newscrawl's is compared with it.

    python benchmarks/bare.py [--concurrency N] CATEGORY_URL...

Prints one JSON line: ``{"articles": N, "pages": N, "seconds": S}``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import scrapy
from scrapy.crawler import AsyncCrawlerProcess
from scrapy.http import Request, Response


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, urls: list[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls = urls
        self.articles = 0
        self.pages = 0

    async def start(self) -> AsyncIterator[Request]:
        for url in self.urls:
            yield Request(url, callback=self.parse)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Request]:
        self.pages += 1
        for href in response.css("a::attr(href)").getall():
            url = response.urljoin(href)
            parts = urlsplit(url)
            if parts.path.endswith("/html_News/NewsShare.html"):
                code = parse_qs(parts.query).get("infoCode", [""])[0]
                yield Request(f"{parts.scheme}://{parts.netloc}/NewsData/GetNewsText.do?id={code}",
                              callback=self.article)
            elif "page=" in parts.query and parts.path.startswith("/category/"):
                yield Request(url, callback=self.parse)

    def article(self, response: Response) -> None:
        self.articles += 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("start_urls", nargs="+")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--concurrent-items", type=int, default=None,
                        help="Scrapy's CONCURRENT_ITEMS (default: Scrapy's own, 100)")
    args = parser.parse_args(argv)
    settings: dict[str, Any] = {
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        "CONCURRENT_REQUESTS": args.concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": args.concurrency,
        "DOWNLOAD_DELAY": 0,
        "ROBOTSTXT_OBEY": False,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "WARNING",
    }
    if args.concurrent_items is not None:
        settings["CONCURRENT_ITEMS"] = args.concurrent_items
    process = AsyncCrawlerProcess(settings)
    crawler = process.create_crawler(BareSpider)
    started = time.monotonic()
    process.crawl(crawler, urls=args.start_urls)
    process.start()
    spider = crawler.spider
    print(json.dumps({"articles": spider.articles, "pages": spider.pages,
                      "seconds": time.monotonic() - started}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
