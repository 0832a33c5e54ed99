"""The ``category`` spider: ``scrapy crawl category -a start_urls=URL1,URL2``."""

from __future__ import annotations

from newscrawl.spiders.listing import ListingSpider


class CategorySpider(ListingSpider):
    """Category pages (with their pagination and post pages), list feeds and share links.

    The same crawl as ``feed``: each start URL is read as what it turns out
    to be.  The name says what the start URLs usually are.
    """

    name = "category"
