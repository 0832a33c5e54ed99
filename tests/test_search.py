"""Full-text search of the archive, as a reader and as the archive's owner see it.

A crawl of two category pages of the replica makes the archive; Debian's
``jekyll`` builds it; the built site is served on 127.0.0.1 and headless
Chromium (driven by Playwright, never downloading a browser) searches it on
its ``/search/`` page.  Other tests run the CLI and look at what it printed
and wrote: ``--no-search``, an environment without Pagefind, an export that
finds nothing changed, files of others in ``pagefind/``.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import lxml.html
import pytest
from conftest import GOLDEN_CODE, GOLDEN_SHARE_URL, ROOT, Replica, require_tool, run_cli

from newscrawl.archive.store import Store
from newscrawl.formats.jekyll.post import one_line, post_url
from newscrawl.items import Article

SOURCE_HOST = "http://finews.zning.xyz"
CATEGORIES = ("renminyoudianbao", "zhongguozhengquanbao")
#: The replica's article about 5G base stations (人民邮电报): 5G基站 is in it and in no other.
BASE_STATIONS = "NW202112302228901145"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
OFF_LINE = ("newscrawl: search is off: the pagefind package is not installed "
            "(pip install 'newscrawl[search]')")


def crawl(replica: Replica, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_cli(
        "crawl", *(f"{SOURCE_HOST}/category/{slug}.html" for slug in CATEGORIES),
        "--out", out, "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=false", *extra,
        env=replica.proxy_env(), timeout=300,
    )


def index_parts(archive: Path) -> list[str]:
    """The parts of the index the search page loads (``pagefind/shards.json``)."""
    shards = json.loads((archive / "pagefind" / "shards.json").read_text(encoding="utf-8"))
    return shards["bundles"]


@pytest.fixture(scope="module")
def archive(replica_server: Replica, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("archive")
    replica_server.reset()
    result = crawl(replica_server, out)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def articles(archive: Path) -> dict[str, Article]:
    with Store.open(archive) as store:
        return {article.code: article for article in store.articles()}


@pytest.fixture(scope="module")
def site(archive: Path) -> Path:
    return jekyll_build(archive)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def jekyll_build(archive: Path) -> Path:
    """``archive`` built by Debian's ``jekyll`` (no plugins: ``--safe``) into ``_site/``."""
    result = subprocess.run(
        [require_tool("jekyll"), "build", "--safe", "--source", str(archive),
         "--destination", str(archive / "_site")],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return archive / "_site"


@contextmanager
def serving(site: Path) -> Iterator[str]:
    """The built site on http://127.0.0.1:<port> (its links are root-relative)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[str]:
    with serving(site) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright (no browser download)."""
    chromium = require_tool("chromium")
    if os.environ.get("CI"):
        from playwright.sync_api import sync_playwright
    else:
        sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1100, "height": 820})
    opened = context.new_page()
    opened.set_default_timeout(30_000)
    yield opened
    context.close()


def result_titles(page: Any) -> list[str]:
    page.wait_for_selector(".pagefind-ui__result")
    return [one_line(title) for title in
            page.locator(".pagefind-ui__result-title").all_inner_texts()]


# -- what a reader does ---------------------------------------------------


def test_a_reader_searches_in_chinese_and_opens_the_post(
    served: str, articles: dict[str, Article], page: Any, tmp_path: Path
) -> None:
    wanted = articles[BASE_STATIONS]
    home = page.goto(served + "/")
    assert home is not None and home.ok
    page.locator(".site-nav a", has_text="搜索").click()
    page.wait_for_url("**/search/")
    box = page.locator(".pagefind-ui__search-input")
    assert box.get_attribute("placeholder") == "搜索文章：标题、正文、媒体"
    box.fill("5G基站")
    assert result_titles(page) == [one_line(wanted.title)]
    # The result shows the post's date and media, and the query is in the address.
    tags = page.locator(".pagefind-ui__result-tag").all_inner_texts()
    assert f"日期: {wanted.date:%Y-%m-%d %H:%M}" in tags and f"媒体: {wanted.media}" in tags
    assert parse_qs(urlsplit(page.url).query) == {"q": ["5G基站"]}
    assert "找到 1 个" in page.locator(".pagefind-ui__message").inner_text()
    screenshot = tmp_path / "search.png"
    page.screenshot(path=str(screenshot))
    target = os.environ.get("NEWSCRAWL_SEARCH_SCREENSHOT")
    if target:
        Path(target).write_bytes(screenshot.read_bytes())
    page.locator(".pagefind-ui__result-link").first.click()
    page.wait_for_url(f"**{post_url(wanted)}")
    assert one_line(page.locator("h1.post-title").inner_text()) == one_line(wanted.title)


