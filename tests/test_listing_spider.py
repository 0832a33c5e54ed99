"""The ``category`` and ``feed`` spiders on fake answers: which requests each page yields.

No network: each spider is built with ``from_crawler(get_crawler(...))`` and
handed a response built here; the tests assert on the requests it yields.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, TextResponse
from scrapy.utils.test import get_crawler

from newscrawl import signals as newscrawl_signals
from newscrawl.archive.store import Store
from newscrawl.items import EMNEWS, MEDIA, Article, Channel, ChannelSighting
from newscrawl.middlewares.backoff import RetryBackoffMiddleware, backoff_delay
from newscrawl.runner import project_settings
from newscrawl.sources import eastmoney as source
from newscrawl.spiders.category import CategorySpider
from newscrawl.spiders.feed import FeedSpider
from newscrawl.spiders.listing import SITE_KEY, START_KEY, ListingSpider, split_start_urls

HOST = "http://news.test"
SHARE = f"{HOST}/html_News/NewsShare.html?infoCode="
ARTICLE = f"{HOST}/NewsData/GetNewsText.do?id="


def make_spider(
    tmp_path: Path, start_urls: str | list[str] = f"{HOST}/category/a.html",
    spider_cls: type[ListingSpider] = CategorySpider, **settings: Any,
) -> ListingSpider:
    # newscrawl's own settings are declared in newscrawl.settings only.
    own = {k: v for k, v in project_settings().items() if k.startswith("NEWSCRAWL_")}
    crawler = get_crawler(spider_cls, {**own, "NEWSCRAWL_OUT_DIR": str(tmp_path), **settings})
    return spider_cls.from_crawler(crawler, start_urls=start_urls)


def failures(spider: ListingSpider) -> list[dict[str, Any]]:
    """Collects what the spider reports through the ``fetch_failed`` signal."""
    seen: list[dict[str, Any]] = []

    def record(**kwargs: Any) -> None:
        seen.append({k: kwargs[k] for k in ("url", "code", "reason")})

    spider.crawler.signals.connect(record, signal=newscrawl_signals.fetch_failed, weak=False)
    return seen


def html(url: str, body: str, site: str = "news.test", start: bool = False) -> HtmlResponse:
    request = Request(url, meta={SITE_KEY: site, START_KEY: start})
    return HtmlResponse(url, body=body.encode("utf-8"), encoding="utf-8", request=request)


def as_json(url: str, data: Any, start: bool = True) -> TextResponse:
    request = Request(url, meta={SITE_KEY: "news.test", START_KEY: start})
    return TextResponse(url, body=json.dumps(data).encode(), encoding="utf-8",
                        headers={"Content-Type": "application/json"}, request=request)


def urls(requests: Iterable[Any]) -> list[str]:
    return [r.url for r in requests if isinstance(r, Request)]


def start_requests(spider: ListingSpider) -> list[Request]:
    async def collect() -> list[Request]:
        return [request async for request in spider.start()]

    return asyncio.run(collect())


CATEGORY_PAGE = f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="/style.css"><link rel="next" href="/category/a.html?page=2">
</head><body>
<div class="nav"><a href="/">返回首页</a> | <a href="/tags.html">标签云</a> |
<a href="javascript:void(0)">收藏本页</a> | <a href="http://example.com/ad/landing.html">广告</a> |
<a href="/private/drafts.html">内部稿件</a> | <a href="mailto:x@news.test">mail</a></div>
<ul>
<li><a href="{SHARE}NW1">one</a></li>
<li><a href="/html_News/NewsShare.html?infoCode=NW2#top">two (relative, with a fragment)</a></li>
<li><a href="{SHARE}NW1">one again</a></li>
<li><a href="/a/2022/01/03/NW3.html">three, an archive post page</a></li>
<li><a href="http://other.test/a/2022/01/04/NW4.html">a post page on another host</a></li>
<li><a href="/old_post/2022-01-08-NW8.html">eight, a post the archive moved to old_post/</a></li>
<li><a href="/emnews/2022/01/09/202201090000000009.html">a rolling-news post</a></li>
<li><a href="http://other.test/html_News/NewsShare.html?infoCode=NW5">share link elsewhere</a></li>
<li><a href="http://finews.zning.xyz/html_News/NewsShare.html?infoCode=NW6">source host</a></li>
<li><a href="{SHARE}bad/../code">bad code</a></li>
<li><a href="/category/b.html">another category</a></li>
</ul>
<div class="pager"><a href="?page=1">1</a> <a href="/category/a.html?page=3">3</a>
<a href="http://other.test/category/a.html?page=2">下一页</a>
<a href="/category/a.html">第一页</a></div>
</body></html>"""


