"""``newscrawl crawl`` and ``newscrawl demo`` against the replica, through the real CLI.

What is expected comes from the replica's own site description
(``newscrawl/replica/data/site.json``: the links of every category page and
the codes of every feed), not from copies of earlier outputs.  Most crawls
go through the replica as an http proxy for the source's real host name, so
that every request the crawler makes, to any host, is counted by the
replica: an off-site request would show up there.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import GOLDEN_CODE, GOLDEN_POST, ROOT, Replica, clean_env, run_cli

from newscrawl.cli import main
from newscrawl.replica.server import DEFAULT_DATA_DIR

SOURCE = "http://finews.zning.xyz"  # the source's host; the replica stands in for it
ARTICLE_TARGET = "/NewsData/GetNewsText.do?id="
#: Fast and deterministic on a local server; politeness itself is the default.
FAST = (
    "--delay", "0", "--concurrency", "8",
    "-s", "AUTOTHROTTLE_ENABLED=false",
    "-s", "NEWSCRAWL_RETRY_BACKOFF_BASE=0.05",
    "-s", "NEWSCRAWL_PROGRESS_INTERVAL=0",
)
RETRIED_503 = "NW202112282299000021"  # answers 503 first, then the article
PRIVATE_ONLY = "NW202112312299000028"  # linked only from /private/, disallowed in robots.txt

SITE: dict[str, Any] = json.loads((DEFAULT_DATA_DIR / "site.json").read_text(encoding="utf-8"))
CATEGORIES = {category["slug"]: category for category in SITE["categories"]}
MEDIA_SLUGS = [slug for slug, category in CATEGORIES.items() if category.get("media")]
EDGE_SLUG = "ceshi"
FEED_TARGETS = {
    "102": "/web/webapi?type=102",
    "45": "/web/webapi?type=45",
    "37": "/newmarket/web/webapi?marketType=37",
}


def links(slug: str) -> list[str]:
    return [link for page in CATEGORIES[slug]["pages"] for link in page["links"]]


def category_codes(slug: str) -> set[str]:
    return {link.split(":", 1)[1] for link in links(slug)}


def category_page_targets(slug: str) -> set[str]:
    """Each page of a category as it should be asked: page 1 without ``?page=1``."""
    base = f"/category/{slug}.html"
    return {base} | {f"{base}?page={n}" for n in range(2, len(CATEGORIES[slug]["pages"]) + 1)}


def post_page_targets(slug: str) -> set[str]:
    return {SITE["posts"][link[5:]] for link in links(slug) if link.startswith("post:")}


def posted_codes(out: Path) -> set[str]:
    """Names of the posts in ``out/_posts`` (``YYYY-MM-DD-NAME.md``, one folder down for a
    media post whose rolling-news post has its name): the code of a media post, the
    rolling-news entry's id of a rolling-news post."""
    posts = out / "_posts"
    if not posts.is_dir():
        return set()
    names = [p.name for p in posts.rglob("*.md")]
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}-[A-Za-z0-9_-]+\.md", n) for n in names), names
    return {name[11:-3] for name in names}


def rolling_news_names(codes: list[str]) -> set[str]:
    """The names of the rolling-news posts of the replica's ``type=102`` entries ``codes``."""
    return {SITE["rolling_news"][code]["id"] for code in codes}


def article_requests(requests: dict[str, int]) -> dict[str, int]:
    return {t[len(ARTICLE_TARGET):]: n for t, n in requests.items()
            if t.startswith(ARTICLE_TARGET)}


def page_requests(requests: dict[str, int]) -> dict[str, int]:
    return {t: n for t, n in requests.items() if not t.startswith(ARTICLE_TARGET)}


def crawl(replica: Replica, out: Path, *args: str, proxy: bool = True,
          ) -> subprocess.CompletedProcess[str]:
    env = replica.proxy_env() if proxy else clean_env()
    return run_cli("crawl", "--out", out, *FAST, *args, env=env)


