"""Category slug and tag of an article, from its media name.

The slug is the pinyin of the media name, read with pypinyin's phrase
dictionary so that a character is read in its context (中国银行 is
``zhongguoyinhang``, not ``...yinxing``; 重庆 is ``chongqing``).  It becomes
a URL path (``category/<slug>.html``), so only ASCII letters and digits stay.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Mapping
from functools import cache, lru_cache, partial
from typing import Any

from itemadapter import ItemAdapter
from pypinyin import lazy_pinyin, load_phrases_dict
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.settings import BaseSettings

from newscrawl.items import ChannelSighting

#: What a tag adds to the media name: 人民邮电报 -> 人民邮电报新闻.
TAG_SUFFIX = "新闻"

#: Readings of phrases in media names that pypinyin's own phrase dictionary
#: gets wrong: without the phrase it reads 行 as ``xing`` (walk), where a
#: bank or a trade (投行, investment bank) is ``hang``.  A wrong reading
#: becomes a wrong category URL, the first generator's mistake.
PINYIN_PHRASES: dict[str, list[list[str]]] = {
    "投行": [["tóu"], ["háng"]],
}


@cache
def _load_phrases() -> None:
    """Give pypinyin :data:`PINYIN_PHRASES`, once, when the first slug is made
    (it loads its whole phrase dictionary then: 0.1 s that a command making
    no slug need not spend)."""
    load_phrases_dict(PINYIN_PHRASES)

_NOT_SLUG_RE = re.compile(r"[^A-Za-z0-9]+")
# An override slug is a file name and a URL path segment: nothing that could
# leave the category directory or need escaping.
_OVERRIDE_SLUG_RE = re.compile(r"^[A-Za-z0-9_-]+$")


def slugify(media: str, overrides: Mapping[str, str] | None = None) -> str:
    """The category slug of a media name.

    Chinese characters become toneless pinyin, ASCII letters and digits are
    kept as they are (case included), everything else (spaces, brackets,
    punctuation) is dropped.  An entry of ``overrides`` (media name -> slug)
    wins over pinyin.  Raises :class:`ValueError` when the slug comes out empty.
    """
    name = media.strip()
    if overrides and name in overrides:
        slug = overrides[name]
        if not _OVERRIDE_SLUG_RE.match(slug):
            raise ValueError(f"override slug {slug!r} for {name!r} is not [A-Za-z0-9_-]+")
    else:
        # NFKC first: full-width letters and digits (ＡＰＰ, ２１) become ASCII.
        _load_phrases()
        syllables = lazy_pinyin(unicodedata.normalize("NFKC", name))
        slug = _NOT_SLUG_RE.sub("", "".join(syllables))
    if not slug:
        raise ValueError(f"media name {media!r} gives an empty slug")
    return slug


def tag_for(media: str) -> str:
    """The tag of a media name: the name followed by 新闻."""
    name = media.strip()
    if not name:
        raise ValueError("empty media name")
    return name + TAG_SUFFIX


def read_overrides(settings: BaseSettings) -> dict[str, str]:
    """``NEWSCRAWL_SLUG_OVERRIDES`` as a dict, given as a dict or as a JSON object string.

    A string comes from the command line (``-s NEWSCRAWL_SLUG_OVERRIDES='{"...": "..."}'``).
    Raises :class:`ValueError` for anything else, at start-up rather than per item.
    """
    raw: Any = settings.get("NEWSCRAWL_SLUG_OVERRIDES")
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return {}
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ValueError(f"NEWSCRAWL_SLUG_OVERRIDES is not valid JSON: {exc}") from exc
    if isinstance(raw, BaseSettings):
        raw = raw.copy_to_dict()
    if not isinstance(raw, Mapping):
        raise ValueError(
            f"NEWSCRAWL_SLUG_OVERRIDES must be a mapping, not {type(raw).__name__}"
        )
    overrides: dict[str, str] = {}
    for name, slug in raw.items():
        if not isinstance(name, str) or not isinstance(slug, str):
            raise ValueError(
                f"NEWSCRAWL_SLUG_OVERRIDES entry {name!r}: {slug!r} is not name -> slug text"
            )
        if not _OVERRIDE_SLUG_RE.match(slug):
            raise ValueError(
                f"NEWSCRAWL_SLUG_OVERRIDES slug {slug!r} for {name!r} is not [A-Za-z0-9_-]+"
            )
        overrides[name.strip()] = slug
    return overrides


class CategoryPipeline:
    """Sets ``slug`` and ``tag`` from ``media``; drops articles without a usable media name.

    Setting: ``NEWSCRAWL_SLUG_OVERRIDES``, media name -> fixed slug (a dict,
    or a JSON object string from the command line).
    """

    #: Media names whose slug is remembered: a crawl meets a few dozen media,
    #: and pypinyin costs about 0.1 ms a name.
    CACHE_SIZE = 1024

    def __init__(self, overrides: Mapping[str, str] | None = None) -> None:
        self.overrides = dict(overrides or {})
        #: ``slugify(media, self.overrides)``, remembered (ValueError as slugify).
        self.slug: Callable[[str], str] = lru_cache(maxsize=self.CACHE_SIZE)(
            partial(slugify, overrides=self.overrides))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CategoryPipeline:
        return cls(read_overrides(crawler.settings))

    def process_item(self, item: Any) -> Any:
        if isinstance(item, ChannelSighting):
            return item  # not an article: for the archive only
        adapter = ItemAdapter(item)
        media = adapter.get("media")
        if not isinstance(media, str) or not media.strip():
            raise DropItem("missing media name")
        try:
            slug = self.slug(media)
        except ValueError as exc:
            raise DropItem(f"media name {media.strip()!r} gives an empty slug") from exc
        adapter["slug"] = slug
        adapter["tag"] = tag_for(media)
        return item
