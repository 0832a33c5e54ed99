"""A Jekyll post from an article: a pure function ``article -> bytes``.

The format is that of the archive's golden post
(``../shared/seed/000_71ee601c13832b85.txt``): front matter, the cleaned body,
the share link, and the navigation links, with no newline at the end.  An
article of the rolling-news list also has a post of the rolling-news form
(SOURCE.md §6), under ``emnews``.  Every post is at Jekyll's default
permalink (:func:`post_url`), which it keeps when it moves to ``old_post/``.
"""

from __future__ import annotations

import re
from datetime import date, datetime
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
from newscrawl.items import EMNEWS, Article, Channel

__all__ = [
    "EMNEWS_CATEGORY", "EMNEWS_FULL_LIST", "EMNEWS_PAGE", "EMNEWS_TAG",
    "Unpublishable", "check_post", "one_line", "permalink", "post_date", "post_filename",
    "post_relpath", "post_url", "render_post", "rolling_news_quote", "yaml_double_quoted",
    "yaml_plain_or_quoted",
]

#: The rolling-news section (东财滚动新闻): its posts' category and tag, its pages.
EMNEWS_CATEGORY = "emnews"
EMNEWS_TAG = "东财滚动新闻"
EMNEWS_PAGE = "/emnews/"
#: The full list of rolling news, at the live archive's URL (sic: "achieves").
EMNEWS_FULL_LIST = "/achieves/emnews/"

MEDIA_CHANNEL = Channel()

_LEADING_BRACKET = re.compile(r"^【[^】]*】")
#: What Kramdown reads as markup inside a line of text (``\\`` first: it escapes).
_QUOTE_SPECIAL = re.compile(r"[\\`*_\[\]{}|$<>]")
#: What starts a block (heading, list, rule, definition) at the start of a line.
_BLOCK_START = re.compile(r"^[#+=:>-]")
_ORDERED_LIST_START = re.compile(r"^(\d+)\.")


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


def post_category(article: Article, channel: Channel | None = None) -> str:
    """The Jekyll category of an article's post: the media's slug, or ``emnews``."""
    return EMNEWS_CATEGORY if channel is not None and channel.kind == EMNEWS else article.slug


def post_filename(article: Article, channel: Channel | None = None) -> str:
    """``<YYYY-MM-DD>-<name>.md``, the date being the article's own at +0800.

    The name is the article's code, or for its rolling-news post the list
    entry's id (see :meth:`Channel.post_name`).
    """
    name = (channel or MEDIA_CHANNEL).post_name(article.code)
    return f"{post_date(article):%Y-%m-%d}-{name}.md"


def post_relpath(article: Article, folder: str = "_posts") -> PurePosixPath:
    return PurePosixPath(folder) / post_filename(article)


def jekyll_categories(categories: str) -> list[str]:
    """The categories Jekyll reads from a ``categories:`` string: split on white space."""
    return categories.split()


def permalink(categories: str, day: date | datetime, name: str) -> str:
    """Jekyll's default permalink of a post: ``/<category>/YYYY/MM/DD/<name>.html``.

    ``/:categories/:year/:month/:day/:title:output_ext``: each category
    downcased (Jekyll 3 and 4 both do), several joined by ``/``; the date is
    the post's own, in the site's time zone (Beijing, as every post's date).
    """
    folders = "".join(f"/{category.lower()}" for category in jekyll_categories(categories))
    return f"{folders}/{day:%Y/%m/%d}/{name}.html"


def post_url(article: Article, channel: Channel | None = None) -> str:
    """The URL path of an article's post (its media post, or its post through ``channel``).

    The one place the archive's post URLs are made: the pages, the lists and
    the redirects link with it.  It never changes once the post is published:
    a post moved to ``old_post/`` keeps it (``permalink:`` in its front matter).
    """
    name = (channel or MEDIA_CHANNEL).post_name(article.code)
    return permalink(post_category(article, channel), post_date(article), name)


def category_url(slug: str, site_url: str) -> str:
    return f"{site_url.rstrip('/')}/category/{slug}.html"


def rolling_news_quote(digest: str) -> str:
    """The rolling-news post's quote: the digest on one line, without its leading 【…】.

    Written as Markdown text: what Kramdown would read as markup or HTML is
    escaped, so the words show as they are.
    """
    text = _LEADING_BRACKET.sub("", plain_text(digest), count=1).strip()
    text = _QUOTE_SPECIAL.sub(r"\\\g<0>", text)
    text = _ORDERED_LIST_START.sub(r"\1\\.", text, count=1)
    return _BLOCK_START.sub(r"\\\g<0>", text, count=1)


def rolling_news_link(article: Article, channel: Channel) -> str:
    """The link of a rolling-news post: the entry's ``url_w``, or the share link without one."""
    try:
        return autolink_url(channel.url_w.strip())
    except Unpublishable:
        return autolink_url(article.share_url)


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


def _front_matter(article: Article, channel: Channel | None, moved: bool) -> list[str]:
    if channel is not None and channel.kind == EMNEWS:
        category, tags = EMNEWS_CATEGORY, EMNEWS_TAG
    else:
        category = yaml_plain_or_quoted(safe_slug(article.slug))
        tags = yaml_tags(_required("tag", article.tag))
    lines = [
        "---",
        "layout: post",
        f"title: {yaml_double_quoted(_required('title', article.title))}",
        f"date: {format_date(post_date(article))}",
        f"categories: {category}",
        f"tags: {tags}",
    ]
    if moved:
        # In old_post/ the file is a page, which Jekyll would serve at
        # /old_post/<file>.html: it keeps the URL it had as a post.
        lines.append(f"permalink: {yaml_plain_or_quoted(post_url(article, channel))}")
    lines.append("---")
    return lines


def render_post(article: Article, site_url: str, channel: Channel | None = None,
                moved: bool = False) -> bytes:
    """The post file of ``article`` (through ``channel``), byte for byte as the archive stores it.

    A media post is the golden form; a rolling-news post (channel
    ``emnews``) the form of SOURCE.md §6.  ``moved``: the post is in
    ``old_post/``, and its front matter keeps its URL.  Every value of the
    source is escaped for where it lands (the functions of :mod:`.escape`);
    an article that cannot be written safely raises :class:`Unpublishable`.
    """
    site = site_url.rstrip("/")
    lines = _front_matter(article, channel, moved)
    if channel is not None and channel.kind == EMNEWS:
        quote = rolling_news_quote(channel.digest or article.digest)
        if quote:
            lines += [f"> {quote}", ""]
        lines += [
            writable(article.body),
            "",
            f"<{rolling_news_link(article, channel)}>",
            "",
            f"[返回{EMNEWS_TAG}]({site}{EMNEWS_PAGE})｜[返回首页]({site}/)",
        ]
    else:
        slug = safe_slug(article.slug)
        lines += [
            writable(article.body),
            "",
            f"<{autolink_url(article.share_url)}>",
            "",
            f"[返回{markdown_text(_required('media name', article.media))}新闻]"
            f"({category_url(slug, site)})｜[返回首页]({site}/)",
        ]
    return "\n".join(lines).encode("utf-8")
