"""One post of the first generator's archive, read back into an article's raw fields.

The first generator formatted strings, so its posts are read line by line,
not as YAML: a title with an unescaped ``"`` is still recovered from its
line.  Forms read (SOURCE.md §6): media posts, rolling-news posts, the early
rolling-news form (digest only, no ``+0800``, relative navigation links on
two lines), CR LF line ends, bodies that mix Markdown with raw source HTML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bs4 import BeautifulSoup, NavigableString

from newscrawl.sources import eastmoney as source

#: The tag of rolling news, and the category its posts are filed under.
ROLLING_TAG = "东财滚动新闻"
ROLLING_CATEGORY = "emnews"
#: The host of the share links the first generator wrote.
SOURCE_HOST = "http://finews.zning.xyz"

_NAME_RE = re.compile(r"^(?:(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})-)?-?(?P<code>[A-Za-z0-9_]+)\.md$")
_LINK_LINE_RE = re.compile(r"^<(?P<url>[a-z]+://[^<>\s]*)>$")
_NAV_LINE_RE = re.compile(r"^\[返回[^\]]*\]\([^)]*\)")
_SOURCE_LINE_RE = re.compile(r"（文章来源：([^）<]+)）")
_DIGEST_PREFIX_RE = re.compile(r"^【[^】]*】")


class LegacyPostError(ValueError):
    """A post that cannot be imported; the message says why."""


@dataclass
class LegacyPost:
    """What a legacy post says about its article (raw, before the pipelines)."""

    name: str
    code: str
    title: str
    raw_date: str
    media: str
    body: str
    digest: str
    share_url: str
    category: str
    #: The ``<…>`` link line as written (a rolling-news post's ``url_w``).
    link: str = ""


def code_of_name(name: str) -> str | None:
    """The article code a legacy post's file name carries (``-<CODE>.md`` too)."""
    match = _NAME_RE.match(name)
    return match["code"] if match else None


def _front_matter(lines: list[str], name: str) -> tuple[dict[str, str], list[str]]:
    if not lines or lines[0].strip() != "---":
        raise LegacyPostError("no front matter")
    for end in range(1, len(lines)):
        if lines[end].strip() == "---":
            break
    else:
        raise LegacyPostError("front matter not closed")
    fields: dict[str, str] = {}
    for line in lines[1:end]:
        key, sep, value = line.partition(":")
        if sep:
            fields[key.strip()] = value.strip()
    return fields, lines[end + 1:]


def _title(value: str) -> str:
    """The title from its line, whatever quotes it holds: ``"a "b" c"`` is ``a "b" c``."""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
    return value.replace('\\"', '"').strip()


def body_html(markup: str) -> str:
    """Legacy body text (Markdown paragraphs mixed with raw, often broken, HTML) as HTML.

    beautifulsoup4's forgiving parser reads the broken HTML; the Markdown
    paragraphs (text outside any element, separated by blank lines) become
    ``<p>`` elements.  A body that is already clean HTML is returned as it is.
    """
    text = markup.strip()
    if text.startswith("<") and text.endswith(">") and "\n\n" not in text:
        return text  # one run of HTML, as the crawler writes it: the cleaner reads it
    soup = BeautifulSoup(text, "html.parser")
    parts: list[str] = []
    for node in list(soup.contents):
        if isinstance(node, NavigableString):
            for paragraph in re.split(r"\n\s*\n", str(node)):
                paragraph = " ".join(paragraph.split())
                if paragraph:
                    escaped = (paragraph.replace("&", "&amp;").replace("<", "&lt;")
                               .replace(">", "&gt;"))
                    parts.append(f"<p>{escaped}</p>")
        else:
            parts.append(str(node))
    return "".join(parts)


def read_post(name: str, data: bytes) -> LegacyPost:
    """Read one legacy post; :class:`LegacyPostError` when it cannot be imported."""
    code = code_of_name(name)
    if code is None:
        raise LegacyPostError("not a post file name (<YYYY-MM-DD>-<CODE>.md)")
    if name.startswith("-"):
        raise LegacyPostError("no date in the file name (-<CODE>.md): the source sent no article")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LegacyPostError(f"not UTF-8 ({exc.reason} at byte {exc.start})") from exc
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    fields, rest = _front_matter(lines, name)
    title = _title(fields.get("title", ""))
    if not title:
        raise LegacyPostError("no title")
    raw_date = fields.get("date", "").strip()
    if not raw_date or raw_date.startswith("+"):
        raise LegacyPostError("no date")
    category = fields.get("categories", "").strip()
    tag = fields.get("tags", "").strip()
    body_lines: list[str] = []
    link = ""
    digest = ""
    for line in rest:
        stripped = line.strip()
        link_line = _LINK_LINE_RE.match(stripped)
        if link_line:
            link = link_line["url"]
            continue
        if stripped == "<>":
            continue
        if _NAV_LINE_RE.match(stripped):
            continue
        if stripped.startswith("> ") and not body_lines and not digest:
            digest = stripped[2:].strip()
            continue
        body_lines.append(line)
    body = body_html("\n".join(body_lines))
    found = _SOURCE_LINE_RE.search(body)
    if category == ROLLING_CATEGORY or tag == ROLLING_TAG:
        # The article's own media, when its source line names it.
        media = found.group(1).strip() if found else ROLLING_TAG
    else:
        media = tag[:-2] if tag.endswith("新闻") else tag
        if not media and found:
            media = found.group(1).strip()
    if not body.strip() and digest:
        body = f"<p>{digest}</p>"  # the early rolling-news form: the digest is the body
    rolling = category == ROLLING_CATEGORY
    share_url = link if link and source.is_share_url(link) and not rolling else (
        source.share_url(code, SOURCE_HOST))
    return LegacyPost(name=name, code=code, title=title, raw_date=raw_date, media=media,
                      body=body, digest=_DIGEST_PREFIX_RE.sub("", digest), share_url=share_url,
                      category=category, link=link)
