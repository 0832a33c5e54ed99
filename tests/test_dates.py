"""Tests of publication date parsing, formatting and the dates pipeline."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from dateutil import parser as dateutil_parser
from hypothesis import given, settings
from hypothesis import strategies as st
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from newscrawl import settings as newscrawl_settings
from newscrawl.items import Article
from newscrawl.pipelines.dates import (
    BEIJING,
    DateError,
    DatesPipeline,
    format_date,
    parse_date,
)

pytestmark = pytest.mark.unit

PLUS_8 = timezone(timedelta(hours=8))
GOLDEN_MOMENT = datetime(2021, 12, 28, 19, 34, 54, tzinfo=PLUS_8)
NOW = datetime(2022, 1, 5, 12, 0, 0, tzinfo=PLUS_8)
#: 2022-01-05 04:00 in Beijing, given in UTC (still the 4th there).
FOUR_AM_IN_UTC = datetime(2022, 1, 4, 20, 0, tzinfo=timezone.utc)


def test_beijing_is_a_fixed_offset() -> None:
    assert BEIJING == PLUS_8
    # Asia/Shanghai had DST in 1986-1991; the archive's +0800 never changes.
    assert datetime(1988, 7, 1, tzinfo=BEIJING).utcoffset() == timedelta(hours=8)


@pytest.mark.parametrize(
    "value",
    [
        "2021-12-28 19:34:54",
        "  2021-12-28 19:34:54\n",
        "2021/12/28 19:34:54",
        "2021-12-28T11:34:54Z",
        "2021-12-28T19:34:54+08:00",
        "2021-12-28T12:34:54+01:00",
        "Tue, 28 Dec 2021 11:34:54 GMT",
        "Tue, 28 Dec 2021 11:34:54 +0000",
        "Tue, 28 Dec 2021 19:34:54 CST",
        "2021-12-28 19:34:54 CST",
        "2021年12月28日 19:34:54",
        "2021年12月28日19时34分54秒",
        "２０２１年１２月２８日　１９：３４：５４",
        1640691294,
        1640691294000,
        1640691294.0,
        "1640691294",
        "1640691294000",
        GOLDEN_MOMENT,
        GOLDEN_MOMENT.astimezone(timezone.utc),
        datetime(2021, 12, 28, 19, 34, 54),  # naive: Beijing time
    ],
)
def test_parses_the_golden_moment_in_every_form(value: object) -> None:
    parsed = parse_date(value, now=NOW)
    assert parsed == GOLDEN_MOMENT
    assert parsed.utcoffset() == timedelta(hours=8)
    assert parsed.tzinfo == PLUS_8


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2021-12-28 19:34", "2021-12-28 19:34:00 +0800"),
        ("2021年12月28日 19:34", "2021-12-28 19:34:00 +0800"),
        ("2021年12月28日", "2021-12-28 00:00:00 +0800"),
        ("2021-12-28", "2021-12-28 00:00:00 +0800"),
        ("20211228", "2021-12-28 00:00:00 +0800"),
        ("1640691294500", "2021-12-28 19:34:54 +0800"),  # milliseconds, fraction dropped on format
        ("1988-07-01 12:00:00", "1988-07-01 12:00:00 +0800"),  # no DST
        ("1988-07-01T04:00:00Z", "1988-07-01 12:00:00 +0800"),
        ("2021-12-31T23:30:00-05:00", "2022-01-01 12:30:00 +0800"),
    ],
)
def test_parses_other_forms(value: str, expected: str) -> None:
    assert format_date(parse_date(value, now=NOW)) == expected


def test_epoch_seconds_and_milliseconds_are_told_apart_by_magnitude() -> None:
    assert parse_date(1640691294) == parse_date(1640691294000) == GOLDEN_MOMENT
    assert parse_date(1_000_000_000) == datetime(2001, 9, 9, 9, 46, 40, tzinfo=PLUS_8)
    assert parse_date(100_000_000_000) == datetime(1973, 3, 3, 17, 46, 40, tzinfo=PLUS_8)


@pytest.mark.parametrize(
    ("value", "now", "expected"),
    [
        # this year when that is not in the future...
        ("12-28 19:34", datetime(2021, 12, 29, 8, 0, tzinfo=PLUS_8), "2021-12-28 19:34:00 +0800"),
        # ...else last year
        ("12-28 19:34", NOW, "2021-12-28 19:34:00 +0800"),
        ("01-05 12:00", NOW, "2022-01-05 12:00:00 +0800"),  # exactly now is not the future
        ("01-05 12:01", NOW, "2021-01-05 12:01:00 +0800"),
        ("12月28日 19:34", NOW, "2021-12-28 19:34:00 +0800"),
        ("12/28 19:34:54", NOW, "2021-12-28 19:34:54 +0800"),
        ("Dec 28 19:34", NOW, "2021-12-28 19:34:00 +0800"),
        # 29 February: the latest leap year not in the future
        ("02-29 10:00", NOW, "2020-02-29 10:00:00 +0800"),
        ("02-29 10:00", datetime(2024, 3, 1, tzinfo=PLUS_8), "2024-02-29 10:00:00 +0800"),
        # "now" in another zone is the same moment
        ("01-05 03:59", FOUR_AM_IN_UTC, "2022-01-05 03:59:00 +0800"),
        ("01-05 04:01", FOUR_AM_IN_UTC, "2021-01-05 04:01:00 +0800"),
    ],
)
def test_a_date_without_year_is_the_latest_such_moment_not_in_the_future(
    value: str, now: datetime, expected: str
) -> None:
    assert format_date(parse_date(value, now=now)) == expected


def test_a_date_without_year_defaults_to_the_real_now() -> None:
    yesterday = datetime.now(PLUS_8) - timedelta(days=1)
    parsed = parse_date(yesterday.strftime("%m-%d %H:%M"))
    assert parsed.year == yesterday.year
    assert parsed <= datetime.now(PLUS_8)


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "   ",
        "not a date",
        "Today is 2021-12-28 19:34",  # would need fuzzy parsing, which drops parts silently
        "2021-12",  # no day
        "19:34",  # no date
        "2021-13-45 10:00",
        "Tue, 28 Dec 2021 11:34:54 EST",  # a zone name that could mean anything
        True,
        [2021, 12, 28],
        float("nan"),
        float("inf"),
        10**30,
    ],
)
def test_unreadable_values_raise_date_error(value: object) -> None:
    with pytest.raises(DateError):
        parse_date(value, now=NOW)


def test_date_error_is_a_value_error_with_a_clear_message() -> None:
    assert issubclass(DateError, ValueError)
    with pytest.raises(ValueError, match="missing date"):
        parse_date(None)
    with pytest.raises(ValueError, match="unreadable date 'soon'"):
        parse_date("soon")
    with pytest.raises(ValueError, match="unknown time zone 'EST'"):
        parse_date("2021-12-28 11:34:54 EST")


def test_format_date() -> None:
    assert format_date(GOLDEN_MOMENT) == "2021-12-28 19:34:54 +0800"
    assert format_date(GOLDEN_MOMENT.astimezone(timezone.utc)) == "2021-12-28 19:34:54 +0800"
    assert format_date(datetime(2021, 12, 28, 19, 34, 54)) == "2021-12-28 19:34:54 +0800"
    assert format_date(datetime(1990, 6, 1, 12, 0, tzinfo=PLUS_8)) == "1990-06-01 12:00:00 +0800"


# --- The pipeline ------------------------------------------------------------------------


def make_pipeline(settings: dict[str, object] | None = None) -> DatesPipeline:
    """The pipeline as a crawl builds it: newscrawl's defaults, ``settings`` on top."""
    defaults = {"NEWSCRAWL_MAX_FUTURE_HOURS": newscrawl_settings.NEWSCRAWL_MAX_FUTURE_HOURS}
    return DatesPipeline.from_crawler(get_crawler(settings_dict={**defaults, **(settings or {})}))


