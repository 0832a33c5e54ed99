"""URLs that stay and the rolling news, as the real Jekyll serves them.

One crawl of the replica's media category pages and its rolling-news list
(through the real CLI) makes the archive; Debian's ``jekyll`` builds it, and
again after ``newscrawl export --keep-days`` has moved every post to
``old_post/``.  The tests look at the built sites' files: every post is at
Jekyll's default permalink, before and after the move; the rolling-news pages
list the rolling news; the URLs the first generator served (``/old_post/…``,
the pages of the slugs newscrawl corrected) are redirect pages to the new
ones.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import lxml.html
import pytest
from conftest import GOLDEN_CODE, Replica, require_tool, run_cli

from newscrawl.archive.store import Store
from newscrawl.formats.jekyll import legacy
from newscrawl.formats.jekyll.post import (
    EMNEWS_FULL_LIST,
    EMNEWS_PAGE,
    one_line,
    post_date,
    post_url,
    render_post,
)
from newscrawl.items import EMNEWS, MEDIA, Article
from newscrawl.replica.server import DEFAULT_DATA_DIR

SOURCE_HOST = "http://finews.zning.xyz"
SITE_URL = "//finews.withounder.com"
SITE = json.loads((DEFAULT_DATA_DIR / "site.json").read_text("utf-8"))
MEDIA_SLUGS = [c["slug"] for c in SITE["categories"] if c["media"]]
ATOM = "{http://www.w3.org/2005/Atom}"


def build(source: Path) -> Path:
    """``jekyll build`` of ``source`` (no plugins: ``--safe``), into ``source/_site``."""
    result = subprocess.run(
        [require_tool("jekyll"), "build", "--safe", "--source", str(source),
         "--destination", str(source / "_site")],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error" not in (result.stdout + result.stderr).lower(), result.stdout + result.stderr
    return source / "_site"


@pytest.fixture(scope="module")
def archive(replica_server: Replica, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("archive")
    replica_server.reset()
    result = run_cli(
        "crawl", *(f"{SOURCE_HOST}/category/{slug}.html" for slug in MEDIA_SLUGS),
        f"{SOURCE_HOST}/web/webapi?type=102&count=20",
        "--out", out, "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=false",
        env=replica_server.proxy_env(), timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def articles(archive: Path) -> list[Article]:
    with Store.open(archive) as store:
        return list(store.articles())


@pytest.fixture(scope="module")
def site(archive: Path) -> Path:
    return build(archive)


@pytest.fixture(scope="module")
def moved_site(archive: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same archive with every post moved to ``old_post/`` (all are over 30 days old)."""
    moved = tmp_path_factory.mktemp("moved") / "archive"
    shutil.copytree(archive, moved, ignore=shutil.ignore_patterns("_site"))
    result = run_cli("export", "--out", moved, "--keep-days", "30")
    assert result.returncode == 0, result.stderr
    assert not list((moved / "_posts").rglob("*.md"))
    return build(moved)


def posts_of(articles: list[Article]) -> list[tuple[Article, object]]:
    """Every post of the archive: each article through each of its channels."""
    return [(a, c) for a in articles for c in a.channels]


def html_page(site: Path, url: str) -> lxml.html.HtmlElement:
    path = site / urlsplit(url).path.lstrip("/")
    if url.endswith("/"):
        path = path / "index.html"
    assert path.is_file(), url
    return lxml.html.fromstring(path.read_text(encoding="utf-8"))


def redirect_target(site: Path, url: str) -> str:
    """Where the redirect page at ``url`` sends its reader (checked three ways)."""
    doc = html_page(site, url)
    canonical = doc.xpath("//link[@rel='canonical']/@href")
    assert len(canonical) == 1, url
    assert doc.xpath("//meta[@http-equiv='refresh']/@content") == [f"0; url={canonical[0]}"]
    assert doc.xpath("//body//a/@href") == canonical
    return canonical[0]


def test_rolling_news_articles_have_both_posts(archive: Path, articles: list[Article]) -> None:
    rolling = {code: entry["id"] for code, entry in SITE["rolling_news"].items()}
    with_emnews = {a.code for a in articles if any(c.kind == EMNEWS for c in a.channels)}
    assert with_emnews == set(rolling)
    # Every rolling-news article is on a media's category page too: stored once, two posts.
    assert all({c.kind for c in a.channels} == {MEDIA, EMNEWS}
               for a in articles if a.code in rolling)
    for item, channel in posts_of(articles):
        name = f"{post_date(item):%Y-%m-%d}-{channel.post_name(item.code)}.md"
        folder = archive / "_posts"
        if channel.kind == MEDIA and rolling.get(item.code) == item.code:
            folder = folder / item.slug  # a bare-digit code: its two posts share a name
        assert (folder / name).read_bytes() == render_post(item, SITE_URL, channel=channel), name
    assert any(rolling.get(a.code) == a.code for a in articles), "no shared name exercised"
    entry = next(c for a in articles for c in a.channels if c.kind == EMNEWS)
    assert entry.url_w.startswith("http://finance.eastmoney.com/news/")


