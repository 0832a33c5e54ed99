"""A Jekyll post from an article: a pure function ``article -> bytes``.

The format is that of the archive's golden post
(``../shared/seed/000_71ee601c13832b85.txt``): front matter, the cleaned body,
the share link, and the navigation links, with no newline at the end.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import PurePosixPath

from newscrawl.archive.naming import BEIJING, format_date
from newscrawl.formats.jekyll.escape import (
    Unpublishable,
    autolink_url,
    markdown_text,
    one_line,
    plain_text,
    safe_slug,
    writable,
    yaml_double_quoted,
    yaml_plain_or_quoted,
    yaml_tags,
)
from newscrawl.items import Article

__all__ = [
    "Unpublishable", "check_post", "one_line", "post_date",
    "post_filename", "post_relpath", "render_post", "yaml_double_quoted",
    "yaml_plain_or_quoted",
]



def post_date(article: Article) -> datetime:
    """The article's date at +0800, with a four-digit year (it names the post's file)."""
    if article.date is None:
        raise Unpublishable(f"article {article.code} has no date")
    try:
        date = article.date.astimezone(BEIJING)
    except (OverflowError, ValueError) as exc:
        raise Unpublishable(f"date {article.date.isoformat()} out of range") from exc
    if not 1000 <= date.year <= 9999:
        raise Unpublishable(f"date {date.isoformat()} out of range")
    return date


def post_filename(article: Article) -> str:
    """``<YYYY-MM-DD>-<code>.md``, the date being the article's own at +0800."""
    return f"{post_date(article):%Y-%m-%d}-{article.code}.md"


def post_relpath(article: Article, folder: str = "_posts") -> PurePosixPath:
    return PurePosixPath(folder) / post_filename(article)


def category_url(slug: str, site_url: str) -> str:
    return f"{site_url.rstrip('/')}/category/{slug}.html"


def _required(name: str, value: str) -> str:
    text = plain_text(value)
    if not text:
        raise Unpublishable(f"empty {name}")
    return text


def check_post(article: Article) -> None:
    """Raise :class:`Unpublishable` (with the reason) when ``article`` cannot be a post.

    The same checks as :func:`render_post`, without writing the post: the
    archive pipeline asks this before an article is stored.
    """
    post_date(article)
    autolink_url(article.share_url)
    safe_slug(article.slug)
    _required("title", article.title)
    _required("media name", article.media)
    _required("tag", article.tag)


def render_post(article: Article, site_url: str) -> bytes:
    """The post file of ``article``, byte for byte as the archive stores it.

    Every value of the source is escaped for where it lands (the functions
    of :mod:`.escape`); an article that cannot be written safely raises
    :class:`Unpublishable`.
    """
    site = site_url.rstrip("/")
    slug = safe_slug(article.slug)
    lines = [
        "---",
        "layout: post",
        f"title: {yaml_double_quoted(_required('title', article.title))}",
        f"date: {format_date(post_date(article))}",
        f"categories: {yaml_plain_or_quoted(slug)}",
        f"tags: {yaml_tags(_required('tag', article.tag))}",
        "---",
        writable(article.body),
        "",
        f"<{autolink_url(article.share_url)}>",
        "",
        f"[返回{markdown_text(_required('media name', article.media))}新闻]"
        f"({category_url(slug, site)})｜[返回首页]({site}/)",
    ]
    return "\n".join(lines).encode("utf-8")
