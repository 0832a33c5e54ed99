"""Distributed crawling on a real Redis (Debian's redis-server) with scrapy-redis 0.9.1.

The end-to-end tests run real worker processes (``newscrawl crawl --redis``)
against the replica; the others show, one by one, what scrapy-redis 0.9.1
gets wrong with Scrapy 2.19 and that ``newscrawl.distributed`` fixes it.
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import time
import warnings
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import redis
import scrapy
from scrapy.exceptions import DontCloseSpider, ScrapyDeprecationWarning
from scrapy.http import Request
from scrapy.pipelines import ItemPipelineManager
from scrapy.utils.test import get_crawler
from scrapy_redis.pipelines import RedisPipeline
from scrapy_redis.pipelines import default_serialize as scrapy_redis_serialize
from scrapy_redis.scheduler import Scheduler as ScrapyRedisScheduler
from scrapy_redis.spiders import RedisSpider

from newscrawl.archive.store import Store
from newscrawl.distributed.article_json import article_from_json, article_to_json
from newscrawl.distributed.collector import CollectorBusy, collect
from newscrawl.distributed.keys import Keys
from newscrawl.distributed.pipeline import RedisItemPipeline
from newscrawl.distributed.scheduler import RedisScheduler
from newscrawl.distributed.spider import distributed_spider
from newscrawl.distributed.worker import as_worker, worker_settings
from newscrawl.items import EMNEWS, Article, Channel, ChannelSighting
from newscrawl.runner import project_settings
from newscrawl.spiders.category import CategorySpider
from tests.conftest import (
    ROOT,
    Replica,
    clean_env,
    run_cli,
    start_redis,
    start_replica,
    stop_replica,
)

BEIJING = timezone(timedelta(hours=8))
ARTICLE_PREFIX = "/NewsData/GetNewsText.do?id="


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Debian's redis-server on 127.0.0.1, no persistence; yields ``redis://…/0``."""
    server = start_redis(tmp_path_factory.mktemp("redis"))
    yield server.url()
    server.stop()


@pytest.fixture
def redis_url(redis_server: str) -> str:
    """The module's Redis, emptied."""
    redis.Redis.from_url(redis_server).flushall()
    return redis_server


@pytest.fixture
def server(redis_url: str) -> redis.Redis:
    return redis.Redis.from_url(redis_url)


@pytest.fixture(scope="module")
def slow_replica() -> Iterator[Replica]:
    """A replica answering after 100 ms: one worker alone would need seconds, so both work."""
    replica = start_replica("--latency", "0.1")
    yield replica
    stop_replica(replica)


#: The keys of the default prefix (setting NEWSCRAWL_REDIS_PREFIX).
KEYS = Keys.from_settings(project_settings())


def settings_of_worker(redis_url: str, **settings: Any) -> dict[str, Any]:
    """A worker's settings as ``newscrawl crawl --redis`` makes them, ``settings`` on top."""
    worker = as_worker(project_settings({"REDIS_URL": redis_url, **settings})).copy_to_dict()
    # The reactor is get_crawler()'s business: a test installs none.
    return {k: v for k, v in worker.items() if not k.startswith("TWISTED_REACTOR")}


def worker_crawler(redis_url: str, spider_cls: type[scrapy.Spider] = CategorySpider,
                   **settings: Any) -> Any:
    crawler = get_crawler(distributed_spider(spider_cls), settings_of_worker(redis_url, **settings))
    crawler.spider = crawler.spidercls.from_crawler(crawler)
    return crawler


async def _drain(iterator: Any) -> list[Any]:
    return [value async for value in iterator]


def start_output(spider: scrapy.Spider) -> list[Any]:
    return asyncio.run(_drain(spider.start()))


def in_loop(function: Any, *args: Any) -> Any:
    """Run ``function`` inside a running asyncio loop (as Scrapy's engine calls schedulers)."""

    async def call() -> Any:
        return function(*args)

    return asyncio.run(call())


# --------------------------------------------------------------------------- end to end

MEDIA_CATEGORIES = (
    "renminyoudianbao", "chongqingribao", "zhongguoyinhangbaoxianbao",
    "21shijijingjibaodao-21caijingapp", "anxinguojizhengquan-xianggang", "zhengquanshibao",
    "zhongguozhengquanbao", "shanghaizhengquanbao",
)
FEEDS = ("web/webapi?type=102", "web/webapi?type=45", "newmarket/web/webapi?marketType=37")


