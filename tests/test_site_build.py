"""The archive as a reader gets it: crawl the replica, ``jekyll build`` it, open it in Chromium.

One crawl of three category pages of the replica (through the real CLI) makes
the archive of this module; Debian's ``jekyll`` builds it once; the tests look
at the built site's files and, for what a reader sees, at the DOM headless
Chromium renders.  Without ``jekyll`` or ``chromium`` the tests that need them
are skipped locally and fail in CI (``bash .ci/run`` installs both).

``NEWSCRAWL_SCREENSHOT=docs/screenshot.png pytest tests/test_site_build.py``
also saves the screenshot of a post page that the README shows.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import lxml.html
import pytest
from conftest import GOLDEN_CODE, GOLDEN_POST, GOLDEN_SHARE_URL, Replica, require_tool, run_cli

from newscrawl.archive.store import Store
from newscrawl.formats.jekyll import legacy
from newscrawl.formats.jekyll.post import one_line, post_date, post_url, render_post
from newscrawl.items import Article
from newscrawl.settings import NEWSCRAWL_SITE_URL as SITE_URL

SOURCE_HOST = "http://finews.zning.xyz"
#: Media category pages with junk-laden articles, and the edge cases' page.
CATEGORIES = ("renminyoudianbao", "21shijijingjibaodao-21caijingapp", "ceshi")
#: An article whose raw body is full of widgets (see the replica's data README).
WIDGET_ARTICLE = "NW202112302228901145"
#: What the widgets of the raw bodies leave behind when a cleaner misses them.
WIDGET_TRACES = ("emStockCodes", "quote.example", "kline.example", "GetPic", "EM_StockImg",
                 "keytip", "em_stock_key_common", "infokey", "display:none", "　　")
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def archive(replica_server: Replica, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("archive")
    replica_server.reset()
    result = run_cli(
        "crawl", *(f"{SOURCE_HOST}/category/{slug}.html" for slug in CATEGORIES),
        "--out", out, "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=false",
        env=replica_server.proxy_env(), timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def articles(archive: Path) -> list[Article]:
    with Store.open(archive) as store:
        stored = list(store.articles())
    assert len(stored) >= 10
    return stored


@pytest.fixture(scope="module")
def site(archive: Path) -> Path:
    """The archive built by ``jekyll build`` (no plugins: ``--safe``)."""
    jekyll = require_tool("jekyll")
    result = subprocess.run(
        [jekyll, "build", "--safe", "--source", str(archive),
         "--destination", str(archive / "_site")],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error" not in (result.stdout + result.stderr).lower(), result.stdout + result.stderr
    return archive / "_site"


def page(site: Path, url_path: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring((site / url_path.lstrip("/")).read_bytes())


def newest_first(articles: list[Article]) -> list[Article]:
    """Jekyll's order of ``site.posts``: by date, then by path (so by code), newest first."""
    return sorted(articles, key=lambda a: (a.date, a.code), reverse=True)


