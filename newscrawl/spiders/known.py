"""Skipping the articles the archive already has: one component, its backend named by a setting.

An article's code is known before any request (from its share link, its feed
entry, or the name of an archive post page), so an article the archive has
costs the source nothing.  Which articles that is depends on where a crawl's
articles go, so the answer comes from a backend, the class named by the
setting ``NEWSCRAWL_KNOWN_BACKEND``:

* :class:`StoreKnownArticles` (the default): the codes in the archive's store;
* ``newscrawl.distributed.known.RedisKnownArticles``: the shared set of
  archived codes of a distributed crawl, which the workers' settings name.

A backend is any class built with ``from_crawler(crawler)`` (or ``()``) whose
instances answer ``code in backend``, and may answer ``has_channel(code, kind)``:
whether the archive has the article through that channel (a media list, the
rolling-news list), so that a known article seen through a channel it lacks
is recorded, not fetched.  ``NEWSCRAWL_REFRESH = True`` asks no backend:
every article is requested again.
"""

from __future__ import annotations

from typing import Protocol

from scrapy.crawler import Crawler
from scrapy.utils.misc import build_from_crawler, load_object

from newscrawl.archive import Archive

#: Stats of what was not requested.
STAT_KNOWN_SKIPPED = "newscrawl/known_skipped"
STAT_KNOWN_POST_PAGES_SKIPPED = "newscrawl/known_post_pages_skipped"


class KnownArticles(Protocol):
    """A backend: which article codes the archive already has, and through which channels."""

    def __contains__(self, code: object) -> bool: ...


class StoreKnownArticles:
    """The codes of the archive's store (``NEWSCRAWL_OUT_DIR``), read once, at the first question.

    Read at the first question, not at the start: a crawl that meets no
    article code (or ``fetch --refresh``) never opens the store.
    """

    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self._codes: set[str] | None = None
        self._channels: set[tuple[str, str]] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoreKnownArticles:
        return cls(Archive.from_settings(crawler.settings))

    def __contains__(self, code: object) -> bool:
        if self._codes is None:
            self._codes = self.archive.known_codes()
            self._channels = self.archive.known_channels()
        return code in self._codes

    def has_channel(self, code: str, kind: str) -> bool:
        return code in self and (code, kind) in self._channels


class SkipKnownArticles:
    """Whether a request for an article (or a post page naming it) would be wasted; counts skips.

    Every newscrawl spider has one (``ArticleSpider.skip_known``).
    """

    def __init__(self, known: KnownArticles | None, crawler: Crawler) -> None:
        self.known = known
        self.crawler = crawler  # its stats exist only once the crawl has started

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SkipKnownArticles:
        settings = crawler.settings
        if settings.getbool("NEWSCRAWL_REFRESH"):
            return cls(None, crawler)
        backend = load_object(settings["NEWSCRAWL_KNOWN_BACKEND"])
        return cls(build_from_crawler(backend, crawler), crawler)

    def _count(self, stat: str) -> None:
        self.crawler.stats.inc_value(stat)

    def _known(self, code: str) -> bool:
        return self.known is not None and code in self.known

    def article(self, code: str) -> bool:
        """True when article ``code`` is known: its JSON is not to be requested."""
        if self._known(code):
            self._count(STAT_KNOWN_SKIPPED)
            return True
        return False

    def channel(self, code: str, kind: str) -> bool:
        """True when the archive has article ``code`` through channel ``kind`` already.

        A backend that knows no channels (no ``has_channel``) is taken to have
        every channel of the articles it knows, as before channels.
        """
        if self.known is None:
            return False
        has_channel = getattr(self.known, "has_channel", None)
        return has_channel(code, kind) if has_channel is not None else code in self.known

    def post_page(self, code: str) -> bool:
        """True when the archive post page of article ``code`` is not to be requested.

        The page only links to its article, which is known.
        """
        if self._known(code):
            self._count(STAT_KNOWN_POST_PAGES_SKIPPED)
            return True
        return False
