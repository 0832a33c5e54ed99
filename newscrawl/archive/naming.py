"""The archive's clock: Beijing time, and dates written at +0800.

The archive is a Chinese news archive: every date in it is Beijing time at
the fixed offset UTC+08:00, and a post's file is named after its article's
own date there (see the output format's ``post_path``).  The fixed offset
is deliberate: ``Asia/Shanghai`` in the tz database observed daylight
saving time in 1986-1991, so it would give ``+0900`` for some old summer
dates, whereas the archive always writes ``+0800``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

#: China Standard Time, the time of the source and of the archive.
BEIJING = timezone(timedelta(hours=8))


def beijing_now() -> datetime:
    return datetime.now(BEIJING)


def beijing_today() -> date:
    return beijing_now().date()


def format_date(dt: datetime) -> str:
    """``2021-12-28 19:34:54 +0800``: the archive's date, always at UTC+08:00.

    A naive datetime is taken to be Beijing time already.
    """
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=BEIJING)
    return dt.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S %z")

