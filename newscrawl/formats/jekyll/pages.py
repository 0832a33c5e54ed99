"""The files of the archive around the posts, as pure functions returning bytes.

``_config.yml``, the category pages, the lists of posts (the home page, the
rolling-news pages) and the redirect pages are made here from the store's
data; the layouts, the Atom feed and the style sheet are fixed files shipped
in ``files/`` next to this module.  The lists are written by the export, not
by Liquid loops at build time: they are a few queries of the store, they
include the posts moved to ``old_post/`` (still at their URLs), and
``jekyll build`` does not walk every post for them.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from newscrawl.formats.jekyll.escape import (
    is_safe_slug,
    plain_text,
    safe_slug,
    yaml_double_quoted,
    yaml_plain_or_quoted,
)
from newscrawl.formats.jekyll.post import EMNEWS_FULL_LIST, EMNEWS_PAGE, EMNEWS_TAG

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

#: The site's name and description, shown in every page's header and footer.
SITE_TITLE = "财经新闻存档"
SITE_DESCRIPTION = "财经新闻存档：来源各媒体的财经新闻，按来源分类。"

CATEGORY_DIR = "category"
#: The home page, the rolling-news page and the full list of rolling news.
INDEX_PAGE = "index.html"
EMNEWS_INDEX = EMNEWS_PAGE.strip("/") + "/index.html"
EMNEWS_FULL_LIST_INDEX = EMNEWS_FULL_LIST.strip("/") + "/index.html"
#: How many posts the rolling-news page and the home page show.
EMNEWS_PAGE_POSTS = 100
HOME_EMNEWS_POSTS = 20
HOME_CATEGORY_POSTS = 5

__all__ = ["category_page", "category_relpath", "config_yml", "is_safe_slug", "parse_site_url",
           "static_files"]


@dataclass(frozen=True)
class SiteUrl:
    """The site URL split as Jekyll wants it: ``url`` (scheme and host) and ``baseurl`` (path)."""

    url: str
    baseurl: str
    host: str


def parse_site_url(site_url: str) -> SiteUrl:
    """``//host``, ``http(s)://host[/path]`` or ``/path``; anything else is a ValueError."""
    parts = urlsplit(site_url.strip())
    if parts.scheme not in ("", "http", "https") or parts.query or parts.fragment:
        raise ValueError(f"{site_url!r}: expected //HOST, http(s)://HOST[/PATH] or /PATH")
    if parts.scheme and not parts.netloc:
        raise ValueError(f"{site_url!r}: no host")
    if not parts.netloc and not parts.path.startswith("/"):
        raise ValueError(f"{site_url!r}: expected //HOST, http(s)://HOST[/PATH] or /PATH")
    if any(ch.isspace() or ch in "\"'<>\\" for ch in site_url.strip()):
        raise ValueError(f"{site_url!r}: not a URL")
    scheme = f"{parts.scheme}:" if parts.scheme else ""
    url = f"{scheme}//{parts.netloc}" if parts.netloc else ""
    return SiteUrl(url, parts.path.rstrip("/"), parts.hostname or "")


@dataclass(frozen=True)
class ListEntry:
    """One line of a list of posts: the post's title, its URL path and its date."""

    title: str
    url: str
    date: datetime


@dataclass(frozen=True)
class HomeSection:
    """One tag of the home page: its name, the page listing all its posts, its newest posts."""

    tag: str
    url: str
    entries: list[ListEntry]


def html_text(text: str) -> str:
    """``text`` for an HTML page that Jekyll renders with Liquid: escaped, braces included.

    A page is rendered with Liquid (Jekyll 3.9 ignores ``render_with_liquid``),
    so a title with ``{{`` or ``{%`` must reach it as entities.
    """
    return html.escape(text).replace("{", "&#123;").replace("}", "&#125;")


def _entry_lines(entries: Iterable[ListEntry], baseurl: str, date_format: str) -> list[str]:
    return [
        f'<li><a href="{html_text(baseurl + entry.url)}">{html_text(plain_text(entry.title))}</a>'
        f' <time datetime="{entry.date.isoformat()}">{entry.date:{date_format}}</time></li>'
        for entry in entries
    ]


def _page(title: str, body: list[str]) -> bytes:
    lines = ["---", "layout: default", f"title: {yaml_double_quoted(title)}", "---", *body, ""]
    return "\n".join(lines).encode("utf-8")


def emnews_page(entries: Iterable[ListEntry], baseurl: str) -> bytes:
    """``/emnews/``: the newest rolling-news posts, and the way to the full list."""
    return _page(EMNEWS_TAG, [
        '<section class="category">',
        f'<h1 class="page-title">{EMNEWS_TAG}</h1>',
        f'<p class="count">最新 {EMNEWS_PAGE_POSTS} 篇 ·'
        f' <a href="{html_text(baseurl + EMNEWS_FULL_LIST)}">全部{EMNEWS_TAG}</a></p>',
        '<ul class="post-list">',
        *_entry_lines(entries, baseurl, "%Y-%m-%d %H:%M"),
        "</ul>",
        "</section>",
    ])


