"""The last pipeline: the article goes into the store; at the end the archive is exported."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from newscrawl import signals as newscrawl_signals
from newscrawl.archive.export import export_archive, failure_reason, remembered_keep_days
from newscrawl.archive.store import Store
from newscrawl.formats import OutputFormat, Unpublishable, load_format
from newscrawl.items import Article

logger = logging.getLogger(__name__)


class ArchivePipeline:
    """Writes each accepted article to the store, and the archive from the store at the end.

    Settings: ``NEWSCRAWL_OUT_DIR`` (the archive directory),
    ``NEWSCRAWL_SITE_URL`` (the site's base URL used in the navigation links)
    and ``NEWSCRAWL_KEEP_DAYS`` (the retention window of ``_posts/``; default:
    the archive's own, as last set by ``newscrawl export --keep-days``).

    The store is the source of truth; the posts, category pages and index are
    written by one export when the spider closes, so that they are always
    consistent with each other (a post's category page exists, a post moved
    to ``old_post/`` is not also in ``_posts/``).  A run killed before that
    leaves stored articles whose files the next command's export writes.

    An article that cannot be written safely as a post (the format's
    ``check_post``) is rejected before it is stored.  An export that
    fails is sent as the ``export_failed`` signal, not raised: Scrapy would
    only log a raised error ("Scraper close failure") and end the crawl as
    if all was well; the run report takes the signal and the command exits
    non-zero.
    """

    def __init__(self, crawler: Crawler, out_dir: Path, site_url: str,
                 keep_days: int | None = None,
                 output_format: OutputFormat | None = None) -> None:
        self.crawler = crawler
        self.output_format = output_format
        self.out_dir = out_dir
        self.site_url = site_url
        self.keep_days = keep_days
        self.store: Store | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        settings = crawler.settings
        keep_days = settings.get("NEWSCRAWL_KEEP_DAYS")
        pipeline = cls(
            crawler,
            Path(settings.get("NEWSCRAWL_OUT_DIR", "output")),
            settings.get("NEWSCRAWL_SITE_URL", "//finews.withounder.com"),
            None if keep_days in (None, "") else settings.getint("NEWSCRAWL_KEEP_DAYS"),
            load_format(settings.get("NEWSCRAWL_FORMAT"), settings.getdict("NEWSCRAWL_FORMATS")),
        )
        return pipeline

    def open_spider(self) -> None:
        self.store = Store.open(self.out_dir)

    def close_spider(self) -> None:
        if self.store is None:
            return
        try:
            self.export()
        except Exception as exc:  # whatever it is, the command must fail, not Scrapy log it
            reason = failure_reason(exc)
            logger.debug("export failed", exc_info=True)
            self.crawler.signals.send_catch_log(newscrawl_signals.export_failed, reason=reason)
        finally:
            self.store.close()
            self.store = None

    def export(self) -> None:
        """The archive from the store (nothing for an empty store: a failed first fetch)."""
        assert self.store is not None
        keep_days = self.keep_days
        if keep_days is None:
            keep_days = remembered_keep_days(self.out_dir)
        if self.store.count() == 0 and not any(
            (self.out_dir / folder).exists() for folder in self.output_format.post_folders
        ):
            return  # a new archive whose first articles all failed: nothing to show yet
        result = export_archive(self.store, self.out_dir, self.site_url, keep_days,
                                output_format=self.output_format)
        for line in result.warning_lines():
            logger.warning(line)
        logger.info(result.summary_line())

    def process_item(self, item: Any) -> Any:
        article = item if isinstance(item, Article) else Article(**ItemAdapter(item).asdict())
        try:
            self.output_format.check_post(article)
        except Unpublishable as exc:
            raise DropItem(str(exc)) from exc
        if self.store is None:
            self.open_spider()
        assert self.store is not None
        result = self.store.upsert(article)
        status = "unchanged" if result.status == "unchanged" else "written"
        self.crawler.signals.send_catch_log(
            newscrawl_signals.archive_wrote, code=article.code, status=status
        )
        return item
