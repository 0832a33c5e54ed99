"""The files of the archive around the posts, as pure functions returning bytes.

``_config.yml`` and the category pages are made here from the store's data;
the layouts, the index page, the Atom feed and the style sheet are fixed
files shipped in ``files/`` next to this module (Liquid does the listing when
Jekyll builds the site, so they never change between exports).
"""

from __future__ import annotations

from dataclasses import dataclass
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

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

#: The site's name and description, shown in every page's header and footer.
SITE_TITLE = "财经新闻存档"
SITE_DESCRIPTION = "财经新闻存档：来源各媒体的财经新闻，按来源分类。"

CATEGORY_DIR = "category"

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
    """``_config.yml``: Beijing time, the site URL, the permalinks newscrawl's spiders follow.

    Posts are rendered without Liquid (``render_with_liquid: false``): an
    article that happens to contain ``{{`` or ``{%`` must not break the build
    or be altered.  The permalink ``/YYYY/MM/DD/<code>.html`` is the archive
    post URL that ``newscrawl.sources.eastmoney`` recognises.
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
        "permalink: /:year/:month/:day/:title:output_ext",
        "markdown: kramdown",
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
