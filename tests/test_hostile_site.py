"""A hostile source cannot put a script in the built site: crawl, ``jekyll build``, scan each page.

The replica serves a data directory made here: feeds whose ``url_w`` carry
newlines and markup, a category page whose share link's query closes the
attribute and opens a ``<script>``, media names that are HTML, titles with
quotes, newlines and noncharacters, JSON fields of the wrong type, dates of
the year 0001.  One crawl through the real CLI, one real ``jekyll build``;
then every built HTML page is parsed with lxml and searched for what the
source sent: no ``<script>``, no ``on*`` attribute, no ``javascript:`` or
``data:`` URL.  What the source sent as markup shows as text, and each
article the site cannot hold safely is a reject with its reason.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import lxml.etree
import lxml.html
import pytest
import yaml
from conftest import Replica, require_tool, run_cli, start_replica, stop_replica
from html_scan import hostile_traces

HOST = "http://finews.zning.xyz"
SHARE = f"{HOST}/html_News/NewsShare.html?infoCode="
TIME = "2021-12-28 19:34:54"
XSS_MEDIA = '<img src="x" onerror="alert(1)">'
BIDI = "\u202e"


def _article(title: object = "标题", media: object = "人民邮电报", body: object = "<p>正文</p>",
             showtime: object = TIME, **extra: object) -> dict[str, object]:
    return {"title": title, "medianame": media, "text": body, "showtime": showtime, **extra}


#: code -> (the article's JSON, or a raw answer in "_replica").
ARTICLES: dict[str, dict[str, object]] = {
    # Markup everywhere: a media name that is an <img onerror>, a title that
    # closes its quotes and its line, a body full of scripts and event handlers.
    "HX202112280001": _article(
        title='他说"涨了"\n<script>alert("title")</script>\ufffe\uffff 完',
        media=XSS_MEDIA,
        body=('<p>正文<script>alert("body")</script><img src="x" onerror="alert(2)">'
              '<a href="javascript:alert(3)">链接</a><svg onload="alert(4)"></svg>'
              '<a href="data:text/html,&lt;script&gt;alert(5)&lt;/script&gt;">数据</a></p>'),
        _replica={"url_w": f"{SHARE}HX202112280001&x=\n<script>alert('url_w')</script>\n"
                           "<img src=x onerror=alert(6)>"},
    ),
    # Markdown and Liquid in the media name and title; the feed's share link
    # has a quote, a space and a pipe.
    "HX202112280002": _article(
        title="{{ site.title }} {% raw %} [链接](javascript:alert(7)) *强调*",
        media='媒体](javascript:alert(8))[<script>alert(9)</script>|"引号"',
        _replica={"url_w": f'{SHARE}HX202112280002&q=" onmouseover="alert(10)" |x| \\'},
    ),
    # Linked from the category page with a query that ends the attribute:
    # <a href="…?infoCode=…&q="><script>…</script>">.
    "HX202112280003": _article(title="分类页面的恶意链接", media="恶意报"),
    # A share link that is not an http(s) URL: rejected, not written.
    "HX202112280004": _article(
        title="脚本链接",
        _replica={"url_w": "javascript:alert(11)//html_News/NewsShare.html"
                           "?infoCode=HX202112280004"},
    ),
    # Wrong JSON types: rejects naming the field and the type.
    "HX202112280005": _article(title=["标题", "是", "列表"]),
    "HX202112280006": _article(body={"p": "正文"}),
    "HX202112280007": _article(media=True),
    "HX202112280008": _article(title=12345),
    # Dates no archive can hold.
    "HX202112280009": _article(showtime="0001-01-01 00:00:00"),
    "HX202112280010": _article(showtime="0999-05-05 10:00:00"),
    # A lone surrogate in the title (JSON allows the escape): dropped, the post written.
    "HX202112280011": {"_replica": {
        "raw": json.dumps(_article(title="孤立代理"), ensure_ascii=False)
        .replace("孤立代理", "孤立\\ud800代理")}},
    # A reject whose share link carries a bidi override and a forged output line.
    "HX202112280012": _article(
        title=["x"],
        _replica={"url_w": f"{SHARE}HX202112280012&{BIDI}gpj.exe\nnewscrawl: 0 pages, 0 rejected"},
    ),
}
#: Articles the source sends that the archive cannot hold, with their reasons.
REJECTED = {
    "HX202112280004": "share link is not an http(s) URL",
    "HX202112280005": "title is a list, not text",
    "HX202112280006": "body is an object, not text",
    "HX202112280007": "media is a boolean, not text",
    "HX202112280008": "title is a number, not text",
    "HX202112280009": "is before 1990-01-01",
    "HX202112280010": "is before 1990-01-01",
    "HX202112280012": "title is a list, not text",
}
WRITTEN = sorted(set(ARTICLES) - set(REJECTED))

CATEGORY_LINKS = [
    "share:HX202112280005",
    'href:http://{host}/html_News/NewsShare.html?infoCode=HX202112280003'
    '&q="><script>alert(12)</script><img src=x onerror=alert(13)>',
    "share:HX202112280006", "share:HX202112280007", "share:HX202112280008",
    "share:HX202112280009", "share:HX202112280010", "share:HX202112280011",
]
FEED = ["HX202112280001", "HX202112280002", "HX202112280004", "HX202112280012"]


def write_data(folder: Path) -> Path:
    """The hostile source as a replica data directory."""
    (folder / "articles").mkdir(parents=True)
    for code, data in ARTICLES.items():
        (folder / "articles" / f"{code}.json").write_text(
            json.dumps(data, ensure_ascii=False), encoding="utf-8")
    site = {
        "categories": [{"slug": "hostile", "title": "恶意来源", "media": "恶意来源",
                        "pagination": "full", "pages": [{"links": CATEGORY_LINKS}]}],
        "feeds": {"102": FEED},
    }
    (folder / "site.json").write_text(json.dumps(site, ensure_ascii=False), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def hostile_replica(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replica]:
    replica = start_replica("--data", str(write_data(tmp_path_factory.mktemp("hostile-data"))))
    yield replica
    stop_replica(replica)


@pytest.fixture(scope="module")
def crawl(hostile_replica: Replica, tmp_path_factory: pytest.TempPathFactory,
          ) -> tuple[Path, subprocess.CompletedProcess[str]]:
    out = tmp_path_factory.mktemp("hostile-archive")
    result = run_cli(
        "crawl", f"{HOST}/category/hostile.html", f"{HOST}/web/webapi?type=102&count=50",
        "--out", out, "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=false",
        env=hostile_replica.proxy_env(), timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return out, result


#: A post the archive's first generator left (SOURCE.md §6), written from the
#: same hostile data: the layouts must escape what its front matter holds.
TAKEN_OVER_POST = """---
layout: post
title: 'x"><script>alert(14)</script>'
date: 2021-12-27 10:00:00 +0800
categories: 'x"><script>alert(15)</script>'
tags: '" onmouseover="alert(16)'
---
<p>旧文章</p>
"""


@pytest.fixture(scope="module")
def site(crawl: tuple[Path, subprocess.CompletedProcess[str]]) -> Path:
    out, _ = crawl
    (out / "_posts/2021-12-27-OLD0001.md").write_text(TAKEN_OVER_POST, encoding="utf-8")
    jekyll = require_tool("jekyll")
    built = subprocess.run(
        [jekyll, "build", "--safe", "--source", str(out), "--destination", str(out / "_site")],
        capture_output=True, text=True, timeout=300,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    return out / "_site"


def test_every_built_page_is_free_of_what_the_source_sent(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= len(WRITTEN) + 2  # the posts, the home page, the category pages
    for page in pages:
        doc = lxml.html.fromstring(page.read_bytes())
        assert hostile_traces(doc) == [], page.relative_to(site)


def test_the_feed_is_xml_and_its_html_is_free_of_scripts(site: Path) -> None:
    feed = lxml.etree.fromstring((site / "feed.xml").read_bytes())  # strict XML: raises if not
    atom = "{http://www.w3.org/2005/Atom}"
    contents = [entry.findtext(f"{atom}content") for entry in feed.iter(f"{atom}entry")]
    assert len(contents) == len(WRITTEN) + 1  # and the post taken over
    for content in contents:
        assert hostile_traces(lxml.html.fromstring(f"<div>{content}</div>")) == []


def media_post(site: Path, code: str) -> lxml.html.HtmlElement:
    """The built media post of ``code`` (at ``/<its media's slug>/2021/12/28/<code>.html``)."""
    pages = [p for p in site.glob(f"*/2021/12/28/{code}.html") if p.parts[-5] != "emnews"]
    assert len(pages) == 1, pages
    return lxml.html.fromstring(pages[0].read_bytes())


def rolling_news_post(site: Path, code: str) -> lxml.html.HtmlElement:
    """The built rolling-news post of ``code`` (its list entry's id: the code's digits)."""
    return lxml.html.fromstring((site / f"emnews/2021/12/28/{code[2:]}.html").read_bytes())


def test_markup_from_the_source_shows_as_text(site: Path) -> None:
    # HX…01 and HX…02 came only through the rolling-news list: their posts are
    # rolling-news posts, which show neither media name.
    post = rolling_news_post(site, "HX202112280001")
    links = [" ".join(a.text_content().split()) for a in post.iter("a")]
    assert "返回东财滚动新闻" in links
    title = " ".join(post.cssselect("h1.post-title")[0].text_content().split())
    assert title == '他说"涨了" <script>alert("title")</script> 完'
    post2 = rolling_news_post(site, "HX202112280002")
    title2 = " ".join(post2.cssselect("h1.post-title")[0].text_content().split())
    assert title2 == "{{ site.title }} {% raw %} [链接](javascript:alert(7)) *强调*"
    post3 = media_post(site, "HX202112280003")
    links3 = [" ".join(a.text_content().split()) for a in post3.iter("a")]
    assert "返回恶意报新闻" in links3


def test_share_links_stay_one_link_to_the_source(site: Path) -> None:
    # The rolling-news posts link the list's url_w (a share link here), the media
    # post its share link.
    for code, post in (("HX202112280001", rolling_news_post(site, "HX202112280001")),
                       ("HX202112280002", rolling_news_post(site, "HX202112280002")),
                       ("HX202112280003", media_post(site, "HX202112280003"))):
        shares = [a.get("href") for a in post.iter("a") if "NewsShare" in (a.get("href") or "")]
        assert len(shares) == 1, shares
        assert shares[0].startswith(f"{SHARE}{code}&")
        assert not any(ch in shares[0] for ch in ' "\'<>\n\\|'), shares[0]


def test_every_post_reads_back_as_yaml(crawl: tuple[Path, subprocess.CompletedProcess[str]],
                                       ) -> None:
    out, _ = crawl
    posts = sorted((out / "_posts").glob("2021-12-28-*.md"))
    names = [p.name.split("-", 3)[3].removesuffix(".md") for p in posts]
    # The articles of the category page have media posts; those of the rolling-news
    # list, rolling-news posts (named by the entry's id, the code's digits).
    rolling = {code for code in FEED if code in WRITTEN}
    expected = [code for code in WRITTEN if code not in rolling]
    assert names == sorted(expected + [code.removeprefix("HX") for code in rolling])
    for post in posts:
        front = yaml.safe_load(post.read_text(encoding="utf-8").split("\n---\n", 1)[0][4:])
        assert isinstance(front["title"], str) and front["title"].strip()
    text = (out / "_posts/2021-12-28-HX202112280011.md").read_text(encoding="utf-8")
    assert 'title: "孤立代理"' in text


def test_what_cannot_be_written_is_rejected_with_its_reason(
    crawl: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    out, result = crawl
    records = [json.loads(line) for line in
               (out / ".newscrawl/rejects.jsonl").read_text(encoding="utf-8").splitlines()]
    reasons = {record["code"]: record["reason"] for record in records}
    assert set(reasons) == set(REJECTED), reasons
    for code, reason in REJECTED.items():
        assert reason in reasons[code], (code, reasons[code])
    assert f"{len(WRITTEN)} written" in result.stderr
    assert f"{len(REJECTED)} rejected" in result.stderr


def test_printed_lines_escape_what_the_source_put_in_them(
    crawl: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    _, result = crawl
    assert BIDI not in result.stderr and "\x00" not in result.stderr
    reject = [line for line in result.stderr.splitlines() if "HX202112280012" in line]
    assert len(reject) == 1, result.stderr
    assert "\\u202egpj.exe\\x0anewscrawl: 0 pages" in reject[0]
    # The forged summary line is not a line of its own.
    assert not any(line.startswith("newscrawl: 0 pages, 0 rejected")
                   for line in result.stderr.splitlines())