def article(raw_date: object) -> Article:
    return Article(code="NW202112282228838683", share_url="http://h/x", raw_date=raw_date)


def test_pipeline_sets_the_date() -> None:
    item = article("2021-12-28 19:34:54")
    assert make_pipeline().process_item(item) is item
    assert item.date == GOLDEN_MOMENT
    assert item.date.utcoffset() == timedelta(hours=8)
    assert item.raw_date == "2021-12-28 19:34:54"


def test_pipeline_accepts_epoch_milliseconds() -> None:
    item = article(1640691294000)
    make_pipeline().process_item(item)
    assert item.date == GOLDEN_MOMENT


@pytest.mark.parametrize(
    ("raw_date", "reason"),
    [
        ("not a date", "unreadable date 'not a date'"),
        ("2021-12-28 11:34:54 EST", "unreadable date '2021-12-28 11:34:54 EST'"),
        (None, "missing date"),
        ("  ", "missing date"),
        ("2099-01-01 00:00:00", "date 2099-01-01 00:00:00 +0800 lies in the future"),
        ("x" * 200, "unreadable date '" + "x" * 76 + "..."),
    ],
)
def test_pipeline_drops_with_a_reason(raw_date: object, reason: str) -> None:
    with pytest.raises(DropItem) as caught:
        make_pipeline().process_item(article(raw_date))
    assert str(caught.value) == reason
    assert "\n" not in str(caught.value)


