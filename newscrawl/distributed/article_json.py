"""Articles as JSON in Redis, between the workers and the collector; dates keep their zone.

scrapy-redis's own serializer writes dates without their UTC offset (gap 3).
"""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import datetime
from typing import Any

from itemadapter import ItemAdapter

from newscrawl.items import Article, ChannelSighting, channel_from_value


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


_ARTICLE_FIELDS = {f.name for f in fields(Article)}
_DATE_FIELDS = ("date", "fetched_at")


def article_to_json(item: Any) -> str:
    """An article as JSON for the items list; dates keep their zone (ISO 8601)."""
    return json.dumps(ItemAdapter(item).asdict(), ensure_ascii=False, default=_json_default)


def sighting_from_json(data: bytes | str) -> ChannelSighting | None:
    """The :class:`ChannelSighting` of :func:`article_to_json`'s output, None for an article."""
    record = json.loads(data)
    if not isinstance(record, dict) or "channel" not in record or "share_url" in record:
        return None
    return ChannelSighting(code=str(record["code"]), channel=channel_from_value(record["channel"]))


def article_from_json(data: bytes | str) -> Article:
    """The :class:`Article` of :func:`article_to_json`'s output."""
    record = json.loads(data)
    values = {k: v for k, v in record.items() if k in _ARTICLE_FIELDS}
    for name in _DATE_FIELDS:
        if isinstance(values.get(name), str):
            values[name] = datetime.fromisoformat(values[name])
    return Article(**values)
