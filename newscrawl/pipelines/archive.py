"""The last pipeline: the article goes into the store, then its post into the archive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler

from newscrawl import signals as newscrawl_signals
from newscrawl.exporters.jekyll import post_relpath, render_post
from newscrawl.fsutil import write_if_changed
from newscrawl.items import Article
from newscrawl.store import Store


class ArchivePipeline:
    """Writes each accepted article through the store to its post file.

    Settings: ``NEWSCRAWL_OUT_DIR`` (the archive directory) and
    ``NEWSCRAWL_SITE_URL`` (the site's base URL used in the navigation links).
    The store row is written first, then the post (atomically); a run killed
    between the two leaves a stored article whose post the next export writes.
    """

    def __init__(self, crawler: Crawler, out_dir: Path, site_url: str) -> None:
        self.crawler = crawler
        self.out_dir = out_dir
        self.site_url = site_url
        self.store: Store | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        settings = crawler.settings
        pipeline = cls(
            crawler,
            Path(settings.get("NEWSCRAWL_OUT_DIR", "output")),
            settings.get("NEWSCRAWL_SITE_URL", "//finews.withounder.com"),
        )
        return pipeline

    def open_spider(self) -> None:
        self.store = Store.open(self.out_dir)

    def close_spider(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None

    def process_item(self, item: Any) -> Any:
        article = item if isinstance(item, Article) else Article(**ItemAdapter(item).asdict())
        if self.store is None:
            self.open_spider()
        assert self.store is not None
        result = self.store.upsert(article)
        written = write_if_changed(
            self.out_dir / post_relpath(article), render_post(article, self.site_url)
        )
        status = "written" if written or result.status != "unchanged" else "unchanged"
        self.crawler.signals.send_catch_log(
            newscrawl_signals.archive_wrote, code=article.code, status=status
        )
        return item