def test_every_post_is_served_at_jekylls_default_permalink(
    site: Path, articles: list[Article]
) -> None:
    config = (site.parent / "_config.yml").read_text(encoding="utf-8")
    assert "permalink" not in config
    pages = {"index.html", "emnews/index.html", "achieves/emnews/index.html", "search/index.html"}
    built = sorted(rel for rel in (p.relative_to(site).as_posix() for p in site.rglob("*.html"))
                   if rel not in pages and rel.split("/")[0] not in ("category", "old_post"))
    expected = []
    for item, channel in posts_of(articles):
        url = post_url(item, channel)
        # Jekyll downcases the category in the URL.
        category = "emnews" if channel.kind == EMNEWS else item.slug.lower()
        assert url == f"/{category}/{post_date(item):%Y/%m/%d}/{channel.post_name(item.code)}.html"
        doc = html_page(site, url)
        assert one_line(doc.cssselect("h1.post-title")[0].text_content()) == one_line(item.title)
        expected.append(url.lstrip("/"))
    # Besides the posts, only the redirect pages of the corrected slugs' post URLs.
    former = {old.split()[0] for old in legacy.SLUG_CORRECTIONS}
    assert sorted(p for p in built if p.split("/")[0] not in former) == sorted(expected)


def test_a_rolling_news_post_reads_as_the_live_archives(
    site: Path, articles: list[Article]
) -> None:
    item, channel = next((a, c) for a, c in posts_of(articles)
                         if c.kind == EMNEWS and c.digest.startswith("【"))
    doc = html_page(site, post_url(item, channel))
    quote = doc.cssselect(".post-content blockquote")[0].text_content().strip()
    assert quote == channel.digest.split("】", 1)[1].strip()
    links = {a.get("href"): one_line(a.text_content()) for a in doc.cssselect(".post-content a")}
    assert links[channel.url_w] == channel.url_w
    assert links["//finews.withounder.com/emnews/"] == "返回东财滚动新闻"
    tags = doc.cssselect(".post-tags a.tag")
    assert [(one_line(a.text_content()), a.get("href")) for a in tags] == [
        ("东财滚动新闻", "/emnews/")]


def test_the_rolling_news_pages_list_the_rolling_news(
    site: Path, articles: list[Article]
) -> None:
    rolling = sorted(((a, c) for a, c in posts_of(articles) if c.kind == EMNEWS),
                     key=lambda p: (p[0].date, p[1].post_name(p[0].code)), reverse=True)
    urls = [post_url(a, c) for a, c in rolling]
    page = html_page(site, EMNEWS_PAGE)
    assert [a.get("href") for a in page.cssselect("ul.post-list a")] == urls
    assert EMNEWS_FULL_LIST in [a.get("href") for a in page.cssselect("a")]
    full = html_page(site, EMNEWS_FULL_LIST)
    assert [a.get("href") for a in full.cssselect("ul.post-list a")] == urls
    for url in urls:
        assert (site / url.lstrip("/")).is_file()
    home = html_page(site, "/")
    first = home.cssselect("section.tag")[0]
    assert one_line(first.cssselect("h2")[0].text_content()) == "东财滚动新闻"
    assert [a.get("href") for a in first.cssselect("li a")] == urls[:20]
    for section in home.cssselect("section.tag")[1:]:
        assert 1 <= len(section.cssselect("li a")) <= 5
    assert "/emnews/" in [a.get("href") for a in home.cssselect(".site-nav a")]


def test_moved_posts_answer_at_their_first_url_and_at_old_post(
    site: Path, moved_site: Path, articles: list[Article]
) -> None:
    for item, channel in posts_of(articles):
        url = post_url(item, channel)
        before = html_page(site, url).cssselect("h1.post-title")[0].text_content()
        assert html_page(moved_site, url).cssselect("h1.post-title")[0].text_content() == before
        name = channel.post_name(item.code)
        old_url = legacy.old_post_url(post_date(item), name)
        if channel.kind == MEDIA and name == SITE["rolling_news"].get(item.code, {}).get("id"):
            continue  # its rolling-news post, of the same file name, answers there
        assert redirect_target(moved_site, old_url) == f"//finews.withounder.com{url}"
    # The golden post, which the replica links at its old_post/ page, answers there too.
    assert redirect_target(moved_site, f"/old_post/2021-12-28-{GOLDEN_CODE}.html") == (
        f"//finews.withounder.com/renminyoudianbao/2021/12/28/{GOLDEN_CODE}.html")


def test_corrected_slugs_old_pages_redirect_to_the_new_ones(
    site: Path, articles: list[Article]
) -> None:
    slugs = {a.slug for a in articles}
    corrected = {old: new for old, new in legacy.SLUG_CORRECTIONS.items() if new in slugs}
    assert "zhongqingribao" in corrected and "21shijijingjibaodao 21caijingAPP" in corrected
    for old, new in corrected.items():
        target = redirect_target(site, f"/category/{old}.html")
        assert target == f"//finews.withounder.com/category/{new}.html"
        assert (site / urlsplit(target).path.lstrip("/")).is_file()
    for item in articles:
        for old in legacy.former_slugs(item.slug):
            path = "/".join(part.lower() for part in old.split())
            url = f"/{path}/{post_date(item):%Y/%m/%d}/{item.code}.html"
            target = redirect_target(site, url)
            assert target == f"//finews.withounder.com{post_url(item)}"
            assert (site / urlsplit(target).path.lstrip("/")).is_file()


def test_the_feed_tells_an_articles_two_posts_apart(site: Path) -> None:
    feed = ET.parse(site / "feed.xml").getroot()
    entries = feed.findall(f"{ATOM}entry")
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == len(ids) == 30
    assert any(":emnews/" in (i or "") for i in ids)
    for entry in entries:
        href = entry.find(f"{ATOM}link").get("href")  # type: ignore[union-attr]
        assert (site / urlsplit(href).path.lstrip("/")).is_file()
