"""The ``import`` spider: a legacy archive's post files, read as ``file://`` URLs.

Running the import as a real crawl (Scrapy's file:// download handler) puts
every post through the same ``ITEM_PIPELINES`` as a crawled article
(validate -> dates -> clean -> category -> archive), the same run report and
rejects log, and the same export at the end.
"""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from scrapy.http import Request, Response

from newscrawl.archive import Archive
from newscrawl.archive.store import state_dir
from newscrawl.formats.jekyll.legacy import SLUG_CORRECTIONS
from newscrawl.items import EMNEWS, MEDIA, Article, Channel
from newscrawl.legacy.post import ROLLING_CATEGORY, LegacyPostError, code_of_name, read_post
from newscrawl.pipelines.category import read_overrides, slugify
from newscrawl.spiders.base import ArticleSpider

#: The folders of a Jekyll archive that hold posts.
OLD_POSTS_DIR = "old_post"
POST_FOLDERS = ("_posts", OLD_POSTS_DIR)


def post_files(paths: list[Path]) -> Iterator[Path]:
    """Every ``.md`` post under ``paths`` (archive folders or files), in name order, lazily."""
    for path in paths:
        if path.is_file():
            yield path
            continue
        folders = [path / f for f in POST_FOLDERS if (path / f).is_dir()] or [path]
        for folder in folders:
            with os.scandir(folder) as entries:
                names = sorted(e.name for e in entries if e.name.endswith(".md") and e.is_file())
            for name in names:
                yield folder / name


class ImportSpider(ArticleSpider):
    """``newscrawl import PATH...``: each legacy post becomes an :class:`Article`."""

    name = "import"

    def __init__(self, paths: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.paths = [Path(p).resolve() for p in paths or []]
        self._slugs_checked: set[str] = set()

    async def start(self) -> AsyncIterator[Request]:
        for path in post_files(self.paths):
            yield Request(path.as_uri(), callback=self.parse_post, errback=self.post_error,
                          cb_kwargs={"path": path}, dont_filter=True)

    def parse_post(self, response: Response, path: Path) -> Iterator[Article]:
        try:
            post = read_post(path.name, response.body)
        except LegacyPostError as exc:
            moved = self.set_aside(path)
            where = f" (moved to {moved})" if moved else ""
            self.report_failure(str(path), code_of_name(path.name), f"{path.name}: {exc}{where}")
            return
        old = path.parent.name == OLD_POSTS_DIR
        if post.category == ROLLING_CATEGORY:
            # Named by the list entry's id; the article's code is not in the post.
            channel = Channel(kind=EMNEWS, entry_id=post.code, digest=post.digest,
                              url_w=post.link, was_in_old_post=old)
        else:
            channel = Channel(kind=MEDIA, was_in_old_post=old)
            self.check_category(post.category, post.media)
        yield Article(
            code=post.code, share_url=post.share_url, found_on=str(path), title=post.title,
            raw_date=post.raw_date, media=post.media, body=post.body, digest=post.digest,
            fetched_at=datetime.now().astimezone(), channels=[channel],
        )

    def check_category(self, old_slug: str, media: str) -> None:
        """Warn, once per slug, when a post's old category page would stop answering.

        The category pipeline writes the media's slug; an old slug that
        differs is kept answering only when ``SLUG_CORRECTIONS`` maps it to the
        new one (a redirect page), so any other difference is said here.
        """
        if not old_slug or old_slug in self._slugs_checked:
            return
        self._slugs_checked.add(old_slug)
        try:
            new_slug = slugify(media, read_overrides(self.crawler.settings))
        except ValueError:
            return  # the category pipeline rejects the article and says why
        if new_slug != old_slug and SLUG_CORRECTIONS.get(old_slug) != new_slug:
            message = (f"newscrawl: warning: category {old_slug!r} ({media}) is written as "
                       f"{new_slug!r}; its old URLs will not answer unless "
                       f"SLUG_CORRECTIONS (newscrawl/formats/jekyll/legacy.py) maps "
                       f"{old_slug!r} to {new_slug!r}")
            print(message, file=sys.stderr, flush=True)

    def set_aside(self, path: Path) -> Path | None:
        """A post of the adopted archive that cannot be imported, out of Jekyll's way.

        A broken post left in ``_posts/`` stops ``jekyll build`` (no date); it
        is moved, not deleted, to ``.newscrawl/unimported/<folder>/``.
        """
        archive = Archive.from_settings(self.crawler.settings).path.resolve()
        if path.parent.parent != archive or path.parent.name not in POST_FOLDERS:
            return None
        target = state_dir(archive) / "unimported" / path.parent.name / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
        return target

    def post_error(self, failure: Any) -> None:
        path: Path = failure.request.cb_kwargs["path"]
        self.report_failure(str(path), code_of_name(path.name), f"{path.name}: unreadable")