def test_a_category_page_yields_share_links_posts_and_pagination_only(tmp_path: Path) -> None:
    spider = make_spider(tmp_path)
    problems = failures(spider)
    requests = urls(spider.parse(html(f"{HOST}/category/a.html?page=2", CATEGORY_PAGE)))
    assert requests == [
        f"{HOST}/category/a.html?page=2",  # <link rel="next">; the dupefilter drops repeats
        f"{ARTICLE}NW1",
        f"{ARTICLE}NW2",
        f"{HOST}/a/2022/01/03/NW3.html",
        f"{HOST}/old_post/2022-01-08-NW8.html",
        "http://finews.zning.xyz/NewsData/GetNewsText.do?id=NW6",
        f"{HOST}/category/a.html",  # ?page=1 is the listing itself
        f"{HOST}/category/a.html?page=3",
    ]
    # Nothing else: not other hosts, javascript:, mailto:, home, tags, /private/, other
    # categories, the "第一页" link back, a rolling-news post (named by its list entry,
    # no share link in it).  The bad code is reported, not requested.
    assert [p["reason"] for p in problems] == ["invalid article code 'bad/../code'"]


class KnowsOneAndThree:
    """A backend of the skip-known-articles component that knows articles NW1 and NW3."""

    def __contains__(self, code: object) -> bool:
        return code in {"NW1", "NW3"}


def test_known_articles_come_from_the_backend_the_settings_name(tmp_path: Path) -> None:
    page = html(f"{HOST}/category/a.html?page=2", CATEGORY_PAGE)
    spider = make_spider(tmp_path, NEWSCRAWL_KNOWN_BACKEND=f"{__name__}.KnowsOneAndThree")
    requests = urls(spider.parse(page))
    assert f"{ARTICLE}NW2" in requests
    # Neither the known article nor the post page named after the other one.
    assert f"{ARTICLE}NW1" not in requests and f"{HOST}/a/2022/01/03/NW3.html" not in requests
    stats = spider.crawler.stats
    assert stats.get_value("newscrawl/known_skipped") == 1
    assert stats.get_value("newscrawl/known_post_pages_skipped") == 1
    # --refresh: no backend is asked, every article is requested.
    refresh = make_spider(tmp_path, NEWSCRAWL_KNOWN_BACKEND=f"{__name__}.KnowsOneAndThree",
                          NEWSCRAWL_REFRESH=True)
    requests = urls(refresh.parse(page))
    assert f"{ARTICLE}NW1" in requests and f"{HOST}/a/2022/01/03/NW3.html" in requests


def test_pagination_styles(tmp_path: Path) -> None:
    spider = make_spider(tmp_path)
    page = f"{HOST}/category/a.html"
    styles = {
        '<a rel="next" href="/category/a.html?page=2">&raquo;</a>': f"{page}?page=2",
        '<a href="?page=2">下一页</a>': f"{page}?page=2",
        '<a href="/category/a-2.html">下一页 &gt;</a>': f"{HOST}/category/a-2.html",
        '<a href="/category/a.html?page=2">2</a>': f"{page}?page=2",
        '<a href="/category/a.html?page=2#list">2</a>': f"{page}?page=2",
        '<a rel="nofollow next" href="/list/2.html">more</a>': f"{HOST}/list/2.html",
    }
    for link, expected in styles.items():
        response = html(page, f"<html><body>{link}</body></html>")
        assert urls(spider.parse(response)) == [expected], link
    # Not pagination: a ?page=N of another listing, or a link with no marker at all.
    for link in ('<a href="/tags.html?page=2">tags</a>', '<a href="/category/b.html">b</a>'):
        assert urls(spider.parse(html(page, f"<html><body>{link}</body></html>"))) == []