def expected_codes() -> set[str]:
    """Every article of the replica's media category pages (the feeds list a subset)."""
    site = json.loads((ROOT / "newscrawl/replica/data/site.json").read_text(encoding="utf-8"))
    codes = set()
    for category in site["categories"]:
        if category["slug"] in MEDIA_CATEGORIES:
            for page in category["pages"]:
                codes.update(link.split(":", 1)[1] for link in page["links"])
    return codes


def posted_codes(archive: Path) -> set[str]:
    """The names of the archive's posts (a media post's code, a rolling-news post's entry id)."""
    return {path.stem.split("-", 3)[3] for path in (archive / "_posts").rglob("*.md")}


def rolling_news_names() -> set[str]:
    """The posts of the replica's rolling-news list (``type=102&count=10``), by entry id."""
    site = json.loads((ROOT / "newscrawl/replica/data/site.json").read_text(encoding="utf-8"))
    return {site["rolling_news"][code]["id"] for code in site["feeds"]["102"][:10]}


def start_worker(redis_url: str, out: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [__import__("sys").executable, "-m", "newscrawl", "crawl", "--redis", redis_url,
         "--idle-exit", "1", "--out", str(out), "--concurrency", "2", "--delay", "0",
         *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=clean_env(), cwd=ROOT,
    )


def finish(worker: subprocess.Popen[str]) -> str:
    _out, err = worker.communicate(timeout=120)
    assert worker.returncode == 0, err
    return err


def pages_of(worker_log: str) -> int:
    """The pages of a worker's summary line (``newscrawl: N pages, …``; not a progress line)."""
    line = next(line for line in worker_log.splitlines()
                if re.match(r"newscrawl: \d+ pages, ", line))
    return int(line.split()[1])


def test_two_workers_share_one_crawl(
    redis_url: str, server: redis.Redis, slow_replica: Replica, tmp_path: Path
) -> None:
    slow_replica.reset()
    base = slow_replica.url
    seeds = [f"{base}category/{slug}.html" for slug in MEDIA_CATEGORIES]
    seeds += [f"{base}{feed}&count=10" for feed in FEEDS]
    # A page that page 1 of its category links to, and a repeated seed: each
    # is still fetched once (scrapy-redis's seeds bypass the duplicate filter).
    seeds += [f"{base}category/renminyoudianbao.html?page=2", seeds[0]]
    pushed = run_cli("push", "--redis", redis_url, *seeds)
    assert pushed.returncode == 0, pushed.stderr

    workers = [start_worker(redis_url, tmp_path / f"worker{n}") for n in (1, 2)]
    logs = [finish(worker) for worker in workers]

    # Both workers fetched pages; neither wrote an archive.
    assert all(pages_of(log) > 0 for log in logs), logs
    assert not (tmp_path / "worker1" / "_posts").exists()

    counts = slow_replica.requests()
    articles = {k[len(ARTICLE_PREFIX):]: v for k, v in counts.items()
                if k.startswith(ARTICLE_PREFIX)}
    assert set(articles) == expected_codes()
    assert set(articles.values()) == {1}, articles  # each article endpoint asked once in all
    pages = {k: v for k, v in counts.items()
             if not k.startswith(ARTICLE_PREFIX) and k != "/robots.txt"}
    assert set(pages.values()) == {1}, pages  # and each page once
    assert counts[f"/category/{MEDIA_CATEGORIES[0]}.html"] == 1

    archive = tmp_path / "archive"
    exported = run_cli("export", "--redis", redis_url, "--out", archive)
    assert exported.returncode == 0, exported.stderr
    # Each article of the rolling-news list has its rolling-news post too, whichever
    # worker found it through which channel first.
    assert posted_codes(archive) == expected_codes() | rolling_news_names()
    keys = KEYS
    assert server.llen(keys.items) == 0
    # The run is over: nothing of it is left in Redis but the archived codes.
    assert not server.exists(keys.requests, keys.dupefilter, keys.start_urls, keys.workers)
    assert {c.decode() for c in server.smembers(keys.archived)} == expected_codes()

    # A second run, scheduled later: the pages are read again, no article is refetched.
    slow_replica.reset()
    run_cli("push", "--redis", redis_url, *seeds[:3])
    again = finish(start_worker(redis_url, tmp_path / "worker1"))
    counts = slow_replica.requests()
    assert counts[f"/category/{MEDIA_CATEGORIES[0]}.html"] == 1
    assert not [k for k in counts if k.startswith(ARTICLE_PREFIX)], again
    assert "0 articles sent to Redis" in again


def test_worker_start_urls_are_shared_not_repeated(
    redis_url: str, slow_replica: Replica, tmp_path: Path
) -> None:
    """Workers started with the same start URLs fetch each page once between them."""
    slow_replica.reset()
    seeds = [f"{slow_replica.url}category/{slug}.html" for slug in MEDIA_CATEGORIES[:3]]
    workers = [start_worker(redis_url, tmp_path / f"w{n}", *seeds) for n in (1, 2)]
    for worker in workers:
        finish(worker)
    counts = slow_replica.requests()
    assert all(counts[f"/category/{slug}.html"] == 1 for slug in MEDIA_CATEGORIES[:3])
    assert {v for k, v in counts.items() if k.startswith(ARTICLE_PREFIX)} == {1}


# --------------------------------------------------------------------------- gap 1: start()


def test_scrapy_redis_start_does_not_read_redis(redis_url: str, server: redis.Redis) -> None:
    """scrapy-redis only has start_requests(), which Scrapy 2.19's start() never calls."""
    assert RedisSpider.start is scrapy.Spider.start
    server.rpush(KEYS.start_urls, "http://example.com/category/a.html")
    crawler = get_crawler(RedisSpider, settings_of_worker(redis_url))
    old = RedisSpider.from_crawler(crawler, name="old")
    assert start_output(old) == []  # the seed waits for the spider to go idle
    assert server.llen(KEYS.start_urls) == 1

    ours = worker_crawler(redis_url).spider
    requests = start_output(ours)
    assert [r.url for r in requests] == ["http://example.com/category/a.html"]
    assert server.llen(KEYS.start_urls) == 0


def test_worker_takes_share_links_and_its_own_start_urls(
    redis_url: str, server: redis.Redis
) -> None:
    server.rpush(KEYS.start_urls, json.dumps(
        {"url": "http://example.com/html_News/NewsShare.html?infoCode=NW202112282228838683"}))
    crawler = get_crawler(distributed_spider(CategorySpider),
                          settings_of_worker(redis_url))
    spider = crawler.spidercls.from_crawler(
        crawler, start_urls="http://example.com/category/b.html")
    urls = [r.url for r in start_output(spider)]
    assert urls == [
        "http://example.com/category/b.html",
        "http://example.com/NewsData/GetNewsText.do?id=NW202112282228838683",
    ]


# --------------------------------------------------------------------------- gap 2: seeds


def test_scrapy_redis_seeds_bypass_the_duplicate_filter(redis_url: str) -> None:
    crawler = worker_crawler(redis_url)
    scheduler = RedisScheduler.from_crawler(crawler)
    in_loop(scheduler.open, crawler.spider)
    link = Request("http://example.com/category/a.html")

    old = RedisSpider.from_crawler(get_crawler(RedisSpider, crawler.settings), name="old")
    old_seed = old.make_request_from_data(b"http://example.com/category/a.html")
    assert old_seed.dont_filter
    assert scheduler.enqueue_request(old_seed)
    assert scheduler.enqueue_request(link)  # the same page, queued a second time

    scheduler.queue.clear()
    scheduler.df.clear()
    [seed] = crawler.spider.make_request_from_data(b"http://example.com/category/a.html")
    assert not seed.dont_filter
    assert scheduler.enqueue_request(seed)
    assert not scheduler.enqueue_request(link)
    assert len(scheduler.queue) == 1
    in_loop(scheduler.close, "finished")


def test_bad_seeds_are_ignored(redis_url: str, server: redis.Redis) -> None:
    spider = worker_crawler(redis_url, CONCURRENT_REQUESTS=4).spider
    assert spider.make_request_from_data(b"javascript:void(0)") == []
    assert spider.make_request_from_data(b'{"no": "url"}') == []
    # A batch of bad seeds does not end the reading: the good one after them is taken.
    server.rpush(KEYS.start_urls, *["not a url"] * 6, "http://example.com/category/c.html")
    assert [r.url for r in start_output(spider)] == ["http://example.com/category/c.html"]


# --------------------------------------------------------------------------- gap 3: pipeline


def article() -> Article:
    return Article(
        code="NW202112282228838683", share_url="http://example.com/s", title="标题",
        raw_date="2021-12-28 19:34:54", media="人民邮电报", body="<p>正文</p>",
        date=datetime(2021, 12, 28, 19, 34, 54, tzinfo=BEIJING), slug="renminyoudianbao",
        tag="人民邮电报新闻", fetched_at=datetime(2022, 1, 1, 8, 0, tzinfo=BEIJING),
    )


def pipeline_warnings(pipeline_cls: type, redis_url: str) -> list[str]:
    crawler = get_crawler(scrapy.Spider, {"REDIS_URL": redis_url})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        manager = ItemPipelineManager.from_crawler(crawler)
        manager._add_middleware(pipeline_cls.from_crawler(crawler))
    return [str(w.message) for w in caught if issubclass(w.category, ScrapyDeprecationWarning)]


def test_scrapy_redis_pipeline_has_the_deprecated_signature(redis_url: str) -> None:
    assert any("requires a spider argument" in m for m in pipeline_warnings(RedisPipeline,
                                                                           redis_url))
    assert pipeline_warnings(RedisItemPipeline, redis_url) == []


def test_items_keep_their_time_zone(redis_url: str, server: redis.Redis) -> None:
    # scrapy-redis's serializer writes dates without their offset.
    assert '"2021-12-28 19:34:54"' in scrapy_redis_serialize(article())

    pipeline = RedisItemPipeline.from_crawler(worker_crawler(redis_url))
    assert pipeline.process_item(article()) == article()
    [raw] = server.lrange(KEYS.items, 0, -1)
    assert article_from_json(raw) == article()
    assert server.sismember(KEYS.archived, article().code)


def test_export_takes_items_into_the_store(
    redis_url: str, server: redis.Redis, tmp_path: Path
) -> None:
    server.rpush(KEYS.items, article_to_json(article()), b"not json")
    with Store.open(tmp_path) as store:
        store.upsert(Article(**{**article().__dict__, "code": "NW1"}))
        summary = collect(server, store, KEYS)
        assert (summary.new, summary.unreadable) == (1, 1)
        stored = store.get(article().code)
        assert stored is not None
        assert (stored.date, stored.body, stored.slug) == (article().date, "<p>正文</p>",
                                                           "renminyoudianbao")
        assert collect(server, store, KEYS).total == 0
    # Every stored code is now known to the workers.
    assert {c.decode() for c in server.smembers(KEYS.archived)} == {article().code, "NW1"}


def test_one_collector_at_a_time(redis_url: str, server: redis.Redis, tmp_path: Path) -> None:
    lock = server.lock(KEYS.collector_lock, timeout=60)
    assert lock.acquire(blocking=False)
    with Store.open(tmp_path) as store, pytest.raises(CollectorBusy):
        collect(server, store, KEYS)
    lock.release()


# --------------------------------------------------------------------------- gap 4: idle exit


def test_scrapy_redis_idle_time_counts_from_import(redis_url: str) -> None:
    """Its idle clock is a class attribute set at import: a busy worker quits at once."""
    assert "spider_idle_start_time" in vars(scrapy_redis_spiders_mixin())
    crawler = get_crawler(RedisSpider, {"REDIS_URL": redis_url, "MAX_IDLE_TIME_BEFORE_CLOSE": 1})
    old = RedisSpider.from_crawler(crawler, name="old")
    time.sleep(max(0.0, old.spider_idle_start_time + 1.05 - time.time()))
    old.spider_idle()  # the first idle moment already closes: no DontCloseSpider

    crawler = get_crawler(RedisSpider, {"REDIS_URL": redis_url})  # the default, 0
    forever = RedisSpider.from_crawler(crawler, name="old")
    with pytest.raises(DontCloseSpider):
        forever.spider_idle()


def scrapy_redis_spiders_mixin() -> type:
    from scrapy_redis.spiders import RedisMixin

    return RedisMixin


def test_worker_exits_after_being_idle_for_idle_exit(redis_url: str) -> None:
    spider = worker_crawler(redis_url, NEWSCRAWL_IDLE_EXIT=0.3).spider
    with pytest.raises(DontCloseSpider):
        spider.spider_idle()  # just became idle
    time.sleep(0.15)
    with pytest.raises(DontCloseSpider):
        spider.spider_idle()
    spider._busy()  # a request reached the downloader: idle again from now
    with pytest.raises(DontCloseSpider):
        spider.spider_idle()
    time.sleep(0.35)
    spider.spider_idle()  # idle for longer than 0.3 s: may close

    forever = worker_crawler(redis_url, NEWSCRAWL_IDLE_EXIT=0).spider
    forever._idle_since = time.monotonic() - 3600
    with pytest.raises(DontCloseSpider):
        forever.spider_idle()


# --------------------------------------------------------------------------- gap 5: the run


def test_scrapy_redis_scheduler_deletes_the_queue_under_other_workers(redis_url: str) -> None:
    crawler = get_crawler(RedisSpider, settings_of_worker(redis_url, SCHEDULER_PERSIST=False))
    spider = RedisSpider.from_crawler(crawler, name="old")
    first, second = (ScrapyRedisScheduler.from_crawler(crawler) for _ in range(2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ScrapyDeprecationWarning)
        first.open(spider)
        second.open(spider)
        first.enqueue_request(Request("http://example.com/a"))
        first.close("finished")
    assert len(second.queue) == 0  # the other worker's queue is gone


def test_run_keeps_the_queue_and_bounds_the_duplicate_filter(
    redis_url: str, server: redis.Redis
) -> None:
    keys = KEYS
    server.sadd(keys.dupefilter, "fingerprint of the last run")
    crawler = worker_crawler(redis_url)
    first, second = (RedisScheduler.from_crawler(crawler) for _ in range(2))
    in_loop(first.open, crawler.spider)
    assert first.new_run and not server.exists(keys.dupefilter)
    in_loop(second.open, crawler.spider)
    assert not second.new_run
    assert server.zcard(keys.workers) == 2

    assert first.enqueue_request(Request("http://example.com/a"))
    in_loop(first.close, "finished")
    assert len(second.queue) == 1 and server.exists(keys.dupefilter)
    assert second.next_request() is not None
    in_loop(second.close, "finished")
    # The last worker left an empty queue: the run is over, its fingerprints go.
    assert not server.exists(keys.dupefilter, keys.workers)


def test_no_deprecation_warnings_from_the_scheduler(redis_url: str) -> None:
    crawler = worker_crawler(redis_url)
    scheduler = RedisScheduler.from_crawler(crawler)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        in_loop(scheduler.open, crawler.spider)
        scheduler.enqueue_request(Request("http://example.com/a"))
        scheduler.next_request()
        in_loop(scheduler.close, "finished")
    assert [w for w in caught if issubclass(w.category, DeprecationWarning)] == []


# --------------------------------------------------------------------------- incremental


def test_archived_articles_are_not_requested(redis_url: str, server: redis.Redis) -> None:
    server.sadd(KEYS.archived, "NW202112282228838683")
    server.sadd(KEYS.channels, "NW202112282228838683#media")
    spider = worker_crawler(redis_url).spider
    assert spider.article_request("NW202112282228838683", "http://example.com/s") is None
    # Archived, but not through the rolling-news list: that channel is recorded, not fetched.
    assert spider.article_request("NW202112282228838683", "http://example.com/s",
                                  channel=Channel(EMNEWS, "1")) == ChannelSighting(
        "NW202112282228838683", Channel(EMNEWS, "1"))
    assert spider.article_request("NW202112282228838684", "http://example.com/s") is not None
    refresh = worker_crawler(redis_url, NEWSCRAWL_REFRESH=True).spider
    assert refresh.article_request("NW202112282228838683", "http://example.com/s") is not None


def test_worker_settings_replace_the_archive_pipeline() -> None:
    pipelines = {"newscrawl.pipelines.clean.CleanHtmlPipeline": 300,
                 "newscrawl.pipelines.archive.ArchivePipeline": 800}
    settings = worker_settings(project_settings({"ITEM_PIPELINES": pipelines}))
    assert settings["ITEM_PIPELINES"] == {
        "newscrawl.pipelines.clean.CleanHtmlPipeline": 300,
        "newscrawl.pipelines.archive.ArchivePipeline": None,
        "newscrawl.distributed.pipeline.RedisItemPipeline": 800,
    }


def test_push_needs_a_redis_url() -> None:
    result = run_cli("push", "http://example.com/category/a.html")
    assert result.returncode == 2
    result = run_cli("push", "--redis", "redis://127.0.0.1:1/0", "http://example.com/c.html")
    assert result.returncode == 2 and "Redis" in result.stderr