def test_a_shared_search_link_shows_its_results_and_the_media_filter_narrows_them(
    served: str, articles: dict[str, Article], page: Any
) -> None:
    query = "中国"  # in posts of both media of the archive
    expected = {one_line(a.title): a for a in articles.values()
                if query in a.title + lxml.html.fromstring(f"<div>{a.body}</div>").text_content()}
    assert len({a.media for a in expected.values()}) == 2
    page.goto(f"{served}/search/?q={quote(query)}")
    assert page.locator(".pagefind-ui__search-input").input_value() == query
    page.wait_for_selector(".pagefind-ui__result")
    message = page.locator(".pagefind-ui__message").inner_text()
    assert f"找到 {len(expected)} 个" in message, message
    media = "人民邮电报"
    page.locator(".pagefind-ui__filter-checkbox + label", has_text=media).click()
    own = sorted(t for t, a in expected.items() if a.media == media)
    page.wait_for_function(
        "n => document.querySelector('.pagefind-ui__message').innerText.includes(`找到 ${n} 个`)",
        arg=len(own))
    while page.locator(".pagefind-ui__button", has_text="更多").count():
        page.locator(".pagefind-ui__button", has_text="更多").click()
    assert sorted(result_titles(page)) == own


def test_a_post_moved_to_old_post_is_found_at_its_own_address(
    replica: Replica, tmp_path: Path, page: Any
) -> None:
    result = run_cli("fetch", GOLDEN_SHARE_URL, "--out", tmp_path, env=replica.proxy_env())
    assert result.returncode == 0, result.stderr
    result = run_cli("export", "--out", tmp_path, "--keep-days", "1")
    assert result.returncode == 0, result.stderr
    with Store.open(tmp_path) as store:
        golden = store.get(GOLDEN_CODE)
    assert golden is not None
    with serving(jekyll_build(tmp_path)) as url:
        page.goto(f"{url}/search/?q={quote('中国移动')}")
        assert result_titles(page) == [one_line(golden.title)]
        page.locator(".pagefind-ui__result-link").first.click()
        # Moved to old_post/, it keeps its first URL (permalink: in its front matter).
        assert (tmp_path / "old_post" / f"2021-12-28-{GOLDEN_CODE}.md").is_file()
        page.wait_for_url(f"**{post_url(golden)}")
        assert one_line(page.locator("h1.post-title").inner_text()) == one_line(golden.title)


def test_every_page_links_to_the_search_page(site: Path, articles: dict[str, Article]) -> None:
    item = articles[GOLDEN_CODE]
    for path in ("index.html", post_url(item).lstrip("/"), f"category/{item.slug}.html",
                 "search/index.html"):
        doc = lxml.html.fromstring((site / path).read_bytes())
        links = [a.get("href") for a in doc.cssselect(".site-header .site-nav a")
                 if a.text_content() == "搜索"]
        assert links == ["/search/"], path
    assert (site / "search" / "index.html").is_file()
    assert all((site / "pagefind" / part / "pagefind-ui.js").is_file()
               for part in index_parts(site.parent))


# -- what the archive's owner sees ------------------------------------------

#: Another article of the replica, of another month than the golden post's.
LATER_SHARE_URL = (
    "http://finews.zning.xyz/html_News/NewsShare.html?infoCode=NW202201172229382211"
)