def test_a_post_page_yields_only_its_share_link(tmp_path: Path) -> None:
    spider = make_spider(tmp_path)
    body = f"""<html><body><article><h1>t</h1>
    <p>原文：<a href="{SHARE}NW9">{SHARE}NW9</a></p></article>
    <p class="nav"><a href="/category/a.html">返回</a>｜<a href="/">返回首页</a>
    <a rel="next" href="/a/2022/01/10/NW10.html">下一页</a></p></body></html>"""
    response = html(f"{HOST}/a/2022/01/09/NW9.html", body)
    assert urls(spider.parse_post(response)) == [f"{ARTICLE}NW9"]
    # As a start URL, a post page is known by its path and read the same way.
    spider = make_spider(tmp_path)
    assert urls(spider.parse(response)) == [f"{ARTICLE}NW9"]


def test_each_article_is_requested_once_whatever_links_to_it(tmp_path: Path) -> None:
    spider = make_spider(tmp_path)
    page = f'<a href="{SHARE}NW1">a</a><a href="{SHARE}NW1&amp;from=x">b</a>'
    first = urls(spider.parse(html(f"{HOST}/category/a.html", page)))
    again = urls(spider.parse_post(html(f"{HOST}/a/2022/01/01/NW1.html", page)))
    feed = urls(spider.parse(as_json(f"{HOST}/web/webapi?type=45", {"nodeList": [
        {"infocode": "NW1"}, {"infocode": "NW2"}]})))
    assert (first, again, feed) == ([f"{ARTICLE}NW1"], [], [f"{ARTICLE}NW2"])


FEEDS = {
    "records": {"records": [
        {"title": "a", "digest": "", "id": "202201252229603355",
         "infoCode": "NW202201252229603355",
         "url_w": "http://elsewhere.test/html_News/NewsShare.html?infoCode=NW202201252229603355",
         "showtime": "2022-01-25 18:05:44"},
        {"title": "b", "infoCode": "202112082206672930", "showtime": "2021-12-08 07:05:12"},
    ]},
    "nodeList": {"nodeList": [
        {"title": "a", "from": "x", "infocode": "NW202201252229603355", "showtime": "…"},
        {"title": "b", "from": "x", "infocode": "202112082206672930", "showtime": "…"},
    ]},
    "record": {"record": [
        {"title": "a", "medianame": "x", "infoCode": "NW202201252229603355", "datetime": "…"},
        {"title": "b", "medianame": "x", "infoCode": "202112082206672930", "datetime": "…"},
    ]},
}


@pytest.mark.parametrize("shape", sorted(FEEDS))
def test_a_feed_of_each_shape_yields_its_articles_on_the_feed_host(
    tmp_path: Path, shape: str
) -> None:
    spider = make_spider(tmp_path, f"{HOST}/web/webapi?type=45", FeedSpider)
    requests = list(spider.parse(as_json(f"{HOST}/web/webapi?type=45&count=2", FEEDS[shape])))
    assert urls(requests) == [f"{ARTICLE}NW202201252229603355", f"{ARTICLE}202112082206672930"]
    share = requests[0].cb_kwargs["share_url"]
    # The entry's own share link when it has one (records' url_w), else one on the feed's host.
    expected = ("http://elsewhere.test" if shape == "records" else HOST) + (
        "/html_News/NewsShare.html?infoCode=NW202201252229603355")
    assert share == expected
    assert requests[1].cb_kwargs["share_url"] == f"{SHARE}202112082206672930"


