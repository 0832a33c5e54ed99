"""The last pipeline: the article goes into the store; at the end the archive is exported."""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import shlex
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from newscrawl import signals as newscrawl_signals
from newscrawl.archive import Archive
from newscrawl.archive.export import failure_reason
from newscrawl.archive.store import Store
from newscrawl.formats import OutputFormat, Unpublishable
from newscrawl.items import Article, ChannelSighting

logger = logging.getLogger(__name__)

def is_local_host(url: str) -> bool:
    """True for a URL on this machine or a private network (a mirror, not the source)."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private or address.is_link_local


def this_command() -> str:
    """The command line of this process, for the lock's record of who holds the archive."""
    return shlex.join([Path(sys.argv[0]).name, *sys.argv[1:]])


class ArchivePipeline:
    """Writes each accepted article to the store, and the archive from the store at the end.

    The archive is ``NEWSCRAWL_OUT_DIR``; the site URL and retention window of
    the export are the archive's own unless ``NEWSCRAWL_SITE_URL`` or
    ``NEWSCRAWL_KEEP_DAYS`` is given (:class:`newscrawl.archive.Archive`).

    The pipeline holds the archive's lock from the spider's opening to the
    end of the export: a spider run by ``scrapy crawl`` is refused a busy
    archive like any newscrawl command (the CLI's own lock is used as it is).

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

    def __init__(self, crawler: Crawler, archive: Archive) -> None:
        self.crawler = crawler
        self.archive = archive
        self.output_format: OutputFormat = archive.output_format(crawler.settings)
        self.store: Store | None = None
        self._hold = contextlib.ExitStack()
        self._warned_local = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        archive = Archive.from_settings(crawler.settings)
        archive.site_url(crawler.settings)  # a bad one stops the crawl before it starts
        return cls(crawler, archive)

    def open_spider(self) -> None:
        self._hold.enter_context(self.archive.hold(this_command()))
        self.store = self.archive.open_store()

    def close_spider(self) -> None:
        try:
            if self.store is not None:
                self.export()
        except Exception as exc:  # whatever it is, the command must fail, not Scrapy log it
            reason = failure_reason(exc)
            logger.debug("export failed", exc_info=True)
            self.crawler.signals.send_catch_log(newscrawl_signals.export_failed, reason=reason)
        finally:
            if self.store is not None:
                self.store.close()
                self.store = None
            self._hold.close()

    def export(self) -> None:
        """The archive from the store (nothing for an empty store: a failed first fetch)."""
        assert self.store is not None
        if self.store.count() == 0 and not any(
            (self.archive.path / folder).exists() for folder in self.output_format.post_folders
        ):
            return  # a new archive whose first articles all failed: nothing to show yet
        result = self.archive.export(self.store, self.crawler.settings)
        for line in result.warning_lines():
            logger.warning(line)
        logger.info(result.summary_line())

    def process_item(self, item: Any) -> Any:
        if isinstance(item, ChannelSighting):
            # An article seen through one more channel: its post for that channel.
            if self.store is None:
                self.open_spider()
            assert self.store is not None
            self.store.add_channel(item.code, item.channel)
            return item
        article = item if isinstance(item, Article) else Article(**ItemAdapter(item).asdict())
        try:
            self.output_format.check_post(article)
        except Unpublishable as exc:
            raise DropItem(str(exc)) from exc
        if self.store is None:
            self.open_spider()
        assert self.store is not None
        if not self._warned_local and is_local_host(article.share_url):
            self._warned_local = True
            host = urlsplit(article.share_url).netloc
            # Printed, not logged: it must be seen at any log level.
            print(
                f"newscrawl: warning: the share links being archived point at {host}, a local "
                "host, and stay in the posts; crawl the source's own URLs through "
                "http_proxy=http://HOST:PORT (or set NEWSCRAWL_ARTICLE_HOST) to keep real links",
                file=sys.stderr, flush=True,
            )
        result = self.store.upsert(article)
        status = "unchanged" if result.status == "unchanged" else "written"
        self.crawler.signals.send_catch_log(
            newscrawl_signals.archive_wrote, code=article.code, status=status
        )
        return item
