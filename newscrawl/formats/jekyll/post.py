"""A Jekyll post from an article: a pure function ``article -> bytes``.

The format is that of the archive's golden post
(``../shared/seed/000_71ee601c13832b85.txt``): front matter, the cleaned body,
the share link, and the navigation links, with no newline at the end.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from pathlib import PurePosixPath

import yaml

from newscrawl.items import Article
from newscrawl.pipelines.dates import BEIJING, format_date

DEFAULT_SITE_URL = "//finews.withounder.com"

_WHITESPACE_RUN = re.compile(r"\s+")
_PLAIN_SAFE = re.compile(r"^[^\s\"'#:\[\]{},&*!|>%@`?\\-][^\"'#:\[\]{},&*!|>%@`\\]*$")


def one_line(text: str) -> str:
    """Newlines, tabs and other whitespace runs become single spaces."""
    return _WHITESPACE_RUN.sub(" ", text).strip()


def yaml_double_quoted(text: str) -> str:
    """``text`` as a YAML double-quoted scalar that reads back exactly ``text``.

    Only ``\\`` and ``"`` need escaping once control characters are gone;
    everything else (CJK, emoji, ``:``, ``#``) is literal inside double quotes.
    """
    escaped = []
    for char in text:
        if char == "\\":
            escaped.append("\\\\")
        elif char == '"':
            escaped.append('\\"')
        elif ord(char) < 0x20 or ord(char) == 0x7F or 0x80 <= ord(char) < 0xA0:
            escaped.append(f"\\x{ord(char):02x}")
        elif char in "\u2028\u2029\ufeff":
            escaped.append(f"\\u{ord(char):04x}")
        else:
            escaped.append(char)
    return '"' + "".join(escaped) + '"'


@lru_cache(maxsize=4096)
def yaml_plain_or_quoted(text: str) -> str:
    """A plain scalar when YAML reads it back as the same string, else double-quoted.

    Remembered: it is asked for the category slug and tag of every post, a
    few dozen distinct values, and PyYAML's reading back costs about 60 µs.
    """
    if _PLAIN_SAFE.match(text):
        try:
            if yaml.safe_load(text) == text:
                return text
        except yaml.YAMLError:
            pass
    return yaml_double_quoted(text)


def yaml_tags(tag: str) -> str:
    """Jekyll splits a plain ``tags:`` string on spaces: keep one tag one tag."""
    if any(ch.isspace() for ch in tag):
        return "[" + yaml_double_quoted(tag) + "]"
    return yaml_plain_or_quoted(tag)


def markdown_text(text: str) -> str:
    """``text`` safe inside a Markdown link text: brackets and backslashes escaped."""
    return re.sub(r"([\\\[\]])", r"\\\1", text)


def post_date(article: Article) -> datetime:
    if article.date is None:
        raise ValueError(f"article {article.code} has no date")
    return article.date.astimezone(BEIJING)


def post_filename(article: Article) -> str:
    """``<YYYY-MM-DD>-<code>.md``, the date being the article's own at +0800."""
    return f"{post_date(article):%Y-%m-%d}-{article.code}.md"


def post_relpath(article: Article, folder: str = "_posts") -> PurePosixPath:
    return PurePosixPath(folder) / post_filename(article)


def category_url(slug: str, site_url: str = DEFAULT_SITE_URL) -> str:
    return f"{site_url.rstrip('/')}/category/{slug}.html"


def render_post(article: Article, site_url: str = DEFAULT_SITE_URL) -> bytes:
    """The post file of ``article``, byte for byte as the archive stores it."""
    site = site_url.rstrip("/")
    media = one_line(article.media)
    lines = [
        "---",
        "layout: post",
        f"title: {yaml_double_quoted(one_line(article.title))}",
        f"date: {format_date(post_date(article))}",
        f"categories: {yaml_plain_or_quoted(article.slug)}",
        f"tags: {yaml_tags(article.tag)}",
        "---",
        article.body,
        "",
        f"<{article.share_url}>",
        "",
        f"[返回{markdown_text(media)}新闻]({category_url(article.slug, site)})"
        f"｜[返回首页]({site}/)",
    ]
    return "\n".join(lines).encode("utf-8")