def summary_problems(stderr: str) -> dict[str, str]:
    """``{code or URL: "kind: reason"}`` from the summary's problem lines."""
    problems = {}
    for line in stderr.splitlines():
        match = re.match(r"  (rejected|failed) (\S+): (.*)$", line)
        if match:
            problems[match.group(2)] = f"{match.group(1)}: {match.group(3)}"
    return problems


def test_category_pages_give_exactly_their_articles_each_asked_once(
    replica: Replica, tmp_path: Path
) -> None:
    starts = [f"{SOURCE}/category/{slug}.html" for slug in MEDIA_SLUGS]
    result = crawl(replica, tmp_path, *starts)
    assert result.returncode == 0, result.stderr
    expected = set().union(*(category_codes(slug) for slug in MEDIA_SLUGS))
    assert len(expected) == 40
    assert posted_codes(tmp_path) == expected
    requests = replica.requests()
    assert article_requests(requests) == dict.fromkeys(expected, 1)
    # Every page once (pagination loops and duplicate links end), and nothing else was
    # asked: not the home page, the tag cloud, /private/ (robots.txt), the off-site ad
    # (the replica proxies every host, so it would have been counted), javascript:.
    pages = {"/robots.txt"}
    for slug in MEDIA_SLUGS:
        pages |= category_page_targets(slug) | post_page_targets(slug)
    assert page_requests(requests) == dict.fromkeys(pages, 1)
    # The golden article, found by the crawl, is written byte for byte.
    golden = tmp_path / "_posts" / f"2021-12-28-{GOLDEN_CODE}.md"
    assert golden.read_bytes() == GOLDEN_POST.read_bytes()
    assert "40 written, 0 unchanged, 0 rejected, 0 failed" in result.stderr


@pytest.mark.parametrize("kind", sorted(FEED_TARGETS))
def test_a_feed_of_each_shape(replica: Replica, tmp_path: Path, kind: str) -> None:
    feed = f"{FEED_TARGETS[kind]}&count=4"
    result = crawl(replica, tmp_path, SOURCE + feed)
    assert result.returncode == 0, result.stderr
    expected = SITE["feeds"][kind][:4]  # newest first; count=4 keeps the first four
    # Through the rolling-news list, each article's post is its rolling-news post.
    names = rolling_news_names(expected) if kind == "102" else set(expected)
    assert posted_codes(tmp_path) == names
    requests = replica.requests()
    assert article_requests(requests) == dict.fromkeys(expected, 1)
    assert page_requests(requests) == {"/robots.txt": 1, feed: 1}


def test_mixed_start_urls_each_article_once(replica: Replica, tmp_path: Path) -> None:
    slug = "chongqingribao"
    in_both = sorted(category_codes(slug) & set(SITE["feeds"]["45"]))
    assert in_both, "the test needs an article both in the category and in the feed"
    share = f"{SOURCE}/html_News/NewsShare.html?infoCode="
    result = crawl(
        replica, tmp_path,
        f"{SOURCE}/category/{slug}.html",
        f"{SOURCE}/web/webapi?type=45&count=20",
        share + GOLDEN_CODE,  # also in the feed
        share + in_both[0],  # also in the category and the feed
    )
    assert result.returncode == 0, result.stderr
    expected = category_codes(slug) | set(SITE["feeds"]["45"]) | {GOLDEN_CODE}
    assert posted_codes(tmp_path) == expected
    assert article_requests(replica.requests()) == dict.fromkeys(expected, 1)


