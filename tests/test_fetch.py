"""``newscrawl fetch``: the golden post byte for byte, and clean failures, through the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from conftest import (
    GOLDEN_CODE,
    GOLDEN_POST,
    GOLDEN_SHARE_URL,
    ROOT,
    Replica,
    clean_env,
    run_cli,
)

GOLDEN_FILE = f"_posts/2021-12-28-{GOLDEN_CODE}.md"


def test_fetch_writes_the_golden_post_byte_for_byte(replica: Replica, tmp_path: Path) -> None:
    result = run_cli("fetch", GOLDEN_SHARE_URL, "--out", tmp_path, env=replica.proxy_env())
    assert result.returncode == 0, result.stderr
    assert (tmp_path / GOLDEN_FILE).read_bytes() == GOLDEN_POST.read_bytes()
    # The replica answered as the host of the share link, through the proxy.
    assert replica.requests().get(f"/NewsData/GetNewsText.do?id={GOLDEN_CODE}") == 1


def test_scrapy_crawl_share_does_the_same(replica: Replica, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "share", "-a", f"url={GOLDEN_SHARE_URL}",
         "-s", f"NEWSCRAWL_OUT_DIR={tmp_path}", "-s", "LOG_LEVEL=WARNING"],
        capture_output=True, text=True, cwd=ROOT, env=replica.proxy_env(), timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / GOLDEN_FILE).read_bytes() == GOLDEN_POST.read_bytes()


def test_fetching_again_leaves_the_unchanged_post_alone(replica: Replica, tmp_path: Path) -> None:
    assert run_cli("fetch", GOLDEN_SHARE_URL, "--out", tmp_path,
                   env=replica.proxy_env()).returncode == 0
    post = tmp_path / GOLDEN_FILE
    old = time.time() - 3600
    os.utime(post, (old, old))
    result = run_cli("fetch", GOLDEN_SHARE_URL, "--out", tmp_path, env=replica.proxy_env())
    assert result.returncode == 0, result.stderr
    assert post.stat().st_mtime == old


def _assert_clean_failure(result: subprocess.CompletedProcess[str], url: str, reason: str,
                          out: Path) -> None:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert url in lines[0] and reason in lines[0], lines[0]
    assert not list((out / "_posts").glob("*")) if (out / "_posts").exists() else True


def test_unreachable_host_fails_in_one_line(tmp_path: Path) -> None:
    url = "http://127.0.0.1:9/html_News/NewsShare.html?infoCode=NW202112282228838683"
    result = run_cli("fetch", url, "--out", tmp_path, env=clean_env())
    _assert_clean_failure(result, url, "connection refused", tmp_path)


def test_not_a_share_link_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("fetch", "http://example.com/news.html", "--out", tmp_path)
    assert result.returncode == 2
    assert "not a share link" in result.stderr
