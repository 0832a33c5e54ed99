"""The ``share`` spider: one or more share links, each fetched from its host's JSON endpoint."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from scrapy.http import Request

from newscrawl.items import ChannelSighting
from newscrawl.sources import eastmoney as source
from newscrawl.spiders.base import ArticleSpider


class ShareSpider(ArticleSpider):
    """``scrapy crawl share -a url=URL`` (several URLs: comma-separated, or ``urls=`` list).

    The share page is a JavaScript shell; its data comes from
    ``…/NewsData/GetNewsText.do?id=CODE`` on the same host, which is what
    this spider requests.
    """

    name = "share"

    def __init__(self, url: str = "", urls: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.share_urls: list[str] = list(urls or []) + [u for u in url.split(",") if u.strip()]
        if not self.share_urls and self.needs_start_urls:
            raise ValueError("the share spider needs a share link: -a url=URL")

    async def start(self) -> AsyncIterator[Request | ChannelSighting]:
        for url in self.share_urls:
            url = url.strip()
            code = source.code_from_share_url(url)
            if code is None:
                self.report_failure(url, None, "not a share link (…/NewsShare.html?infoCode=CODE)")
                continue
            for item in self.article_items(code, url):
                yield item
