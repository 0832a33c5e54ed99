"""Publication dates: read whatever the source sends, keep an aware Beijing time.

The source gives times as Beijing wall-clock strings without a zone
(``2021-12-28 19:34:54``), but other feeds send ISO 8601, RFC 2822, Chinese
``年月日`` dates, epoch seconds or milliseconds, or a month and day without a
year.  Everything is normalised to the fixed offset UTC+08:00.

The fixed offset is deliberate: ``Asia/Shanghai`` in the tz database observed
daylight saving time in 1986-1991, so it would give ``+0900`` for some old
summer dates, whereas the archive always writes ``+0800``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any

from dateutil import parser as dateutil_parser
from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from newscrawl import settings as default_settings
from newscrawl.archive.naming import BEIJING, format_date
from newscrawl.items import ChannelSighting

#: Zone abbreviations understood in date strings.  ``CST`` is China Standard
#: Time here, not US Central.  Listing the UTC names too keeps dateutil from
#: reading them as the *machine's* local zone when it happens to share the name.
ZONE_NAMES: dict[str, tzinfo] = {
    "CST": BEIJING,
    "CCT": BEIJING,
    "BJT": BEIJING,
    "UTC": timezone.utc,
    "UT": timezone.utc,
    "GMT": timezone.utc,
    "Z": timezone.utc,
}

# Epoch numbers at or above this are milliseconds: 1e11 seconds is the year
# 5138, while 1e11 milliseconds is March 1973.
_EPOCH_MS_THRESHOLD = 100_000_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
# Digit strings of 9 to 13 digits are epoch times (10 = seconds, 13 = ms);
# 8 and 14 digits stay dates (YYYYMMDD, YYYYMMDDHHMMSS) for dateutil.
_EPOCH_STRING_RE = re.compile(r"^[0-9]{9,13}(?:\.[0-9]+)?$")

# Chinese date and time words, rewritten into forms dateutil reads.
_CHINESE_DATE_RE = re.compile(
    r"(?:([0-9]{2,4})\s*年\s*)?([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*[日号]"
)
_CHINESE_TIME_RE = re.compile(
    r"([0-9]{1,2})\s*[时時点點]\s*(?:([0-9]{1,2})\s*分\s*(?:([0-9]{1,2})\s*秒)?)?"
)

# Two defaults that differ in every date field (both leap years, so 29
# February parses with either): a field that comes out different between the
# two parses was not in the string.
_PROBE_DEFAULTS = (datetime(2000, 1, 1), datetime(2004, 3, 3))


class DateError(ValueError):
    """A date value that is missing or cannot be read."""


def _zone_for(name: str | None, offset: int | None) -> tzinfo | None:
    """dateutil ``tzinfos`` callback: a numeric offset wins, then a known name."""
    if offset is not None:
        return timezone(timedelta(seconds=offset))
    if name is None:
        return None
    zone = ZONE_NAMES.get(name.upper())
    if zone is None:
        raise DateError(f"unknown time zone {name!r}")
    return zone


def _from_epoch(number: float) -> datetime:
    if not math.isfinite(number):
        raise DateError(f"not a time: {number!r}")
    seconds = number / 1000 if abs(number) >= _EPOCH_MS_THRESHOLD else number
    try:
        return (_EPOCH + timedelta(seconds=seconds)).astimezone(BEIJING)
    except (OverflowError, ValueError) as exc:
        raise DateError(f"epoch time out of range: {number!r}") from exc


def _normalise_text(text: str) -> str:
    """Full-width digits and punctuation to ASCII, Chinese date words to ``-``/``:``."""
    text = unicodedata.normalize("NFKC", text).strip()

    def date_repl(match: re.Match[str]) -> str:
        year, month, day = match.groups()
        prefix = f"{year}-" if year else ""
        return f"{prefix}{month}-{day} "

    def time_repl(match: re.Match[str]) -> str:
        hour, minute, second = match.groups()
        return f"{hour}:{minute or '00'}:{second or '00'}"

    text = _CHINESE_DATE_RE.sub(date_repl, text)
    text = _CHINESE_TIME_RE.sub(time_repl, text)
    return " ".join(text.split())


def _latest_past(month_day: datetime, now: datetime) -> datetime:
    """The most recent moment with this month, day and time that is not after ``now``."""
    zone = month_day.tzinfo or BEIJING
    local_now = now.astimezone(zone)
    # Eight years back always reaches a leap year, for 29 February.
    for year in range(local_now.year, local_now.year - 9, -1):
        try:
            candidate = month_day.replace(year=year, tzinfo=zone)
        except ValueError:
            continue
        if candidate <= now:
            return candidate
    raise DateError(f"no past date for {month_day:%m-%d %H:%M:%S}")


#: The source's own form, ``2021-12-28 19:34:54`` (or with a ``T``): read
#: directly, as dateutil would read it, because nearly every article has it
#: and dateutil's general parser costs about 0.1 ms a date.
_SOURCE_FORM_RE = re.compile(
    r"^([0-9]{4})-([0-9]{2})-([0-9]{2})[ T]([0-9]{2}):([0-9]{2}):([0-9]{2})$"
)


def _parse_text(text: str, now: datetime) -> datetime:
    match = _SOURCE_FORM_RE.match(text.strip())
    if match:
        try:
            return datetime(*map(int, match.groups()))
        except ValueError:
            pass  # 2021-02-30: dateutil says why
    normalised = _normalise_text(text)
    if _EPOCH_STRING_RE.match(normalised):
        return _from_epoch(float(normalised))
    parsed: list[datetime] = []
    try:
        for default in _PROBE_DEFAULTS:
            parsed.append(dateutil_parser.parse(normalised, default=default, tzinfos=_zone_for))
    except DateError:
        raise
    except (ValueError, OverflowError) as exc:
        raise DateError(f"unreadable date {text!r}") from exc
    first, second = parsed
    if (first.month, first.day) != (second.month, second.day):
        raise DateError(f"date {text!r} has no full month and day")
    if first.year != second.year:
        return _latest_past(first, now)
    return first


def parse_date(value: object, now: datetime | None = None) -> datetime:
    """Read a publication time; return it as an aware datetime at UTC+08:00.

    ``value`` may be a string (many formats, see the module docstring), a
    number of epoch seconds or milliseconds, or a datetime.  A time without a
    zone is Beijing time; a time with a zone is converted.  A month and day
    without a year is the latest such moment not after ``now`` (default: the
    current time).

    Raises :class:`DateError` when the value is missing or unreadable.
    """
    if now is None:
        now = datetime.now(BEIJING)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=BEIJING)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise DateError("missing date")
    if isinstance(value, bool):
        raise DateError(f"not a date: {value!r}")
    if isinstance(value, datetime):
        result = value
    elif isinstance(value, int | float):
        result = _from_epoch(value)
    elif isinstance(value, str):
        result = _parse_text(value, now)
    else:
        raise DateError(f"unsupported date value of type {type(value).__name__}")
    if result.tzinfo is None:
        return result.replace(tzinfo=BEIJING)
    try:
        return result.astimezone(BEIJING)
    except (OverflowError, ValueError) as exc:  # 0001-01-01T00:00+14:00 has no +0800 time
        raise DateError(f"date out of range: {value!r}") from exc



def _short_repr(value: object, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def min_date_setting(value: object) -> datetime:
    """``NEWSCRAWL_MIN_DATE`` (``YYYY-MM-DD``, or a datetime) as the first moment allowed, +0800."""
    if isinstance(value, datetime):
        day = value
    else:
        try:
            day = datetime.strptime(str(value).strip(), "%Y-%m-%d")
        except ValueError as exc:
            raise ValueError(f"NEWSCRAWL_MIN_DATE: expected YYYY-MM-DD, got {value!r}") from exc
    if day.year < 1000:
        raise ValueError(f"NEWSCRAWL_MIN_DATE: {value!r} is before the year 1000")
    return day.replace(tzinfo=BEIJING) if day.tzinfo is None else day.astimezone(BEIJING)


class DatesPipeline:
    """Sets ``date`` from ``raw_date``; drops unreadable dates and dates out of range.

    Settings: ``NEWSCRAWL_MAX_FUTURE_HOURS``, how far ahead of now a date may
    lie before the article is rejected (clocks and feeds drift, a little is
    fine; a year 2099 is not), and ``NEWSCRAWL_MIN_DATE``, the first day an
    article may have (a year 0001 is a broken date, and it would name the
    post's file with a year of fewer than four digits).
    """

    def __init__(
        self,
        max_future_hours: float | None = None,
        clock: Callable[[], datetime] | None = None,
        min_date: object = None,
    ) -> None:
        if max_future_hours is None:
            max_future_hours = default_settings.NEWSCRAWL_MAX_FUTURE_HOURS
        self.max_future = timedelta(hours=float(max_future_hours))
        self.clock = clock or (lambda: datetime.now(BEIJING))
        if min_date is None:
            min_date = default_settings.NEWSCRAWL_MIN_DATE
        self.min_date = min_date_setting(min_date)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DatesPipeline:
        return cls(
            crawler.settings.get("NEWSCRAWL_MAX_FUTURE_HOURS"),
            min_date=crawler.settings.get("NEWSCRAWL_MIN_DATE"),
        )

    def process_item(self, item: Any) -> Any:
        if isinstance(item, ChannelSighting):
            return item  # not an article: for the archive only
        adapter = ItemAdapter(item)
        raw = adapter.get("raw_date")
        now = self.clock()
        try:
            date = parse_date(raw, now=now)
        except DateError as exc:
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                raise DropItem("missing date") from exc
            raise DropItem(f"unreadable date {_short_repr(raw)}") from exc
        if date < self.min_date:
            raise DropItem(
                f"date {_short_repr(raw)} is before {self.min_date:%Y-%m-%d} (NEWSCRAWL_MIN_DATE)"
            )
        if date - now > self.max_future:
            raise DropItem(f"date {format_date(date)} lies in the future")
        adapter["date"] = date
        return item