def test_edge_cases_are_written_or_named_in_the_summary(replica: Replica, tmp_path: Path) -> None:
    result = crawl(replica, tmp_path, f"{SOURCE}/category/{EDGE_SLUG}.html")
    assert result.returncode == 0, result.stderr  # the run completed, with rejects
    codes = category_codes(EDGE_SLUG)
    posted = posted_codes(tmp_path)
    problems = summary_problems(result.stderr)
    # Each article ends one way: a post, or a line of the summary with its reason.
    assert posted | set(problems) == codes
    assert not posted & set(problems)
    assert problems["NW202112282299000022"] == "failed: HTTP 404 (" + (
        f"{SOURCE}/html_News/NewsShare.html?infoCode=NW202112282299000022)")
    assert problems["NW202112282299009999"].startswith("failed: HTTP 404")
    assert problems["NW202112282299000023"].startswith("failed: invalid JSON")
    assert problems["NW202112282299000016"].startswith("rejected: ")
    assert RETRIED_503 in posted  # retried after its 503
    requests = replica.requests()
    assert article_requests(requests) == {code: 2 if code == RETRIED_503 else 1
                                          for code in codes}
    assert PRIVATE_ONLY not in article_requests(requests)
    assert not any(t.startswith("/private/") for t in requests)
    counts = re.search(r"(\d+) written, 0 unchanged, (\d+) rejected, (\d+) failed", result.stderr)
    assert counts is not None
    assert int(counts.group(1)) == len(posted)
    assert int(counts.group(2)) + int(counts.group(3)) == len(problems)


def test_a_page_that_times_out_is_retried_reported_and_the_run_goes_on(
    replica: Replica, tmp_path: Path
) -> None:
    slug = "zhongguozhengquanbao"  # page 2 answers after 1.5 s
    slow = f"/category/{slug}.html?page=2"
    assert CATEGORIES[slug]["pages"][1].get("delay", 0) > 1
    result = crawl(
        replica, tmp_path, f"{SOURCE}/category/{slug}.html",
        "-s", "DOWNLOAD_TIMEOUT=1", "-s", "RETRY_TIMES=1",
        "-s", "NEWSCRAWL_PROGRESS_INTERVAL=0.5",
    )
    assert result.returncode == 0, result.stderr
    assert f"  failed {SOURCE}{slow}: timed out" in result.stderr.splitlines()
    assert replica.requests()[slow] == 2  # asked, then retried once
    # Page 1's articles (and its post page's) are in; page 3 was only reachable via page 2.
    assert posted_codes(tmp_path) == {link.split(":", 1)[1]
                                      for link in CATEGORIES[slug]["pages"][0]["links"]}
    # The progress line came while the slow page was awaited.
    progress = [line for line in result.stderr.splitlines()
                if re.fullmatch(r"newscrawl: crawling for \d+s, so far \d+ pages, \d+ written, "
                                r"\d+ unchanged, \d+ rejected, \d+ failed", line)]
    assert progress


def test_a_second_run_asks_for_no_archived_article(replica: Replica, tmp_path: Path) -> None:
    start = f"{SOURCE}/category/renminyoudianbao.html"
    assert crawl(replica, tmp_path, start).returncode == 0
    replica.reset()
    result = crawl(replica, tmp_path, start)
    assert result.returncode == 0, result.stderr
    assert article_requests(replica.requests()) == {}
    assert "already in the archive" in result.stderr


def test_start_urls_directly_on_the_replica(replica: Replica, tmp_path: Path) -> None:
    slug = "shanghaizhengquanbao"
    result = crawl(replica, tmp_path, f"{replica.url}category/{slug}.html", proxy=False)
    assert result.returncode == 0, result.stderr
    assert posted_codes(tmp_path) == category_codes(slug)
    post = next((tmp_path / "_posts").glob("*.md")).read_text(encoding="utf-8")
    assert f"<{replica.url}html_News/NewsShare.html?infoCode=" in post


def test_unreachable_start_urls_fail_the_run(replica: Replica, tmp_path: Path) -> None:
    refused = "http://127.0.0.1:9/category/renminyoudianbao.html"
    result = crawl(replica, tmp_path, refused, proxy=False)
    assert result.returncode == 1
    assert f"  failed {refused}: connection refused" in result.stderr.splitlines()
    assert "could not read the start URL" in result.stderr


def test_a_start_url_disallowed_by_robots_txt_is_not_fetched(
    replica: Replica, tmp_path: Path
) -> None:
    private = f"{SOURCE}/private/drafts.html"
    result = crawl(replica, tmp_path, private, f"{SOURCE}/web/webapi?type=999")
    assert result.returncode == 1  # neither start URL could be read
    problems = summary_problems(result.stderr)
    assert problems[private] == "failed: not fetched: Forbidden by robots.txt"
    assert problems[f"{SOURCE}/web/webapi?type=999"] == "failed: HTTP 404"
    assert "/private/drafts.html" not in replica.requests()


