"""Validation of the raw article: a safe code, text fields that are text, once per run."""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from newscrawl.formats.jekyll.escape import plain_text
from newscrawl.items import ChannelSighting
from newscrawl.sources.eastmoney import is_valid_code

#: The article's text fields: each must be a JSON string (or absent).
TEXT_FIELDS = ("title", "media", "body", "digest")

_JSON_TYPES: tuple[tuple[type, str], ...] = (
    (bool, "a boolean"), (int, "a number"), (float, "a number"), (list, "a list"),
    (dict, "an object"),
)


def json_type(value: object) -> str:
    """What a JSON value is, in words: ``a list``, ``an object``, ``a number``, ``a boolean``."""
    for kind, name in _JSON_TYPES:
        if isinstance(value, kind):
            return name
    return type(value).__name__


def _without_surrogates(text: str) -> str:
    """JSON's ``\ud800`` escapes can make lone surrogates, which no file or database holds."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass").decode("utf-8", "ignore")
    return text


class DuplicateArticle(DropItem):
    """The same article a second time in one run: not a reject, just not written twice."""


class ValidatePipeline:
    """Rejects articles that cannot become a post, and repeats within one run.

    The code becomes a file name, so it must match ``^[A-Za-z0-9_-]{1,64}$``;
    nothing may escape the archive directory.
    """

    def __init__(self) -> None:
        self._seen: set[str] = set()

    def process_item(self, item: Any) -> Any:
        if isinstance(item, ChannelSighting):
            return item  # not an article: for the archive only
        adapter = ItemAdapter(item)
        code = adapter.get("code")
        if not is_valid_code(code):
            raise DropItem(f"invalid article code {code!r}")
        for name in TEXT_FIELDS:
            value = adapter.get(name)
            if value is None:
                adapter[name] = ""
            elif not isinstance(value, str):
                raise DropItem(f"{name} is {json_type(value)}, not text")
            else:
                adapter[name] = _without_surrogates(value)
        title = plain_text(adapter["title"])
        if not title:
            raise DropItem("empty title")
        adapter["title"] = title
        if not adapter["body"].strip():
            raise DropItem("empty body")
        if code in self._seen:
            raise DuplicateArticle(f"duplicate: {code} already seen in this run")
        self._seen.add(code)
        return item
