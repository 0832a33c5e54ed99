"""Every value of the source, made safe for where it lands in the archive's files.

The source is not trusted: a title, a media name or a share link may carry
quotes, markup, control characters or a line break meant to end the syntax
it sits in.  Each function here knows one place a value lands in a post or
a page (a YAML scalar, Markdown link text, a Kramdown ``<…>`` autolink, a
file name) and either escapes the value for it or raises
:class:`Unpublishable` with the reason.  The post and page writers use
nothing else; the layouts escape with Liquid (``| escape``, ``| xml_escape``).
"""

from __future__ import annotations

import re
from functools import lru_cache

import yaml

from newscrawl.formats import Unpublishable

__all__ = ["Unpublishable", "autolink_url", "is_safe_slug", "markdown_text", "one_line",
           "plain_text", "safe_slug", "writable", "yaml_double_quoted", "yaml_plain_or_quoted",
           "yaml_tags"]


#: Characters that no file of the archive may hold: C0 and C1 controls
#: (whitespace aside), DEL, lone surrogates (not encodable as UTF-8) and the
#: noncharacters (U+FDD0..U+FDEF, U+xFFFE, U+xFFFF), which YAML and XML refuse.
_UNWRITABLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
    + "".join(f"{chr(plane + 0xFFFE)}{chr(plane + 0xFFFF)}"
              for plane in range(0, 0x110000, 0x10000))
    + "]"
)
_WHITESPACE_RUN = re.compile(r"\s+")
_PLAIN_SAFE = re.compile(r"^[^\s\"'#:\[\]{},&*!|>%@`?\\-][^\"'#:\[\]{},&*!|>%@`\\]*$")
#: A slug that is safe as one file name, one URL path segment and a plain YAML scalar.
_SAFE_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def writable(text: str) -> str:
    """``text`` without the characters no file may hold (see :data:`_UNWRITABLE`)."""
    return _UNWRITABLE.sub("", text) if _UNWRITABLE.search(text) else text


def one_line(text: str) -> str:
    """Newlines, tabs and other whitespace runs become single spaces."""
    return _WHITESPACE_RUN.sub(" ", text).strip()


def plain_text(text: str) -> str:
    """A title or media name as written: one line, only characters every file can hold.

    White space first (a NEL or a unit separator is a space, not nothing),
    then what no file holds, then the spaces that removal brought together.
    """
    text = one_line(text)
    return one_line(writable(text)) if _UNWRITABLE.search(text) else text


# -- YAML (front matter, _config.yml) ----------------------------------------


def yaml_double_quoted(text: str) -> str:
    """``text`` as a YAML double-quoted scalar that reads back exactly ``text``.

    Backslashes and double quotes are escaped, and every character YAML does
    not allow raw (controls, the line separators, the byte order mark) is
    written as an escape (U+FFFE, U+FFFF and lone surrogates too, which YAML
    reads back but XML and UTF-8 cannot hold: the post writer removes them
    first, with :func:`writable`); everything else (CJK, emoji, ``:``,
    ``#``) is literal inside double quotes.
    """
    escaped = []
    for char in text:
        if char == "\\":
            escaped.append("\\\\")
        elif char == '"':
            escaped.append('\\"')
        elif ord(char) < 0x20 or ord(char) == 0x7F or 0x80 <= ord(char) < 0xA0:
            escaped.append(f"\\x{ord(char):02x}")
        elif char in "\u2028\u2029\ufeff\ufffe\uffff" or "\ud800" <= char <= "\udfff":
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


# -- Markdown (Kramdown, GFM input: Jekyll's default) -------------------------

#: Characters of link text that Kramdown would read as markup: HTML and
#: entities (``<``, ``>``, ``&``: written as entities), and the span syntax
#: it escapes with a backslash (links, emphasis, code, math, attribute
#: lists, table cells, GFM strike-through, smart quotes, the typographic
#: ``--`` and ``...``).
_MARKDOWN_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_MARKDOWN_ESCAPED = set("\\`*_{}[]|$~\"'-.")
_MARKDOWN_SPECIAL = re.compile(r"[&<>\\`*_{}\[\]|$~\"'.-]")


def markdown_text(text: str) -> str:
    """``text`` as Markdown link text that Kramdown shows as exactly ``text``, never as markup."""
    if not _MARKDOWN_SPECIAL.search(text):
        return text
    out = []
    for char in text:
        if char in _MARKDOWN_ENTITIES:
            out.append(_MARKDOWN_ENTITIES[char])
        elif char in _MARKDOWN_ESCAPED:
            out.append("\\" + char)
        else:
            out.append(char)
    return "".join(out)


#: What stays as it is inside a Kramdown autolink ``<…>``: RFC 3986's
#: unreserved and reserved characters, less the quote; ``%`` only as the
#: start of a percent-escape.  Everything else (``<``, ``>``, ``"``, ``'``,
#: ``|``, white space, backslashes, controls, non-ASCII) is percent-encoded.
_URL_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                      "-._~:/?#[]@!$&()*+,;=")
_URL_ALREADY_SAFE = re.compile(r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&()*+,;=]|%[0-9A-Fa-f]{2})*")
_HTTP_URL = re.compile(r"(https?)://([^/?#]*)(.*)", re.IGNORECASE | re.DOTALL)
_HEX = frozenset("0123456789abcdefABCDEF")
_ENTITY_LIKE = re.compile(r"(&#?[A-Za-z0-9_]+);")


def autolink_url(url: str) -> str:
    """``url`` as the inside of a Kramdown autolink ``<…>``: an http(s) URL, percent-encoded.

    Raises :class:`Unpublishable` for anything but an absolute http(s) URL
    with a host (``javascript:``, ``data:``, relative links).
    """
    match = _HTTP_URL.fullmatch(url)
    if match is None or not match[2].strip():
        raise Unpublishable(f"share link is not an http(s) URL: {url[:200]!r}")
    url = f"{match[1].lower()}://{match[2]}{match[3]}"
    if not _URL_ALREADY_SAFE.fullmatch(url):
        out = []
        for index, char in enumerate(url):
            if char in _URL_SAFE or (
                char == "%" and url[index + 1:index + 2] in _HEX
                and url[index + 2:index + 3] in _HEX
            ):
                out.append(char)
            else:
                out.extend(f"%{byte:02X}" for byte in char.encode("utf-8", "surrogatepass"))
        url = "".join(out)
    # Kramdown reads "&lt;" in an autolink as the entity: its ";" is encoded instead.
    return _ENTITY_LIKE.sub(r"\1%3B", url) if "&" in url and ";" in url else url


# -- names --------------------------------------------------------------------


def is_safe_slug(slug: str) -> bool:
    return bool(_SAFE_SLUG.match(slug))


def safe_slug(slug: str) -> str:
    """A category slug as a file name and URL segment, or :class:`Unpublishable`."""
    if not is_safe_slug(slug):
        raise Unpublishable(f"unsafe category slug {slug[:80]!r}")
    return slug
