"""Validation of the raw article: a safe code, a title, a body, once per run."""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from newscrawl.formats.jekyll.post import one_line
from newscrawl.sources.eastmoney import is_valid_code


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
        adapter = ItemAdapter(item)
        code = adapter.get("code")
        if not is_valid_code(code):
            raise DropItem(f"invalid article code {code!r}")
        title = adapter.get("title")
        if not isinstance(title, str) or not one_line(title):
            raise DropItem("empty title")
        adapter["title"] = one_line(title)
        body = adapter.get("body")
        if not isinstance(body, str) or not body.strip():
            raise DropItem("empty body")
        if code in self._seen:
            raise DuplicateArticle(f"duplicate: {code} already seen in this run")
        self._seen.add(code)
        return item