def folders(archive: Path) -> dict[str, int]:
    """The index's folders and their modification times."""
    return {entry.name: entry.stat().st_mtime_ns
            for entry in (archive / "pagefind").iterdir() if entry.is_dir()}


def test_no_search_writes_no_index(replica: Replica, tmp_path: Path) -> None:
    result = run_cli("fetch", GOLDEN_SHARE_URL, "--out", tmp_path, "--no-search",
                     env=replica.proxy_env())
    assert result.returncode == 0, result.stderr
    result = run_cli("export", "--out", tmp_path, "--no-search")
    assert result.returncode == 0, result.stderr
    assert "search" not in result.stdout + result.stderr
    assert (tmp_path / "search" / "index.html").is_file()
    assert not (tmp_path / "pagefind").exists()
    assert not (tmp_path / ".newscrawl" / "search.json").exists()


def test_without_pagefind_the_export_works_and_says_once_that_search_is_off(
    replica: Replica, tmp_path: Path
) -> None:
    # An interpreter on which `import pagefind` fails, as where it is not installed.
    hide = tmp_path / "hide"
    hide.mkdir()
    (hide / "sitecustomize.py").write_text(
        "import sys\n"
        "class NoPagefind:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('pagefind', 'pagefind_bin', 'pagefind_bin_extended'):\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
        "sys.meta_path.insert(0, NoPagefind())\n", encoding="utf-8")
    env = replica.proxy_env()
    env["PYTHONPATH"] = os.pathsep.join([str(hide), str(ROOT), env.get("PYTHONPATH", "")])
    archive = tmp_path / "archive"
    result = run_cli("fetch", GOLDEN_SHARE_URL, "--out", archive, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("search is off") == 1, result.stderr
    result = run_cli("export", "--out", archive, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [OFF_LINE]
    assert result.stdout.startswith("newscrawl: export: 0 written, ")
    assert (archive / f"_posts/2021-12-28-{GOLDEN_CODE}.md").is_file()
    assert not (archive / "pagefind").exists()


def test_the_index_is_rebuilt_only_where_posts_changed(replica: Replica, tmp_path: Path) -> None:
    result = run_cli("fetch", GOLDEN_SHARE_URL, "--out", tmp_path, env=replica.proxy_env())
    assert result.returncode == 0, result.stderr
    first = folders(tmp_path)
    assert len(first) == 1 and index_parts(tmp_path) == [f"{next(iter(first))}/"]
    # Someone else's files in pagefind/ are never touched.
    (tmp_path / "pagefind" / "notes.txt").write_text("mine", encoding="utf-8")
    (tmp_path / "pagefind" / "mine").mkdir()
    result = run_cli("export", "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "; search index: 0 of 1 parts rebuilt in " in result.stdout, result.stdout
    assert folders(tmp_path) == {**first, "mine": folders(tmp_path)["mine"]}
    # A post of another month: its month's part is built, the other one is kept.
    result = run_cli("fetch", LATER_SHARE_URL, "--out", tmp_path, env=replica.proxy_env())
    assert result.returncode == 0, result.stderr
    second = folders(tmp_path)
    assert len(second) == 3 and all(second[name] == first[name] for name in first)
    parts = index_parts(tmp_path)
    assert [part[:7] for part in parts] == ["2022-01", "2021-12"]
    # Both posts move to old_post/ (older than a day) and back: a post keeps its
    # URL wherever its file is, so no part is rebuilt.
    result = run_cli("export", "--out", tmp_path, "--keep-days", "1")
    assert result.returncode == 0, result.stderr
    assert "2 past the retention window" in result.stdout, result.stdout
    assert "; search index: 0 of 2 parts rebuilt in " in result.stdout, result.stdout
    result = run_cli("export", "--out", tmp_path, "--keep-days", "0")
    assert "; search index: 0 of 2 parts rebuilt in " in result.stdout, result.stdout
    assert index_parts(tmp_path) == parts and folders(tmp_path) == second
    assert (tmp_path / "pagefind" / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert (tmp_path / "pagefind" / "mine").is_dir()