def test_pipeline_future_limit_comes_from_the_setting() -> None:
    in_two_hours = (datetime.now(PLUS_8) + timedelta(hours=2)).strftime("%Y-%m-%d %H:%M:%S")
    kept = article(in_two_hours)
    make_pipeline().process_item(kept)  # default: 48 hours ahead are tolerated
    assert kept.date is not None
    for limit in (1, "1", 1.5):  # from settings.py or from the command line
        with pytest.raises(DropItem, match="lies in the future"):
            make_pipeline({"NEWSCRAWL_MAX_FUTURE_HOURS": limit}).process_item(
                article(in_two_hours)
            )


def test_pipeline_clock_can_be_given() -> None:
    pipeline = DatesPipeline(max_future_hours=48, clock=lambda: NOW)
    item = article("12-28 19:34")
    pipeline.process_item(item)
    assert item.date == datetime(2021, 12, 28, 19, 34, tzinfo=PLUS_8)
    with pytest.raises(DropItem, match=r"^date 2022-01-07 12:00:01 \+0800 lies in the future$"):
        pipeline.process_item(article("2022-01-07T04:00:01Z"))
    pipeline.process_item(article("2022-01-07 12:00:00"))  # exactly 48 hours ahead


@given(st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59)),
       st.sampled_from([" ", "T"]))
@settings(max_examples=300)
def test_property_the_source_form_reads_as_dateutil_reads_it(moment: datetime,
                                                             separator: str) -> None:
    """The source's form has a shortcut past dateutil; it must give what dateutil gives."""
    text = moment.replace(microsecond=0).isoformat(sep=separator)
    text = f"{moment.year:04d}{text[text.index('-'):]}"  # years below 1000: four digits
    expected = dateutil_parser.parse(text).replace(tzinfo=BEIJING)
    assert parse_date(text, now=NOW) == expected
    assert parse_date(f"  {text}\n", now=NOW) == expected


@pytest.mark.parametrize("text", ["2021-02-30 10:00:00", "2021-12-28 24:00:00",
                                  "2021-12-28 19:60:00", "0000-01-01 00:00:00"])
def test_impossible_dates_in_the_source_form_are_refused(text: str) -> None:
    with pytest.raises(DateError, match="unreadable date"):
        parse_date(text, now=NOW)


@pytest.mark.parametrize("raw", ["0001-01-01 00:00:00", "0999-12-31 10:00:00",
                                 "1989-12-31 23:59:59", "0001-01-01T00:00:00+14:00",
                                 "-62135596800"])
def test_dates_before_the_floor_or_without_a_year_of_four_digits_are_rejected(raw: str) -> None:
    """A year 0001 would name the post's file ``1-01-01-…`` and break every later export."""
    with pytest.raises(DropItem, match=r"before 1990-01-01 \(NEWSCRAWL_MIN_DATE\)|unreadable"):
        DatesPipeline(clock=lambda: NOW).process_item(article(raw))


def test_the_floor_is_a_setting() -> None:
    crawler = get_crawler(settings_dict={"NEWSCRAWL_MIN_DATE": "2021-12-28"})
    pipeline = DatesPipeline.from_crawler(crawler)
    with pytest.raises(DropItem, match=r"^date '2021-12-27 23:59:59' is before 2021-12-28 "):
        pipeline.process_item(article("2021-12-27 23:59:59"))
    assert pipeline.process_item(article("2021-12-28 00:00:00")).date is not None
    with pytest.raises(ValueError, match="NEWSCRAWL_MIN_DATE"):
        DatesPipeline(min_date="1990")
