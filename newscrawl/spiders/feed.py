"""The ``feed`` spider: ``scrapy crawl feed -a start_urls=URL1,URL2``."""

from __future__ import annotations

from newscrawl.spiders.listing import ListingSpider


class FeedSpider(ListingSpider):
    """List feeds (JSON, any of the source's three shapes), category pages and share links.

    The same crawl as ``category``: each start URL is read as what it turns
    out to be.  Feed entries' articles are asked of the feed's host, or of
    ``NEWSCRAWL_ARTICLE_HOST`` when that is set.
    """

    name = "feed"
