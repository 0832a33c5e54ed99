"""Adoption of a legacy archive's post files by ``newscrawl import DIR --out DIR``.

The export never overwrites a file that newscrawl did not write (see
:mod:`newscrawl.archive.manifest`).  A legacy post imported from the archive
itself (``_posts/`` or ``old_post/``), under the very name newscrawl's
export gives the article's post, is recorded in the manifest as newscrawl's
own, with its bytes as they are now: the export then rewrites it in the
clean form.  Nothing else is adopted, so any other file stays protected.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler

from newscrawl.archive import Archive
from newscrawl.archive.manifest import FileRecord, Manifest, sha256
from newscrawl.formats.jekyll.post import post_filename
from newscrawl.items import Article, channel_from_value

#: Records committed at once (one commit per post would cost more than the post).
BATCH = 500


class AdoptLegacyPostPipeline:
    """After the archive pipeline: the imported post file becomes newscrawl's to rewrite."""

    def __init__(self, archive: Archive, code_of: Any) -> None:
        self.archive = archive
        self.code_of = code_of
        self.manifest: Manifest | None = None
        self.pending = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AdoptLegacyPostPipeline:
        archive = Archive.from_settings(crawler.settings)
        return cls(archive, archive.output_format(crawler.settings).code_of_post)

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        found_on = adapter.get("found_on") or ""
        if not found_on.startswith("/"):
            return item
        article = item if isinstance(item, Article) else Article(**adapter.asdict())
        channel = channel_from_value(article.channels[0]) if article.channels else None
        found = Path(found_on)
        if found.name != post_filename(article, channel) or found.parent.name not in (
                "_posts", "old_post") or found.parent.parent != self.archive.path.resolve():
            return item
        rel = f"{found.parent.name}/{found.name}"
        path = found
        if self.manifest is None:
            self.manifest = Manifest.open(self.archive.path, self.code_of)
        if self.manifest.get(rel) is not None:
            return item
        data = path.read_bytes()
        stat = os.stat(path)
        self.manifest.set(rel, FileRecord(sha256=sha256(data), size=stat.st_size,
                                          mtime_ns=stat.st_mtime_ns))
        self.pending += 1
        if self.pending >= BATCH:
            self.manifest.commit()
            self.pending = 0
        return item

    def close_spider(self) -> None:
        # Runs before the archive pipeline's close (Scrapy closes pipelines in
        # reverse order), so the export sees the adoptions.
        if self.manifest is not None:
            self.manifest.commit()
            self.manifest.close()
            self.manifest = None
