"""The one item type newscrawl moves through its pipelines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass
class Article:
    """An article of the source, from its raw JSON to what the archive stores.

    The spider fills the raw fields (``code`` to ``digest``); the pipelines
    derive ``date``, the cleaned ``body``, ``slug`` and ``tag``.  Pipelines
    read and write it through :class:`itemadapter.ItemAdapter`.
    """

    code: str
    share_url: str
    found_on: str = ""
    title: str = ""
    raw_date: object = None
    media: str = ""
    body: str = ""
    digest: str = ""
    date: datetime | None = None
    slug: str = ""
    tag: str = ""
    fetched_at: datetime | None = None