def test_rolling_news_entries_are_the_articles_rolling_news_channel(tmp_path: Path) -> None:
    spider = make_spider(tmp_path, f"{HOST}/web/webapi?type=102", FeedSpider)
    rolling = {"records": [
        {"title": "a", "digest": "【快讯】摘要", "id": "202201252229603355",
         "infoCode": "NW202201252229603355",
         "url_w": "http://finance.eastmoney.com/news/1351,202201252229603355.html"},
        # No id: the post is named by the code's digits.
        {"title": "b", "infoCode": "NW202112082206672930"},
    ]}
    first, second = spider.parse(as_json(f"{HOST}/web/webapi?type=102&count=2", rolling))
    assert first.cb_kwargs["channel"] == Channel(
        EMNEWS, "202201252229603355", "【快讯】摘要",
        "http://finance.eastmoney.com/news/1351,202201252229603355.html")
    assert second.cb_kwargs["channel"] == Channel(EMNEWS, "202112082206672930")
    # The same article on a media's page: no second request, a sighting of that channel.
    page = html(f"{HOST}/category/a.html", f'<a href="{SHARE}NW202201252229603355">a</a>')
    assert list(spider.parse(page)) == [
        ChannelSighting("NW202201252229603355", Channel(MEDIA))]
    assert list(spider.parse(page)) == []


