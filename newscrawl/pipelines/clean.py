"""The cleaning pipeline: article bodies as the archive keeps them (:mod:`newscrawl.cleaning`)."""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from newscrawl.cleaning import clean_html, has_visible_content


class CleanHtmlPipeline:
    """Cleans ``body`` with :func:`~newscrawl.cleaning.clean_html`; drops articles
    left with nothing to show."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CleanHtmlPipeline:
        return cls()

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        body = adapter.get("body")
        cleaned = clean_html(body) if isinstance(body, str) else ""
        if not has_visible_content(cleaned):
            raise DropItem("empty body after cleaning")
        adapter["body"] = cleaned
        return item
