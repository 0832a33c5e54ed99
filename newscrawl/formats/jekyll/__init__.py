"""The Jekyll format: posts in the golden form and the rolling-news form (:mod:`.post`),
the site around them (:mod:`.pages`), the URLs the first generator served (:mod:`.legacy`),
its search index (:mod:`.search`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from newscrawl.formats import OutputFormat, SearchUpdate, SiteFile
from newscrawl.formats.jekyll import escape, legacy, pages, post, search
from newscrawl.items import EMNEWS, MEDIA, Article, Channel
from newscrawl.pipelines.dates import BEIJING

if TYPE_CHECKING:
    from pathlib import Path

    from newscrawl.archive.store import ListedPost, PostSummary, Store, StoredSummary

POSTS_DIR = "_posts"
#: Where the live archive keeps posts past the retention window (SOURCE.md §5).
OLD_POSTS_DIR = legacy.OLD_POSTS_DIR

#: A post file named NAME: ``<YYYY-MM-DD>-<NAME>.md`` (and the first
#: generator's dateless ``-<NAME>.md``).
_POST_NAME = re.compile(r"^(?:\d{4}-\d{2}-\d{2})?-(?P<code>.+)\.md$")
#: The redirect page of a post at a URL it had: ``old_post/<YYYY-MM-DD>-<NAME>.html``,
#: ``<old category>/YYYY/MM/DD/<NAME>.html``.
_OLD_POST_PAGE = re.compile(r"^\d{4}-\d{2}-\d{2}-(?P<code>[^/]+)\.html$")
_FORMER_POST_URL = re.compile(
    r"^[^_./][^/]*/(?:[^/]+/)*\d{4}/\d{2}/\d{2}/(?P<code>[^/]+)\.html$")


class JekyllFormat(OutputFormat):
    """The live archive's format: a Jekyll site with ``_posts/`` and ``old_post/``."""

    name = "jekyll"
    post_folders = (POSTS_DIR, OLD_POSTS_DIR)

    def check_site_url(self, site_url: str) -> None:
        pages.parse_site_url(site_url)

    def post_path(self, summary: PostSummary, old: bool, shared_name: bool = False) -> str:
        """``_posts/`` or ``old_post/``, ``<date>-<name>.md``.

        ``shared_name``: the article's rolling-news post has the same name
        (its entry's id is its code); the media post then goes one folder
        down, in its category's (Jekyll takes the category from the front
        matter, not the folder: the URL is the same).
        """
        stub = Article(code=summary.name, share_url="", date=summary.date)
        folder = OLD_POSTS_DIR if old else POSTS_DIR
        if shared_name and summary.channel == MEDIA:
            folder = f"{folder}/{escape.safe_slug(summary.slug)}"
        return f"{folder}/{post.post_filename(stub)}"

    def post_file_name(self, rel: str) -> str | None:
        folder, _, rest = rel.partition("/")
        if folder not in self.post_folders or rest.count("/") > 1:
            return None
        match = _POST_NAME.match(rest.rsplit("/", 1)[-1])
        return match["code"] if match else None

    def code_of_post(self, rel: str) -> str | None:
        name = self.post_file_name(rel)
        if name is not None:
            return name
        folder, _, rest = rel.partition("/")
        if folder in self.post_folders:
            match = _OLD_POST_PAGE.match(rest) if folder == OLD_POSTS_DIR else None
            return match["code"] if match else None
        match = _FORMER_POST_URL.match(rel)
        return match["code"] if match else None

    def post_files(self, summary: PostSummary, rel: str, site_url: str) -> Iterator[SiteFile]:
        """The redirect pages of the URLs the post had before, to the one it has.

        ``/old_post/<file>.html``, where Jekyll served a post moved to
        ``old_post/`` without a permalink (as the first generator's archive
        and older newscrawl did), for a post in ``old_post/`` or one that was
        there; and its URLs under the category slugs corrected to its own.
        """
        day = summary.date.astimezone(BEIJING)
        category = post.EMNEWS_CATEGORY if summary.channel == EMNEWS else summary.slug
        target = self.full_url(site_url, post.permalink(category, day, summary.name))
        paths: list[str] = []
        top_level = rel.count("/") == 1  # a post one folder down shares its name: not its URL
        if top_level and (rel.startswith(OLD_POSTS_DIR + "/") or summary.was_in_old_post):
            paths.append(legacy.old_post_url(day, summary.name))
        if summary.channel == MEDIA:
            paths += legacy.former_post_urls(summary.slug, day, summary.name)
        for path in paths:
            yield SiteFile(path.lstrip("/"), lambda: pages.redirect_page(target),
                           key=f"redirect:{target}")

    @staticmethod
    def full_url(site_url: str, path: str) -> str:
        """A URL path of the site as a full URL (host and base path): redirects' targets."""
        site = pages.parse_site_url(site_url)
        return f"{site.url}{site.baseurl}{path}"

    def render_post(self, article: Article, site_url: str, channel: Channel | None = None,
                    moved: bool = False) -> bytes:
        return post.render_post(article, site_url, channel, moved)

    def check_post(self, article: Article) -> None:
        post.check_post(article)

    def renderer_files(self) -> tuple[str, ...]:
        # The post's date formatting is the archive's clock (newscrawl.archive.naming).
        return (post.__file__, escape.__file__, post.format_date.__code__.co_filename)

    def site_files(self, store: Store, site_url: str) -> Iterator[SiteFile]:
        categories = store.newest_media()
        for slug, media in categories.items():
            if not pages.is_safe_slug(slug):
                yield SiteFile(f"category/{slug!r}.html", refused="unsafe category slug")
                continue
            yield SiteFile(pages.category_relpath(slug).as_posix(),
                           lambda slug=slug, media=media: pages.category_page(slug, media))
            target = self.full_url(site_url, f"/{pages.category_relpath(slug).as_posix()}")
            for old in legacy.former_slugs(slug):
                if old not in categories:
                    yield SiteFile(legacy.former_category_page(old),
                                   lambda target=target: pages.redirect_page(target))
        baseurl = pages.parse_site_url(site_url).baseurl
        yield SiteFile(pages.EMNEWS_INDEX, lambda: pages.emnews_page(
            self.entries(store.newest_posts(EMNEWS, limit=pages.EMNEWS_PAGE_POSTS)), baseurl))
        yield SiteFile(pages.EMNEWS_FULL_LIST_INDEX, lambda: pages.emnews_full_list(
            self.entries(store.newest_posts(EMNEWS)), baseurl))
        yield SiteFile(pages.INDEX_PAGE, lambda: pages.home_page(
            self.home_sections(store, categories), baseurl))
        yield SiteFile("_config.yml", lambda: pages.config_yml(site_url))
        for rel, data in pages.static_files().items():
            yield SiteFile(rel, lambda data=data: data)

    @staticmethod
    def entries(posts: Iterator[ListedPost]) -> list[pages.ListEntry]:
        """The lines of a list of posts (each at its URL, in Beijing time)."""
        entries = []
        for listed in posts:
            try:
                day = listed.date.astimezone(BEIJING)
            except (OverflowError, ValueError):
                day = None
            if day is None or not 1000 <= day.year <= 9999:
                continue  # a row from before such dates were refused: it has no post either
            category = post.EMNEWS_CATEGORY if listed.channel == EMNEWS else listed.slug
            entries.append(pages.ListEntry(listed.title, post.permalink(category, day, listed.name),
                                           day))
        return entries

    def home_sections(self, store: Store, categories: dict[str, str]) -> list[pages.HomeSection]:
        """The home page's tags: rolling news first, then each category by slug."""
        sections = []
        emnews = self.entries(store.newest_posts(EMNEWS, limit=pages.HOME_EMNEWS_POSTS))
        if emnews:
            sections.append(pages.HomeSection(post.EMNEWS_TAG, post.EMNEWS_PAGE, emnews))
        for slug in sorted(categories):
            if pages.is_safe_slug(slug):
                sections.append(pages.HomeSection(
                    escape.plain_text(categories[slug]) + "新闻",
                    f"/{pages.category_relpath(slug).as_posix()}",
                    self.entries(store.newest_posts(MEDIA, slug, pages.HOME_CATEGORY_POSTS))))
        return sections

    def update_search(self, store: Store, out_dir: Path) -> SearchUpdate:
        """The Pagefind index of every article at its post's address on the site
        (:mod:`.search`): its media post, or its rolling-news post when it has no other."""

        def url_of(summary: StoredSummary) -> str:
            channels = store.channels(summary.code)
            channel = None if MEDIA in channels or EMNEWS not in channels else channels[EMNEWS]
            stub = Article(code=summary.code, share_url="", date=summary.date,
                           slug=summary.slug)
            return post.post_url(stub, channel)

        try:
            return SearchUpdate(search.index_store(store, out_dir, url_of).summary())
        except search.SearchUnavailable as exc:
            return SearchUpdate(warning=f"search is off: {exc}")
        except (RuntimeError, OSError) as exc:
            return SearchUpdate(warning=f"search index not updated: {exc}")
