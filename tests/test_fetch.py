"""``newscrawl fetch``: the golden post byte for byte, and clean failures, through the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
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
    assert result.stdout == f"newscrawl: {tmp_path / GOLDEN_FILE} (written)\n"
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
    assert result.stdout.endswith("(unchanged)\n")


def _assert_clean_failure(result: subprocess.CompletedProcess[str], url: str, reason: str,
                          out: Path) -> None:
    """Non-zero exit, one stderr line naming URL and reason, and no file of any post."""
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert url in lines[0] and reason in lines[0], lines[0]
    written = [p for p in out.rglob("*") if p.is_file() and ".newscrawl" not in p.parts]
    assert [p for p in written if p.suffix == ".md" or p.name.endswith(".tmp")] == []


def _share(code: str) -> str:
    return f"http://finews.zning.xyz/html_News/NewsShare.html?infoCode={code}"


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("NW202112282299009999", "HTTP 404"),  # no such article
        ("NW202112282299000022", "HTTP 404"),  # the endpoint answers 404
        ("NW202112282299000023", "invalid JSON"),  # truncated answer
        ("NW202112282299000024", "no article"),  # {}
        ("NW202112282299000025", "no article"),  # {"error": "not found"}
        ("NW202112282299000016", "empty title"),
        ("NW202112282299000014", "unreadable date"),
    ],
)
def test_bad_articles_fail_in_one_line_and_write_nothing(
    replica: Replica, tmp_path: Path, code: str, reason: str
) -> None:
    url = _share(code)
    result = run_cli("fetch", url, "--out", tmp_path, env=replica.proxy_env())
    _assert_clean_failure(result, url, reason, tmp_path)
    # ... and the reject is recorded with its reason, to be tried again next run.
    rejects = (tmp_path / ".newscrawl" / "rejects.jsonl").read_text(encoding="utf-8")
    record = json.loads(rejects.splitlines()[-1])
    assert record["code"] == code and reason in record["reason"] and record["url"] == url


def test_unreachable_host_fails_in_one_line(tmp_path: Path) -> None:
    url = "http://127.0.0.1:9/html_News/NewsShare.html?infoCode=NW202112282228838683"
    result = run_cli("fetch", url, "--out", tmp_path, env=clean_env())
    _assert_clean_failure(result, url, "connection refused", tmp_path)


def test_not_a_share_link_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("fetch", "http://example.com/news.html", "--out", tmp_path)
    assert result.returncode == 2
    assert "not a share link" in result.stderr
