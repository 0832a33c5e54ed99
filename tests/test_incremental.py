"""Incremental runs through the real CLI against the replica: no refetching, retries, kills."""

from __future__ import annotations

import json
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT, Replica, clean_env, run_cli, start_replica, stop_replica

from newscrawl.archive.runlog import store_count
from newscrawl.archive.store import STORE_FILE, state_dir
from newscrawl.sources.eastmoney import is_post_url

SITE = json.loads((ROOT / "newscrawl" / "replica" / "data" / "site.json").read_text("utf-8"))
MEDIA_SLUGS = [c["slug"] for c in SITE["categories"] if c.get("media")]
FEEDS = ["web/webapi?type=102&count=10", "web/webapi?type=45&count=10",
         "newmarket/web/webapi?marketType=37&count=10"]
ARTICLE_PREFIX = "/NewsData/GetNewsText.do?id="

#: A local replica needs no politeness; keeps the runs short.
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=false",
        "-s", "NEWSCRAWL_RETRY_BACKOFF_BASE=0.1", "-s", "NEWSCRAWL_PROGRESS_INTERVAL=0"]


def start_urls(replica: Replica, slugs: list[str], feeds: list[str]) -> list[str]:
    return ([f"{replica.url}category/{slug}.html" for slug in slugs]
            + [replica.url + feed for feed in feeds])


def crawl(replica: Replica, out: Path, urls: list[str], *extra: str
          ) -> subprocess.CompletedProcess[str]:
    result = run_cli("crawl", *urls, "--out", out, *FAST, *extra, env=clean_env())
    assert result.returncode == 0, result.stderr
    return result


def article_requests(requests: dict[str, int]) -> Counter[str]:
    return Counter({k.removeprefix(ARTICLE_PREFIX): v for k, v in requests.items()
                    if k.startswith(ARTICLE_PREFIX)})


def stored_rows(out: Path) -> dict[str, tuple[object, ...]]:
    """Each stored article's row, without when it was fetched and on which page.

    ``found_on`` depends on the order of the answers: an article linked from
    two pages is found on either, in any two runs.
    """
    db = sqlite3.connect(state_dir(out) / STORE_FILE)
    try:
        cursor = db.execute("SELECT * FROM articles")
        names = [column[0] for column in cursor.description]
        kept = [i for i, name in enumerate(names) if name not in ("fetched_at", "found_on")]
        return {row[names.index("code")]: tuple(row[i] for i in kept) for row in cursor}
    finally:
        db.close()


def crawl_stats(stderr: str) -> dict[str, int]:
    """Scrapy's integer stats from its end-of-crawl dump (``--log-level INFO``)."""
    return {name: int(value) for name, value in re.findall(r"'([\w/.-]+)': (\d+)\b", stderr)}


def test_a_second_run_requests_no_known_article_and_revalidates_listings(
    replica: Replica, tmp_path: Path
) -> None:
    urls = start_urls(replica, MEDIA_SLUGS, FEEDS)
    crawl(replica, tmp_path, urls)
    first = article_requests(replica.requests())
    assert len(first) == 40 and set(first.values()) == {1}
    assert set(stored_rows(tmp_path)) == set(first)
    posts = {p: p.stat().st_mtime_ns for p in (tmp_path / "_posts").iterdir()}
    post_pages = [k for k in replica.requests() if is_post_url("http://h" + k)]
    assert post_pages

    replica.reset()
    second = crawl(replica, tmp_path, urls, "--log-level", "INFO")
    requests = replica.requests()
    assert article_requests(requests) == Counter()
    # A post page named after a known article is not asked for either.
    assert [k for k in requests if is_post_url("http://h" + k)] == []
    assert crawl_stats(second.stderr)["newscrawl/known_post_pages_skipped"] >= len(post_pages)
    # Every listing is asked again, conditionally: the replica answers 304.
    for slug in MEDIA_SLUGS:
        assert requests.get(f"/category/{slug}.html") == 1
    for feed in FEEDS:
        assert requests.get("/" + feed) == 1
    stats = crawl_stats(second.stderr)
    listings = sum(v for k, v in requests.items() if k.startswith(("/category/", "/web/",
                                                                    "/newmarket/")))
    assert stats.get("httpcache/revalidate") == listings
    assert "httpcache/invalidate" not in stats
    assert {p: p.stat().st_mtime_ns for p in (tmp_path / "_posts").iterdir()} == posts


