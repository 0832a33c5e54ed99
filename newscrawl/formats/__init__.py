"""Output formats: how stored articles become the files of the archive.

An output format is one class (:class:`OutputFormat`) named in the setting
``NEWSCRAWL_FORMATS`` and chosen by ``NEWSCRAWL_FORMAT``, as Scrapy picks a
feed exporter from ``FEED_EXPORTERS``.  It decides what each file is called
and holds; :mod:`newscrawl.archive.export` decides which files to write,
keep or remove, and writes them.  Everything a format writes is escaped for
where it lands inside the format, nowhere else.

:mod:`newscrawl.formats.jekyll` is the one format today (the live archive's).
A second format is a second subpackage with a class of this shape, and a line
in ``NEWSCRAWL_FORMATS``.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from scrapy.utils.misc import load_object

if TYPE_CHECKING:
    from pathlib import Path

    from newscrawl.archive.store import PostSummary, Store
    from newscrawl.items import Article, Channel


class Unpublishable(ValueError):
    """A value of the source that a format cannot write safely: the article is rejected
    with this reason (a share link that is not http(s), a date with no four-digit year)."""


@dataclass(frozen=True)
class SiteFile:
    """A file of the archive besides the posts (a category page, a layout, the config).

    ``refused`` is why it is not written (a name from the source that is not
    safe as a path); ``render`` is then None.
    """

    rel: str
    render: Callable[[], bytes] | None = None
    refused: str = ""
    #: What the bytes depend on besides the format's code and the site URL, when
    #: that is small (a redirect's target): an unchanged key skips rendering.
    key: str = ""


@dataclass(frozen=True)
class SearchUpdate:
    """What updating a format's search index did: a few words for the export's summary
    line (empty: the format has no index), or why it could not (one warning line)."""

    summary: str = ""
    warning: str = ""


class OutputFormat(abc.ABC):
    """One way to write an archive: a post per stored article and channel it came
    through, and the files around them."""

    #: The name the format is chosen by (``NEWSCRAWL_FORMAT``).
    name: ClassVar[str]
    #: Folders holding one file per post: ``(current posts, posts past the retention window)``.
    post_folders: ClassVar[tuple[str, str]]

    @abc.abstractmethod
    def check_site_url(self, site_url: str) -> None:
        """Raise ValueError, with a one-line reason, for a site URL this format cannot use."""

    @abc.abstractmethod
    def post_path(self, summary: PostSummary, old: bool, shared_name: bool = False) -> str:
        """The file of a post, relative to the archive (``old``: past the window;
        ``shared_name``: another post of the same article has the same name)."""

    @abc.abstractmethod
    def code_of_post(self, rel: str) -> str | None:
        """The name of the post a file belongs to (the post file itself, or a file of
        :meth:`post_files`); None for the other files.  The manifest keeps it."""

    def post_file_name(self, rel: str) -> str | None:
        """The name of the post ``rel`` is the file of; None when it is no post file."""
        return self.code_of_post(rel)

    def post_files(self, summary: PostSummary, rel: str, site_url: str) -> Iterator[SiteFile]:
        """The files a post has besides its own (``rel``): none unless the format says so."""
        return iter(())

    @abc.abstractmethod
    def render_post(self, article: Article, site_url: str, channel: Channel | None = None,
                    moved: bool = False) -> bytes:
        """The bytes of an article's post (through ``channel``; ``moved``: past the
        window); :class:`Unpublishable` when it cannot be written."""

    def check_post(self, article: Article) -> None:
        """Raise :class:`Unpublishable` when ``article`` cannot be written as a post.

        Asked before an article is stored, so that it is rejected with its
        reason instead of failing every export.  This default renders the
        post; a format with a cheaper check overrides it.
        """
        self.render_post(article, "//newscrawl.invalid")

    @abc.abstractmethod
    def renderer_files(self) -> tuple[str, ...]:
        """The source files whose code decides a post's bytes (a change re-renders every post)."""

    @abc.abstractmethod
    def site_files(self, store: Store, site_url: str) -> Iterator[SiteFile]:
        """Every file of the archive that is not a post."""


    def update_search(self, store: Store, out_dir: Path) -> SearchUpdate:
        """Bring the archive's search index up to date with the store, after an export.

        A format without a search index does nothing.
        """
        return SearchUpdate()

def load_format(name: str | None = None, formats: Mapping[str, Any] | None = None) -> OutputFormat:
    """The output format called ``name`` (default: the setting ``NEWSCRAWL_FORMAT``).

    ``formats`` maps names to classes or their import paths (default: the
    setting ``NEWSCRAWL_FORMATS``).
    """
    from newscrawl import settings

    name = name or settings.NEWSCRAWL_FORMAT
    known = settings.NEWSCRAWL_FORMATS if formats is None else formats
    if name not in known:
        raise ValueError(f"unknown output format {name!r} (known: {', '.join(sorted(known))})")
    format_cls = load_object(known[name])
    return format_cls()
