"""The pipelines' rules through the CLI: every edge-case article of the replica's
``ceshi`` category ends as the post it should be, or as a reject with its reason.

One crawl (module-scoped) of ``http://finews.zning.xyz/category/ceshi.html``,
with the replica standing in for the source's host.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml
from conftest import Replica, run_cli

from newscrawl.replica.server import DEFAULT_DATA_DIR

FAST = ("--delay", "0", "--concurrency", "8", "-s", "AUTOTHROTTLE_ENABLED=false",
        "-s", "NEWSCRAWL_RETRY_BACKOFF_BASE=0.05", "-s", "NEWSCRAWL_PROGRESS_INTERVAL=0")
CESHI = "http://finews.zning.xyz/category/ceshi.html"


def edge(n: int) -> str:
    return f"NW20211228229900{n:04d}"


def raw_article(code: str) -> dict[str, object]:
    return json.loads((DEFAULT_DATA_DIR / "articles" / f"{code}.json").read_text("utf-8"))


class Crawl:
    def __init__(self, out: Path, stderr: str, status: int) -> None:
        self.out = out
        self.stderr = stderr
        self.status = status

    def post(self, code: str) -> Path:
        found = list((self.out / "_posts").glob(f"*-{code}.md"))
        assert len(found) == 1, f"{code}: {found}\n{self.stderr}"
        return found[0]

    def front_matter(self, code: str) -> dict[str, object]:
        text = self.post(code).read_text(encoding="utf-8")
        assert text.startswith("---\n")
        return yaml.safe_load(text.split("\n---\n", 1)[0][4:])

    def body(self, code: str) -> str:
        return self.post(code).read_text(encoding="utf-8").split("\n---\n", 1)[1]

    def rejects(self) -> dict[str, str]:
        lines = (self.out / ".newscrawl" / "rejects.jsonl").read_text("utf-8").splitlines()
        return {r["code"]: r["reason"] for r in map(json.loads, lines) if r["code"]}


@pytest.fixture(scope="module")
def crawl(replica_server: Replica, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawl]:
    out = tmp_path_factory.mktemp("edge")
    result = run_cli("crawl", CESHI, "--out", out, *FAST, env=replica_server.proxy_env(),
                     timeout=180)
    yield Crawl(out, result.stderr, result.returncode)


def test_the_run_completes_despite_rejects(crawl: Crawl) -> None:
    assert crawl.status == 0, crawl.stderr


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_awkward_titles_read_back_exactly(crawl: Crawl, n: int) -> None:
    code = edge(n)
    assert crawl.front_matter(code)["title"] == raw_article(code)["title"]


def test_newlines_and_tabs_in_a_title_become_single_spaces(crawl: Crawl) -> None:
    raw = str(raw_article(edge(5))["title"])
    assert "\n" in raw and "\t" in raw
    title = crawl.front_matter(edge(5))["title"]
    assert title == " ".join(raw.split())


@pytest.mark.parametrize("n", range(6, 13))
def test_every_date_format_is_read_at_plus_0800(crawl: Crawl, n: int) -> None:
    code = edge(n)
    line = next(ln for ln in crawl.post(code).read_text("utf-8").splitlines()
                if ln.startswith("date: "))
    assert line in ("date: 2021-12-28 19:34:54 +0800", "date: 2021-12-28 19:34:00 +0800")
    assert crawl.post(code).name.startswith("2021-12-28-")


def test_a_date_without_year_is_the_latest_such_moment_not_in_the_future(crawl: Crawl) -> None:
    now = datetime.now(timezone(timedelta(hours=8)))
    year = now.year if (now.month, now.day, now.hour, now.minute) >= (12, 28, 19, 34) \
        else now.year - 1
    front = crawl.post(edge(13)).read_text("utf-8")
    assert f"date: {year}-12-28 19:34:00 +0800" in front
    assert crawl.post(edge(13)).name == f"{year}-12-28-{edge(13)}.md"


@pytest.mark.parametrize(
    ("n", "reason"),
    [
        (14, "unreadable date"),
        (15, "in the future"),
        (16, "empty title"),
        (17, "empty title"),
        (18, "missing media name"),
        (19, "empty body after cleaning"),
    ],
)
def test_bad_articles_are_rejected_with_their_reason(crawl: Crawl, n: int, reason: str) -> None:
    code = edge(n)
    assert not list((crawl.out / "_posts").glob(f"*{code}*"))
    assert reason in crawl.rejects()[code]
    assert code in crawl.stderr and reason in crawl.stderr  # the summary names it


def test_no_post_was_written_without_title_or_date(crawl: Crawl) -> None:
    """SOURCE.md §4: ``_posts/-CODE.md``, ``title: ""``, ``date:  +0800``, ``<>``."""
    for post in (crawl.out / "_posts").glob("*.md"):
        text = post.read_text("utf-8")
        assert not post.name.startswith("-")
        assert 'title: ""' not in text and "date:  +0800" not in text and "\n<>\n" not in text


def test_hostile_html_is_defused(crawl: Crawl) -> None:
    body = crawl.body(edge(20)).lower()
    for bad in ("<script", "javascript:", "onclick", "onload", "<svg", "<iframe", "<form",
                "<style", "onerror"):
        assert bad not in body, bad


def test_the_body_may_come_in_content(crawl: Crawl) -> None:
    assert "<p>" in crawl.body(edge(27))


@pytest.mark.parametrize("n", [22, 23, 24, 25, 9999])
def test_unfetchable_articles_are_reported_as_failed(crawl: Crawl, n: int) -> None:
    code = edge(n)
    assert code in crawl.rejects()
    assert f"failed {code}" in crawl.stderr


def test_every_post_front_matter_is_valid_yaml(crawl: Crawl) -> None:
    posts = list((crawl.out / "_posts").glob("*.md"))
    assert len(posts) >= 15
    for post in posts:
        front = yaml.safe_load(post.read_text("utf-8").split("\n---\n", 1)[0][4:])
        assert front["layout"] == "post" and isinstance(front["title"], str)