def test_an_archived_article_seen_through_a_new_channel_is_a_sighting(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        store.upsert(Article(code="NW1", share_url=f"{SHARE}NW1", title="t", media="m",
                             body="<p>b</p>", date=datetime(2022, 1, 1, tzinfo=UTC),
                             slug="m", tag="m新闻"))
    spider = make_spider(tmp_path, f"{HOST}/web/webapi?type=102", FeedSpider)
    # Through a media list again: nothing to do.
    assert list(spider.parse(as_json(f"{HOST}/web/webapi?type=45", {
        "nodeList": [{"infocode": "NW1"}]}))) == []
    # Through the rolling-news list: not fetched again, but recorded.
    assert list(spider.parse(as_json(f"{HOST}/web/webapi?type=102", {
        "records": [{"infoCode": "NW1", "id": "1", "digest": "d"}]}))) == [
        ChannelSighting("NW1", Channel(EMNEWS, "1", "d"))]


def test_a_configured_article_host_serves_every_article(tmp_path: Path) -> None:
    spider = make_spider(tmp_path, NEWSCRAWL_ARTICLE_HOST="127.0.0.1:8800")
    feed = as_json(f"{HOST}/web/webapi?type=102", FEEDS["records"])
    page = html(f"{HOST}/category/a.html", f'<a href="{SHARE}NW7">x</a>')
    assert urls([*spider.parse(feed), *spider.parse(page)]) == [
        "http://127.0.0.1:8800/NewsData/GetNewsText.do?id=NW202201252229603355",
        "http://127.0.0.1:8800/NewsData/GetNewsText.do?id=202112082206672930",
        "http://127.0.0.1:8800/NewsData/GetNewsText.do?id=NW7",
    ]


def test_answers_are_told_apart_by_content(tmp_path: Path) -> None:
    spider = make_spider(tmp_path)
    problems = failures(spider)
    # A JSON feed at a category-like URL is read as a feed ...
    feed = as_json(f"{HOST}/category/a.html", {"record": [{"infoCode": "NW1"}]})
    assert urls(spider.parse(feed)) == [f"{ARTICLE}NW1"]
    # ... and JSON that is no feed, or a feed URL answering HTML, is reported.
    assert urls(spider.parse(as_json(f"{HOST}/x.json", {"error": "no"}))) == []
    feed_url = f"{HOST}/web/webapi?type=45"
    assert urls(spider.parse(html(feed_url, "<html><body>busy</body></html>", start=True))) == []
    assert [(p["url"], p["reason"]) for p in problems] == [
        (f"{HOST}/x.json", "JSON answer without a list of articles"),
        (feed_url, "not a list feed (no JSON in the answer)"),
    ]
    assert spider.crawler.stats.get_value("newscrawl/start_urls_failed") == 2


def test_start_urls_share_links_and_duplicates(tmp_path: Path) -> None:
    spider = make_spider(
        tmp_path,
        f"{HOST}/category/a.html?page=1, {SHARE}NW1 ,{HOST}/category/a.html?page=1,"
        f"{HOST}/web/webapi?type=45&count=5",
    )
    requests = start_requests(spider)
    assert urls(requests) == [
        f"{HOST}/category/a.html", f"{ARTICLE}NW1", f"{HOST}/web/webapi?type=45&count=5",
    ]
    assert all(r.meta[START_KEY] for r in requests)
    # Start pages go through the dupefilter: a loop back to page 1 must find it seen.
    assert not any(r.dont_filter for r in requests)
    assert spider.crawler.stats.get_value("newscrawl/start_urls") == 3


def test_start_urls_are_checked(tmp_path: Path) -> None:
    assert split_start_urls(["a", " b ", ""]) == ["a", "b"]
    with pytest.raises(ValueError, match="needs start URLs"):
        make_spider(tmp_path, "")
    with pytest.raises(ValueError, match="not an http"):
        make_spider(tmp_path, "javascript:void(0),ftp://x.test/a")


def test_listing_page_url_and_next_page_links() -> None:
    assert source.listing_page_url(f"{HOST}/category/a.html?page=1#x") == f"{HOST}/category/a.html"
    assert source.listing_page_url(f"{HOST}/c.html?page=2&x=1") == f"{HOST}/c.html?page=2&x=1"
    assert source.listing_page_url(f"{HOST}/c.html?x=1&page=1") == f"{HOST}/c.html?x=1"
    listing = f"{HOST}/category/a.html"
    assert source.is_next_page_link(f"{HOST}/z.html", "", {"next"}, listing)
    assert source.is_next_page_link(f"{HOST}/z.html", "下一页 »", set(), listing)
    assert source.is_next_page_link(f"{listing}?page=7", "7", set(), listing)
    assert not source.is_next_page_link(f"{listing}?page=x", "", set(), listing)
    assert not source.is_next_page_link(f"{HOST}/category/b.html?page=2", "2", set(), listing)


def test_politeness_defaults() -> None:
    settings = project_settings()
    assert settings.get("USER_AGENT").startswith("newscrawl/")
    assert settings.getbool("ROBOTSTXT_OBEY")
    assert settings.getbool("AUTOTHROTTLE_ENABLED")
    assert settings.getfloat("DOWNLOAD_DELAY") > 0
    assert 503 in settings.getlist("RETRY_HTTP_CODES")
    middlewares = settings.getdict("DOWNLOADER_MIDDLEWARES")
    assert "newscrawl.middlewares.backoff.RetryBackoffMiddleware" in middlewares


def test_backoff_doubles_up_to_its_cap() -> None:
    assert [backoff_delay(n, 0.5, 3.0) for n in range(5)] == [0.0, 0.5, 1.0, 2.0, 3.0]
    assert backoff_delay(3, 0, 60) == 0.0


def test_backoff_middleware_sleeps_before_retries_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr("newscrawl.middlewares.backoff.sleep", fake_sleep)
    crawler = get_crawler(
        CategorySpider, {"NEWSCRAWL_RETRY_BACKOFF_BASE": 0.25, "NEWSCRAWL_RETRY_BACKOFF_MAX": 60}
    )
    middleware = RetryBackoffMiddleware.from_crawler(crawler)
    for retry_times in (None, 1, 2, 3):
        meta = {} if retry_times is None else {"retry_times": retry_times}
        assert asyncio.run(middleware.process_request(Request(HOST, meta=meta))) is None
    assert slept == [0.25, 0.5, 1.0]
