"""The Jekyll format: posts in the golden form (:mod:`.post`), the site around them
(:mod:`.pages`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from newscrawl.formats import OutputFormat, SiteFile
from newscrawl.formats.jekyll import escape, pages, post
from newscrawl.items import Article

if TYPE_CHECKING:
    from newscrawl.archive.store import Store, StoredSummary

POSTS_DIR = "_posts"
#: Where the live archive keeps posts past the retention window (SOURCE.md §5).
OLD_POSTS_DIR = "old_post"

#: A post file of article CODE: ``<YYYY-MM-DD>-<CODE>.md`` (and the first
#: generator's dateless ``-<CODE>.md``).
_POST_NAME = re.compile(r"^(?:\d{4}-\d{2}-\d{2})?-(?P<code>.+)\.md$")


class JekyllFormat(OutputFormat):
    """The live archive's format: a Jekyll site with ``_posts/`` and ``old_post/``."""

    name = "jekyll"
    post_folders = (POSTS_DIR, OLD_POSTS_DIR)

    def check_site_url(self, site_url: str) -> None:
        pages.parse_site_url(site_url)

    def post_path(self, summary: StoredSummary, old: bool) -> str:
        stub = Article(code=summary.code, share_url="", date=summary.date)
        return f"{OLD_POSTS_DIR if old else POSTS_DIR}/{post.post_filename(stub)}"

    def code_of_post(self, rel: str) -> str | None:
        folder, _, name = rel.partition("/")
        if folder not in self.post_folders or "/" in name:
            return None
        match = _POST_NAME.match(name)
        return match["code"] if match else None

    def render_post(self, article: Article, site_url: str) -> bytes:
        return post.render_post(article, site_url)

    def check_post(self, article: Article) -> None:
        post.check_post(article)

    def renderer_files(self) -> tuple[str, ...]:
        # The post's date formatting is the archive's clock (newscrawl.archive.naming).
        return (post.__file__, escape.__file__, post.format_date.__code__.co_filename)

    def site_files(self, store: Store, site_url: str) -> Iterator[SiteFile]:
        for slug, media in store.newest_media().items():
            if not pages.is_safe_slug(slug):
                yield SiteFile(f"category/{slug!r}.html", refused="unsafe category slug")
                continue
            yield SiteFile(pages.category_relpath(slug).as_posix(),
                           lambda slug=slug, media=media: pages.category_page(slug, media))
        yield SiteFile("_config.yml", lambda: pages.config_yml(site_url))
        for rel, data in pages.static_files().items():
            yield SiteFile(rel, lambda data=data: data)