def text(element: lxml.html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


# -- the archive ---------------------------------------------------------


def test_the_crawl_leaves_a_complete_consistent_archive(
    archive: Path, articles: list[Article]
) -> None:
    assert (archive / f"_posts/2021-12-28-{GOLDEN_CODE}.md").read_bytes() == (
        GOLDEN_POST.read_bytes()
    )
    posts = sorted(p.relative_to(archive).as_posix() for p in (archive / "_posts").iterdir())
    assert posts == sorted(f"_posts/{post_date(a):%Y-%m-%d}-{a.code}.md" for a in articles)
    for item in articles:
        assert (archive / f"_posts/{post_date(item):%Y-%m-%d}-{item.code}.md").read_bytes() == (
            render_post(item, SITE_URL)
        )
    slugs = {item.slug for item in articles}
    # Besides the redirect pages of the slugs the first generator published differently.
    pages = {p.stem for p in (archive / "category").iterdir()}
    assert sorted(pages - set(legacy.SLUG_CORRECTIONS)) == sorted(slugs)
    for name in ("_config.yml", "index.html", "feed.xml", "_layouts/post.html"):
        assert (archive / name).is_file(), name
    # The crawl exported everything already: an export finds nothing to do.
    result = run_cli("export", "--out", archive)
    assert result.returncode == 0, result.stderr
    assert " 0 written, " in result.stdout and " 0 skipped" in result.stdout, result.stdout


def test_the_archives_build_time_fixes_change_no_byte_of_the_site(
    archive: Path, site: Path, tmp_path: Path
) -> None:
    """``jekyll build`` without ``--safe`` loads the archive's ``_plugins/``.

    That is newscrawl's fixes that keep big builds linear (see
    benchmarks/README.md); the site they build is the ``--safe`` one, byte
    for byte.
    """
    jekyll = require_tool("jekyll")
    plugins = tmp_path / "site"
    result = subprocess.run(
        [jekyll, "build", "--disable-disk-cache", "--source", str(archive),
         "--destination", str(plugins)],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr

    def files(root: Path) -> dict[str, bytes]:
        return {p.relative_to(root).as_posix(): p.read_bytes()
                for p in root.rglob("*") if p.is_file()}

    built, safe = files(plugins), files(site)
    assert sorted(built) == sorted(safe)
    assert [rel for rel in built if built[rel] != safe[rel]] == []

def test_a_fetch_leaves_a_complete_site(replica: Replica, tmp_path: Path) -> None:
    result = run_cli("fetch", GOLDEN_SHARE_URL, "--out", tmp_path, env=replica.proxy_env())
    assert result.returncode == 0, result.stderr
    assert (tmp_path / f"_posts/2021-12-28-{GOLDEN_CODE}.md").read_bytes() == (
        GOLDEN_POST.read_bytes()
    )
    category = (tmp_path / "category/renminyoudianbao.html").read_text(encoding="utf-8")
    assert 'title: "人民邮电报新闻"' in category
    assert (tmp_path / "index.html").is_file() and (tmp_path / "_config.yml").is_file()


def test_fetches_keep_the_archives_retention_window(replica: Replica, tmp_path: Path) -> None:
    golden = f"2021-12-28-{GOLDEN_CODE}.md"
    assert run_cli("fetch", GOLDEN_SHARE_URL, "--out", tmp_path,
                   env=replica.proxy_env()).returncode == 0
    result = run_cli("export", "--out", tmp_path, "--keep-days", "30")
    assert result.returncode == 0, result.stderr
    # Moved, the golden post keeps its URL (its one more line: permalink).
    url = b"/renminyoudianbao/2021/12/28/NW202112282228838683.html"
    moved = GOLDEN_POST.read_bytes().replace(b"\n---\n", b"\npermalink: " + url + b"\n---\n", 1)
    assert (tmp_path / "old_post" / golden).read_bytes() == moved
    assert not (tmp_path / "_posts" / golden).exists()
    # The next fetch of the same (old) article applies the archive's window too.
    result = run_cli("fetch", GOLDEN_SHARE_URL, "--out", tmp_path, env=replica.proxy_env())
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "old_post" / golden).read_bytes() == moved
    assert not (tmp_path / "_posts" / golden).exists()


# -- the built site ------------------------------------------------------


def test_every_post_page_shows_its_title_date_and_links(
    site: Path, articles: list[Article]
) -> None:
    source_lines = 0
    for item in articles:
        doc = page(site, post_url(item))
        assert text(doc.cssselect("h1.post-title")[0]) == " ".join(one_line(item.title).split())
        assert text(doc.cssselect(".post-meta")[0]) == (
            f"(GMT+8, Asia/Shanghai, CST) {post_date(item):%Y-%m-%d %H:%M:%S}"
        )
        # Kramdown leaves the body's HTML as HTML: its paragraphs are paragraphs,
        # the source line (p.em_media) included.
        body = lxml.html.fragment_fromstring(item.body, create_parent="div")
        expected = [text(p) for p in body.cssselect("p.em_media")]
        assert [text(p) for p in doc.cssselect(".post-content p.em_media")] == expected
        source_lines += len(expected)
        share = [a for a in doc.cssselect(".post-content a") if a.get("href") == item.share_url]
        assert share, item.code
        back = [a for a in doc.cssselect(".post-content a") if text(a).endswith("新闻")]
        assert [a.get("href") for a in back] == [
            f"//finews.withounder.com/category/{item.slug}.html"
        ]
        # The navigation link resolves on the built site.
        assert (site / urlsplit(back[0].get("href")).path.lstrip("/")).is_file()
        tags = doc.cssselect(".post-tags a.tag")
        assert [text(a) for a in tags] == [item.tag]
        assert (site / tags[0].get("href").lstrip("/")).is_file()
    assert source_lines  # the crawled articles do carry source lines


def test_every_category_page_lists_exactly_its_own_posts(
    site: Path, articles: list[Article]
) -> None:
    for slug in {item.slug for item in articles}:
        own = newest_first([a for a in articles if a.slug == slug])
        doc = page(site, f"/category/{slug}.html")
        assert text(doc.cssselect("h1.page-title")[0]) == f"{one_line(own[0].media)}新闻"
        links = [a.get("href") for a in doc.cssselect("ul.post-list a")]
        assert links == [post_url(a) for a in own], slug
        for link in links:
            assert (site / link.lstrip("/")).is_file()


def test_the_home_page_lists_each_tag_with_its_newest_posts(
    site: Path, articles: list[Article]
) -> None:
    doc = page(site, "/index.html")
    sections = doc.cssselect(".tags section.tag")
    headings = {text(s.cssselect("h2")[0]): s for s in sections}
    assert sorted(headings) == sorted({a.tag for a in articles})
    for tag, section in headings.items():
        own = newest_first([a for a in articles if a.tag == tag])
        assert (site / section.cssselect("h2 a")[0].get("href").lstrip("/")).is_file()
        assert [a.get("href") for a in section.cssselect("li a")] == [
            post_url(a) for a in own[:5]
        ]


def test_the_feed_is_atom_with_the_newest_posts(site: Path, articles: list[Article]) -> None:
    feed = ET.parse(site / "feed.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    entries = feed.findall(f"{ATOM}entry")
    newest = newest_first(articles)[:30]
    assert [e.find(f"{ATOM}title").text for e in entries] == [  # type: ignore[union-attr]
        one_line(a.title) for a in newest
    ]
    ids = [e.find(f"{ATOM}id").text for e in entries]  # type: ignore[union-attr]
    assert len(set(ids)) == len(ids) and all(i and i.startswith("tag:") for i in ids)
    for entry in entries:
        href = entry.find(f"{ATOM}link").get("href")  # type: ignore[union-attr]
        assert (site / urlsplit(href).path.lstrip("/")).is_file()


# -- what a reader sees --------------------------------------------------


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[str]:
    """The built site on http://127.0.0.1:<port>/ (its links are root-relative)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def chromium(url: str, profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """Headless Chromium on ``url``, every other host unreachable (no network)."""
    return subprocess.run(
        [require_tool("chromium"), "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
         f"--user-data-dir={profile}",
         "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", *extra, url],
        capture_output=True, text=True, timeout=120,
    )


def rendered_dom(url: str, profile: Path) -> lxml.html.HtmlElement:
    result = chromium(url, profile, "--dump-dom")
    assert result.returncode == 0 and "<html" in result.stdout, result.stderr
    return lxml.html.fromstring(result.stdout)


def test_a_reader_sees_the_home_page_and_a_clean_post(
    served: str, articles: list[Article], tmp_path: Path
) -> None:
    item = next(a for a in articles if a.code == WIDGET_ARTICLE)
    home = rendered_dom(served + "/", tmp_path / "profile")
    assert text(home.cssselect(".site-title")[0]) == "财经新闻存档"
    assert one_line(item.title) in [text(a) for a in home.cssselect(".post-list a")]

    post = rendered_dom(served + post_url(item), tmp_path / "profile")
    assert text(post.cssselect("h1")[0]) == one_line(item.title)
    assert text(post.cssselect(".post-meta")[0]).startswith("(GMT+8, Asia/Shanghai, CST) 2021-")
    content = post.cssselect(".post-content")[0]
    paragraphs = [text(p) for p in content.cssselect("p") if text(p)]
    assert len(paragraphs) >= 5
    assert any("5G基站总数达139.6万个" in p for p in paragraphs)
    # Keyword links are gone but their words stay, in the sentence.
    assert any("其中5G移动电话用户占比持续提升" in p for p in paragraphs)
    assert any("运营商方面，中国电信表示" in p for p in paragraphs)
    assert paragraphs[-3] == "（文章来源：人民邮电报）"
    assert paragraphs[-1] == "返回人民邮电报新闻｜返回首页"
    # No widget, script, hidden paragraph, inline style or indentation is left.
    markup = lxml.html.tostring(content, encoding="unicode")
    for trace in WIDGET_TRACES:
        assert trace not in markup, trace
    assert not content.cssselect("script, [style], span[id]")
    assert [text(a) for a in post.cssselect(".post-tags a")] == ["人民邮电报新闻"]


def test_a_screenshot_of_a_post_page(served: str, articles: list[Article], tmp_path: Path) -> None:
    item = next(a for a in articles if a.code == WIDGET_ARTICLE)
    shot = tmp_path / "post.png"
    result = chromium(served + post_url(item), tmp_path / "profile",
                      f"--screenshot={shot}", "--window-size=1200,1600", "--hide-scrollbars")
    assert result.returncode == 0, result.stderr
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    target = os.environ.get("NEWSCRAWL_SCREENSHOT")
    if target:
        shutil.copyfile(shot, target)