def test_one_good_start_url_is_enough(replica: Replica, tmp_path: Path) -> None:
    refused = "http://127.0.0.1:9/web/webapi?type=45"
    result = crawl(replica, tmp_path, f"{replica.url}web/webapi?type=45&count=2", refused,
                   proxy=False)
    assert result.returncode == 0, result.stderr
    assert f"  failed {refused}: connection refused" in result.stderr.splitlines()
    assert posted_codes(tmp_path) == set(SITE["feeds"]["45"][:2])


def cli_status(*args: str | Path) -> int:
    """``newscrawl ARGS`` in this process, for the arguments refused before any crawl."""
    try:
        return main([str(arg) for arg in args])
    except SystemExit as exc:  # argparse's refusal
        return int(exc.code or 0)


def test_bad_arguments_and_unwritable_archive_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for bad in ("javascript:void(0)", "/category/x.html", "ftp://example.com/x"):
        assert cli_status("crawl", bad, "--out", tmp_path / "out") == 2
        assert "not an http(s) URL" in capsys.readouterr().err
    assert cli_status("crawl", "http://x.test/", "--concurrency", "0") == 2
    assert cli_status("crawl", "http://x.test/", "--delay", "-1") == 2
    assert not (tmp_path / "out").exists()
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    # Through the real process once: refused before any request.
    result = run_cli("crawl", "http://127.0.0.1:9/category/x.html", "--out", blocker / "out")
    assert result.returncode == 2
    assert f"{blocker} is a file" in result.stderr


def test_demo_crawls_the_bundled_replica(tmp_path: Path) -> None:
    result = run_cli("demo", "--out", tmp_path, env=clean_env())
    assert result.returncode == 0, result.stderr
    expected = set().union(*(category_codes(slug) for slug in MEDIA_SLUGS))
    rolling = rolling_news_names(SITE["feeds"]["102"])
    assert posted_codes(tmp_path) == expected | rolling
    # Every article of the rolling-news list is on a category page too: two posts each.
    assert f"{len(expected) + len(rolling)} posts in {tmp_path / '_posts'}/" in result.stdout
    assert "0 rejected, 0 failed" in result.stderr
    # The replica stands in for the source's host: posts carry the source's share links.
    golden = tmp_path / "_posts" / f"2021-12-28-{GOLDEN_CODE}.md"
    assert golden.read_bytes() == GOLDEN_POST.read_bytes()


def test_demo_with_edge_cases_lists_the_rejects(tmp_path: Path) -> None:
    result = run_cli("demo", "--edge-cases", "--out", tmp_path, env=clean_env())
    assert result.returncode == 0, result.stderr
    problems = summary_problems(result.stderr)
    assert problems and set(problems) <= category_codes(EDGE_SLUG)
    assert "WARNING" not in result.stderr  # the summary, not the log, lists them


@pytest.mark.parametrize("spider", ["category", "feed"])
def test_scrapy_crawl_from_the_project_root(
    replica: Replica, tmp_path: Path, spider: str
) -> None:
    starts = f"{SOURCE}/category/chongqingribao.html,{SOURCE}/web/webapi?type=102&count=3"
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", spider, "-a", f"start_urls={starts}",
         "-s", f"NEWSCRAWL_OUT_DIR={tmp_path}", "-s", "LOG_LEVEL=WARNING",
         "-s", "AUTOTHROTTLE_ENABLED=false", "-s", "DOWNLOAD_DELAY=0"],
        capture_output=True, text=True, cwd=ROOT, env=replica.proxy_env(), timeout=120,
    )
    assert result.returncode == 0, result.stderr
    expected = category_codes("chongqingribao") | rolling_news_names(SITE["feeds"]["102"][:3])
    assert posted_codes(tmp_path) == expected