def emnews_full_list(entries: Iterable[ListEntry], baseurl: str) -> bytes:
    """``/achieves/emnews/``: every rolling-news post, newest first."""
    lines = _entry_lines(entries, baseurl, "%Y-%m-%d %H:%M")
    return _page(f"全部{EMNEWS_TAG}", [
        '<section class="category">',
        f'<h1 class="page-title">全部{EMNEWS_TAG}</h1>',
        f'<p class="count">共 {len(lines)} 篇</p>',
        '<ul class="post-list">',
        *lines,
        "</ul>",
        "</section>",
    ])


def home_page(sections: Iterable[HomeSection], baseurl: str) -> bytes:
    """``index.html``: each tag with its newest posts (rolling news first)."""
    body = ['<div class="tags">']
    for section in sections:
        body += [
            '<section class="tag">',
            f'<h2 class="section-title"><a href="{html_text(baseurl + section.url)}">'
            f"{html_text(section.tag)}</a></h2>",
            '<ul class="post-list">',
            *_entry_lines(section.entries, baseurl, "%m-%d %H:%M"),
            "</ul>",
            "</section>",
        ]
    body.append("</div>")
    lines = ["---", "layout: default", "---", *body, ""]
    return "\n".join(lines).encode("utf-8")


def redirect_page(target: str) -> bytes:
    """A page that sends its reader (and search engines) to ``target``, a full URL.

    Plain HTML, no front matter: Jekyll copies it as it is, and it works on
    any static host (GitHub Pages included) without a plugin: a canonical
    link, an immediate refresh, and a link to follow by hand.
    """
    url = html.escape(target)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh-CN">\n'
        "<head>\n"
        '<meta charset="utf-8">\n'
        "<title>页面已移动</title>\n"
        f'<link rel="canonical" href="{url}">\n'
        f'<meta http-equiv="refresh" content="0; url={url}">\n'
        '<meta name="robots" content="noindex">\n'
        "</head>\n"
        "<body>\n"
        f'<p>本页已移至 <a href="{url}">{url}</a>。</p>\n'
        "</body>\n"
        "</html>\n"
    ).encode()


def category_relpath(slug: str) -> PurePosixPath:
    return PurePosixPath(CATEGORY_DIR) / f"{slug}.html"


def category_page(slug: str, media: str) -> bytes:
    """``category/<slug>.html``: front matter only; the ``category`` layout lists the posts.

    The title is the page's own media (``<media>新闻``), never another
    category's (SOURCE.md §4).  Raises :class:`.escape.Unpublishable` for an
    unsafe slug.
    """
    lines = [
        "---",
        "layout: category",
        f"title: {yaml_double_quoted(plain_text(media) + '新闻')}",
        f"category: {yaml_plain_or_quoted(safe_slug(slug))}",
        "---",
        "",
    ]
    return "\n".join(lines).encode("utf-8")


def config_yml(site_url: str) -> bytes:
    """``_config.yml``: Beijing time, the site URL, Jekyll's default permalinks.

    Posts are rendered without Liquid (``render_with_liquid: false``): an
    article that happens to contain ``{{`` or ``{%`` must not break the build
    or be altered.  No ``permalink``: the live archive is served at Jekyll's
    default, ``/<category>/YYYY/MM/DD/<name>.html``, and its URLs must stay.

    No excerpts (``excerpt_separator: ""``): no page shows one, and Jekyll
    would keep a copy of every post's first paragraph (here its whole body)
    in memory for the whole build, a tenth of its memory.
    """
    site = parse_site_url(site_url)
    lines = [
        "# The Jekyll configuration of this news archive, written by `newscrawl export`.",
        "# Change the site URL with `newscrawl export --site-url URL`; once edited by",
        "# hand, this file is left alone by newscrawl.",
        f"title: {yaml_double_quoted(SITE_TITLE)}",
        f"description: {yaml_double_quoted(SITE_DESCRIPTION)}",
        "lang: zh-CN",
        f"url: {yaml_double_quoted(site.url)}",
        f"baseurl: {yaml_double_quoted(site.baseurl)}",
        "timezone: Asia/Shanghai",
        "markdown: kramdown",
        'excerpt_separator: ""',
        "exclude:",
        "  - .newscrawl",
        "defaults:",
        "  - scope:",
        '      path: ""',
        "      type: posts",
        "    values:",
        "      render_with_liquid: false",
        "  - scope:",
        "      path: old_post",
        "    values:",
        "      render_with_liquid: false",
        "newscrawl:",
        f"  tag_authority: {yaml_double_quoted(site.host or 'newscrawl.invalid')}",
        "",
    ]
    return "\n".join(lines).encode("utf-8")


@cache
def static_files() -> dict[str, bytes]:
    """The fixed files of the site (layouts, index, feed, style), by relative path."""
    root = resources.files(__package__) / "files"
    found: dict[str, bytes] = {}

    def walk(node: Traversable, prefix: str) -> None:
        for child in node.iterdir():
            rel = f"{prefix}{child.name}"
            if child.is_dir():
                walk(child, rel + "/")
            elif not child.name.startswith("."):
                found[rel] = child.read_bytes()

    walk(root, "")
    return dict(sorted(found.items()))
