"""The cleaning pipeline: article bodies as the archive keeps them (:mod:`newscrawl.cleaning`)."""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from newscrawl.cleaning import BodyRefused, clean_body
from newscrawl.items import ChannelSighting


class CleanHtmlPipeline:
    """Cleans ``body`` with :func:`~newscrawl.cleaning.clean_body`.

    Rejects an article whose body is beyond the bounds of cleaning
    (``NEWSCRAWL_MAX_BODY_CHARS``, ``NEWSCRAWL_MAX_NESTING``), whose text
    cleaning would shrink beyond what the junk rules remove (never a
    truncated post), or that is left with nothing to show.
    """

    def __init__(self, max_body_chars: int, max_nesting: int) -> None:
        self.max_body_chars = max_body_chars
        self.max_nesting = max_nesting

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CleanHtmlPipeline:
        settings = crawler.settings
        return cls(settings.getint("NEWSCRAWL_MAX_BODY_CHARS"),
                   settings.getint("NEWSCRAWL_MAX_NESTING"))

    def process_item(self, item: Any) -> Any:
        if isinstance(item, ChannelSighting):
            return item  # not an article: for the archive only
        adapter = ItemAdapter(item)
        body = adapter.get("body")
        if not isinstance(body, str):
            raise DropItem("empty body after cleaning")
        try:
            cleaned = clean_body(
                body, max_chars=self.max_body_chars, max_nesting=self.max_nesting)
        except BodyRefused as refused:
            raise DropItem(str(refused)) from None
        if cleaned.lost:
            raise DropItem(
                f"cleaning would lose {cleaned.lost:,} of {cleaned.expected:,} characters "
                "of visible text"
            )
        if not cleaned.shows_anything:
            raise DropItem("empty body after cleaning")
        adapter["body"] = cleaned.html
        return item