def test_refresh_requests_every_article_again(replica: Replica, tmp_path: Path) -> None:
    urls = start_urls(replica, MEDIA_SLUGS[:2], [])
    crawl(replica, tmp_path, urls)
    first = article_requests(replica.requests())
    assert len(first) == 10
    posts = {p: p.read_bytes() for p in (tmp_path / "_posts").iterdir()}
    replica.reset()
    crawl(replica, tmp_path, urls, "--refresh")
    # Not answered from any cache: each article asked of the source once more.
    assert article_requests(replica.requests()) == first
    assert {p: p.read_bytes() for p in (tmp_path / "_posts").iterdir()} == posts


def test_rejected_and_failed_articles_are_tried_again_on_the_next_run(
    replica: Replica, tmp_path: Path
) -> None:
    urls = start_urls(replica, ["ceshi"], [])
    # No retries: the article whose first answer is a 503 fails in this run.
    crawl(replica, tmp_path, urls, "-s", "RETRY_ENABLED=false")
    first = article_requests(replica.requests())
    stored = set(stored_rows(tmp_path))
    not_stored = set(first) - stored
    problems = [json.loads(line) for line in
                (state_dir(tmp_path) / "rejects.jsonl").read_text("utf-8").splitlines()]
    assert {p["code"] for p in problems} == not_stored
    assert "NW202112282299000021" in not_stored  # the 503
    assert "NW202112282299000016" in not_stored  # empty title: rejected

    # No reset: the replica's 503 was its first answer only.
    before = replica.requests()
    crawl(replica, tmp_path, urls)
    second = article_requests(replica.requests()) - article_requests(before)
    assert set(second) == not_stored
    assert set(second.values()) == {1}
    now_stored = set(stored_rows(tmp_path))
    assert now_stored - stored == {"NW202112282299000021"}
    assert (tmp_path / "_posts" / "2021-12-28-NW202112282299000021.md").exists()


@pytest.fixture(scope="module")
def slowish_replica() -> Iterator[Replica]:
    replica = start_replica("--latency", "0.3")
    yield replica
    stop_replica(replica)


def archive_files(out: Path) -> dict[str, bytes]:
    """Every file under ``_posts/``, dot-files included."""
    posts = out / "_posts"
    if not posts.is_dir():
        return {}
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(posts.rglob("*"))
            if p.is_file()}


@pytest.mark.parametrize("kill_after", [1, 12])
def test_a_run_killed_mid_crawl_then_a_normal_run_equal_an_uninterrupted_run(
    slowish_replica: Replica, tmp_path: Path, kill_after: int
) -> None:
    urls = start_urls(slowish_replica, MEDIA_SLUGS[:3], FEEDS[:1])
    whole, killed = tmp_path / "whole", tmp_path / "killed"
    crawl(slowish_replica, whole, urls)
    expected_posts = archive_files(whole)
    # 15 media posts from the categories, 10 rolling-news posts from the feed
    # (3 of its articles are on the categories too: 22 articles).
    assert len(expected_posts) == 25

    process = subprocess.Popen(
        [sys.executable, "-m", "newscrawl", "crawl", *urls, "--out", str(killed), *FAST],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=clean_env(), cwd=ROOT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if store_count(killed) >= kill_after:
            break
        time.sleep(0.01)
    assert process.poll() is None, "the run ended before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert kill_after <= store_count(killed) < len(expected_posts)
    db = sqlite3.connect(state_dir(killed) / STORE_FILE)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        db.close()

    crawl(slowish_replica, killed, urls)
    assert archive_files(killed) == expected_posts
    assert stored_rows(killed) == stored_rows(whole)
    assert not [p for p in killed.rglob("*.tmp")]


def test_a_listing_that_cannot_be_fetched_is_a_failure_even_when_cached(
    tmp_path: Path,
) -> None:
    """Scrapy's HTTP cache answers a download error with the cached page; newscrawl
    must not: the source being down is reported, not hidden behind last run's listing."""
    private = start_replica()
    url = f"{private.url}category/{MEDIA_SLUGS[0]}.html"
    try:
        crawl(private, tmp_path, [url])
    finally:
        stop_replica(private)
    second = run_cli("crawl", url, "--out", tmp_path, *FAST, "--log-level", "INFO",
                     env=clean_env())
    assert second.returncode == 1, second.stderr
    assert "httpcache/errorrecovery" not in crawl_stats(second.stderr)
    failures = [line for line in second.stderr.splitlines()
                if url in line and "newscrawl" in line and "refused" in line.lower()]
    assert failures, second.stderr[-3000:]
