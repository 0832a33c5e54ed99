"""Failures are failures: an export that cannot be done fails the command and removes nothing.

Through the real CLI against the replica.  Tests run as root in CI, and root
writes through file modes, so a write is made to fail with a file where a
folder is expected (``_posts`` as a file).
"""

from __future__ import annotations

import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

from conftest import GOLDEN_CODE, GOLDEN_SHARE_URL, Replica, run_cli

from newscrawl.archive.runlog import read_all
from newscrawl.archive.store import Store
from newscrawl.formats.jekyll import legacy
from newscrawl.items import Article

HOST = "http://finews.zning.xyz"
FAST = ("-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=false")
CATEGORIES = ("renminyoudianbao", "chongqingribao", "zhengquanshibao")
BEIJING = timezone(timedelta(hours=8))


def crawl(replica: Replica, out: Path, *slugs: str) -> subprocess.CompletedProcess[str]:
    return run_cli("crawl", *(f"{HOST}/category/{slug}.html" for slug in slugs), "--out", out,
                   *FAST, env=replica.proxy_env(), timeout=300)


def posts(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((out / "_posts").glob("*.md"))}


def test_a_crawl_whose_export_fails_exits_non_zero_and_says_so(
    replica: Replica, tmp_path: Path
) -> None:
    (tmp_path / "_posts").write_text("a file where the posts folder should be")
    result = crawl(replica, tmp_path, "renminyoudianbao")
    assert result.returncode == 1, result.stderr
    output = result.stdout + result.stderr
    assert "written" not in output, output
    failure = [line for line in result.stderr.splitlines() if "could not be exported" in line]
    assert len(failure) == 1 and "_posts" in failure[0], result.stderr
    assert "Scraper close failure" not in output and "Traceback" not in output
    record = read_all(tmp_path)[-1]
    assert record.exit_status == 1 and record.error.startswith("export failed: "), record
    # The articles are stored: once the folder is back, the next run writes them.
    (tmp_path / "_posts").unlink()
    again = crawl(replica, tmp_path, "renminyoudianbao")
    assert again.returncode == 0, again.stderr
    assert len(posts(tmp_path)) == 5


def test_a_fetch_whose_post_cannot_be_written_exits_non_zero(
    replica: Replica, tmp_path: Path
) -> None:
    (tmp_path / "_posts").write_text("a file where the posts folder should be")
    result = run_cli("fetch", GOLDEN_SHARE_URL, "--out", tmp_path, env=replica.proxy_env())
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "could not be exported" in lines[0], result.stderr
    assert "written" not in result.stderr


def test_an_emptied_store_is_refused_and_every_post_stays(
    replica: Replica, tmp_path: Path
) -> None:
    assert crawl(replica, tmp_path, *CATEGORIES).returncode == 0
    before = posts(tmp_path)
    assert len(before) == 15
    store = tmp_path / ".newscrawl/store.sqlite"
    store.write_bytes(b"")  # a full disk, a bad restore

    result = run_cli("export", "--out", tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "refusing to export" in lines[0], result.stderr
    assert posts(tmp_path) == before
    # (and the redirect pages of the slugs the first generator published differently)
    pages = {p.stem for p in (tmp_path / "category").iterdir()} - set(legacy.SLUG_CORRECTIONS)
    assert sorted(pages) == sorted(CATEGORIES)

    # A crawl that brings back a third of the articles does not export either.
    again = crawl(replica, tmp_path, "renminyoudianbao")
    assert again.returncode == 1
    assert "refusing to export" in again.stderr and "written" not in again.stderr
    assert posts(tmp_path) == before


def test_an_unreadable_store_is_refused_in_one_line(replica: Replica, tmp_path: Path) -> None:
    assert crawl(replica, tmp_path, "renminyoudianbao").returncode == 0
    before = posts(tmp_path)
    (tmp_path / ".newscrawl/store.sqlite").write_bytes(b"not a database, " * 512)
    for result in (run_cli("export", "--out", tmp_path), crawl(replica, tmp_path, "chongqingribao"),
                   run_cli("fetch", GOLDEN_SHARE_URL, "--out", tmp_path, env=replica.proxy_env())):
        assert result.returncode == 2
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "unreadable store" in lines[0], result.stderr
    assert posts(tmp_path) == before


def test_a_stored_date_no_post_can_have_does_not_break_the_export(tmp_path: Path) -> None:
    """Rows from before newscrawl refused such dates: skipped with a reason, the rest written."""
    def article(code: str, date: datetime) -> Article:
        return Article(code=code, share_url=f"{HOST}/html_News/NewsShare.html?infoCode={code}",
                       title="标题", media="证券时报", body="<p>正文</p>", date=date,
                       slug="zhengquanshibao", tag="证券时报新闻")

    with Store.open(tmp_path) as store:
        store.upsert(article("YEAR0001", datetime(1, 1, 1, tzinfo=BEIJING)))
        store.upsert(article("YEAR0999", datetime(999, 5, 5, 10, tzinfo=BEIJING)))
        store.upsert(article(GOLDEN_CODE, datetime(2021, 12, 28, 19, 34, 54, tzinfo=BEIJING)))
    for _ in range(2):  # and again: nothing is written and removed on every export
        result = run_cli("export", "--out", tmp_path)
        assert result.returncode == 0, result.stderr
        assert "out of range" in result.stderr
        assert " 0 removed" in result.stdout
        assert list(posts(tmp_path)) == [f"2021-12-28-{GOLDEN_CODE}.md"]
