"""Rolling news (东财滚动新闻) and URLs that stay: the post form, the store's channels, the export.

Articles are built here directly (no crawl); ``tests/test_site_build.py``
crawls the replica and builds the archive with the real Jekyll.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import lxml.html
import yaml
from conftest import GOLDEN_POST, ROOT
from scrapy.utils.test import get_crawler

from newscrawl.archive.export import ExportResult, export_archive
from newscrawl.archive.store import STORE_FILE, Store, state_dir
from newscrawl.formats.jekyll import legacy
from newscrawl.formats.jekyll.post import (
    post_filename,
    post_url,
    render_post,
    rolling_news_quote,
)
from newscrawl.items import EMNEWS, MEDIA, Article, Channel
from newscrawl.pipelines.category import CategoryPipeline

BEIJING = timezone(timedelta(hours=8))
SITE_URL = "//finews.withounder.com"
#: SOURCE.md §6's rolling-news form, from the real post
#: ../shared/real-archive-sample/_posts/2022-01-07-202201072239307540.md with its
#: raw body cleaned (keyword links gone, their words kept; no text between paragraphs).
ROLLING_NEWS_POST = ROOT / "tests" / "resources" / "rolling_news_post.md"
DAY = date(2022, 1, 20)


def sample_article() -> tuple[Article, Channel]:
    """The article and rolling-news entry of ``ROLLING_NEWS_POST``."""
    text = ROLLING_NEWS_POST.read_text(encoding="utf-8")
    front, rest = text.split("\n---\n", 1)
    meta = yaml.safe_load(front.removeprefix("---\n"))
    quote, rest = rest.split("\n\n", 1)
    body = rest.split("\n\n<http", 1)[0]
    article = Article(
        code="202201072239307540",
        share_url="http://finews.zning.xyz/html_News/NewsShare.html?infoCode=202201072239307540",
        title=meta["title"], media="券商中国", body=body,
        date=datetime(2022, 1, 7, 8, 14, 19, tzinfo=BEIJING),
        slug="quanshangzhongguo", tag="券商中国新闻",
    )
    # The list's digest as the source gives it, with a leading 【…】 the post drops.
    channel = Channel(EMNEWS, "202201072239307540", "【雪球产品再迎强监管】" + quote[2:],
                      "http://finance.eastmoney.com/news/1353,202201072239307540.html")
    return article, channel


def article(code: str, day: date, slug: str = "zhengquanshibao", media: str = "证券时报",
            hour: int = 9) -> Article:
    return Article(
        code=code, share_url=f"http://finews.zning.xyz/html_News/NewsShare.html?infoCode={code}",
        title=f"标题 {code}", media=media, digest=f"{code} 的摘要。",
        body=f"<p>{code} 的正文。</p><p class=\"em_media\">（文章来源：{media}）</p>",
        date=datetime(day.year, day.month, day.day, hour, 30, tzinfo=BEIJING),
        slug=slug, tag=f"{media}新闻",
    )


def emnews(code: str, entry_id: str | None = None) -> Channel:
    entry = entry_id or "".join(ch for ch in code if ch.isdigit())
    return Channel(EMNEWS, entry, f"【快讯】{code} 的摘要。",
                   f"http://finance.eastmoney.com/news/1351,{entry}.html")


def store(out: Path, *items: Article) -> None:
    with Store.open(out) as opened:
        for item in items:
            opened.upsert(item)


def export(out: Path, **kwargs: object) -> ExportResult:
    kwargs.setdefault("site_url", SITE_URL)
    return export_archive(Store.open(out), out, today=DAY, search=False,
                          **kwargs)  # type: ignore[arg-type]


def files(out: Path) -> list[str]:
    return sorted(path.relative_to(out).as_posix() for path in out.rglob("*")
                  if path.is_file() and ".newscrawl" not in path.parts)


# -- the post ------------------------------------------------------------


def test_a_rolling_news_post_is_byte_for_byte_the_live_archives_form() -> None:
    item, channel = sample_article()
    assert render_post(item, SITE_URL, channel=channel) == ROLLING_NEWS_POST.read_bytes()
    assert post_filename(item, channel) == "2022-01-07-202201072239307540.md"
    assert post_url(item, channel) == "/emnews/2022/01/07/202201072239307540.html"


def test_the_media_post_of_the_same_article_keeps_the_golden_form() -> None:
    item, channel = sample_article()
    item.channels = [channel, Channel(MEDIA)]
    media_post = render_post(item, SITE_URL).decode()
    assert "categories: quanshangzhongguo\ntags: 券商中国新闻\n---\n<p>" in media_post
    assert media_post.endswith(f"<{item.share_url}>\n\n[返回券商中国新闻]"
                               "(//finews.withounder.com/category/quanshangzhongguo.html)"
                               "｜[返回首页](//finews.withounder.com/)")
    assert post_url(item) == "/quanshangzhongguo/2022/01/07/202201072239307540.html"


def test_the_quote_is_the_digest_as_text() -> None:
    assert rolling_news_quote("【标题】 一行\n两行") == "一行 两行"
    # What Kramdown would read as markup or HTML stays text.
    assert rolling_news_quote("<b>粗</b> *星* [链](x) a|b") == (
        r"\<b\>粗\</b\> \*星\* \[链\](x) a\|b")
    assert rolling_news_quote("# 不是标题") == r"\# 不是标题"
    assert rolling_news_quote("1. 不是列表") == r"1\. 不是列表"


def test_a_moved_post_keeps_its_url_in_its_front_matter() -> None:
    item, channel = sample_article()
    moved = render_post(item, SITE_URL, channel=channel, moved=True).decode()
    front = yaml.safe_load(moved.split("---\n")[1])
    assert front["permalink"] == "/emnews/2022/01/07/202201072239307540.html"
    golden = GOLDEN_POST.read_text(encoding="utf-8")
    in_posts = render_post(item, SITE_URL, channel=channel).decode()
    assert moved.split("\n---\n", 1)[1] == in_posts.split("\n---\n", 1)[1]
    assert "permalink" not in golden


# -- the store and the export ----------------------------------------------


def test_an_article_through_both_channels_is_stored_once_and_gets_both_posts(
    tmp_path: Path,
) -> None:
    both = article("NW202201152229000001", date(2022, 1, 15))
    both.channels = [Channel(MEDIA), emnews(both.code)]
    media_only = article("NW202201162229000002", date(2022, 1, 16))
    emnews_only = article("NW202201172229000003", date(2022, 1, 17), "zhongguozhengquanbao",
                          "中国证券报")
    emnews_only.channels = [emnews(emnews_only.code)]
    store(tmp_path, both, media_only, emnews_only)
    with Store.open(tmp_path) as opened:
        assert opened.count() == 3
        assert set(opened.channels(both.code)) == {MEDIA, EMNEWS}
    export(tmp_path)
    posts = [rel for rel in files(tmp_path) if rel.startswith("_posts/")]
    assert posts == [
        "_posts/2022-01-15-202201152229000001.md",
        "_posts/2022-01-15-NW202201152229000001.md",
        "_posts/2022-01-16-NW202201162229000002.md",
        "_posts/2022-01-17-202201172229000003.md",
    ]
    assert (tmp_path / posts[0]).read_bytes() == render_post(
        both, SITE_URL, channel=emnews(both.code))
    assert (tmp_path / posts[1]).read_bytes() == render_post(both, SITE_URL)
    # Only through the rolling-news list: no media post, so no category page.
    assert not (tmp_path / "category/zhongguozhengquanbao.html").exists()
    assert (tmp_path / "category/zhengquanshibao.html").exists()


def test_a_channel_seen_later_adds_its_post(tmp_path: Path) -> None:
    item = article("NW202201152229000001", date(2022, 1, 15))
    store(tmp_path, item)
    export(tmp_path)
    with Store.open(tmp_path) as opened:
        assert opened.add_channel(item.code, emnews(item.code)) is True
        assert opened.add_channel(item.code, emnews(item.code)) is False
        # The post's name is its first one: its URL is published.
        opened.add_channel(item.code, emnews(item.code, "999"))
        assert opened.channels(item.code)[EMNEWS].entry_id == "202201152229000001"
    result = export(tmp_path)
    assert (tmp_path / "_posts/2022-01-15-202201152229000001.md").exists()
    assert result.posts == 2


def test_an_entry_id_equal_to_the_code_puts_the_media_post_a_folder_down(tmp_path: Path) -> None:
    # Bare-digit codes: the rolling-news entry's id is the code, and both posts
    # would be _posts/<date>-<code>.md; the media post goes to its category's folder
    # (Jekyll takes the category from the front matter: its URL is unchanged).
    item = article("202201142229297781", date(2022, 1, 14))
    store(tmp_path, item)
    export(tmp_path)
    assert (tmp_path / "_posts/2022-01-14-202201142229297781.md").read_bytes() == (
        render_post(item, SITE_URL))
    item.channels = [emnews(item.code)]
    store(tmp_path, item)
    result = export(tmp_path)
    assert not result.skipped
    assert (tmp_path / "_posts/2022-01-14-202201142229297781.md").read_bytes() == (
        render_post(item, SITE_URL, channel=emnews(item.code)))
    assert (tmp_path / "_posts/zhengquanshibao/2022-01-14-202201142229297781.md").read_bytes() == (
        render_post(item, SITE_URL))
    assert export(tmp_path).written == 0


def test_an_older_store_is_migrated_its_articles_keep_their_media_posts(tmp_path: Path) -> None:
    item = article("NW202201152229000001", date(2022, 1, 15))
    path = state_dir(tmp_path) / STORE_FILE
    path.parent.mkdir(parents=True)
    # The store as newscrawl wrote it before channels (no user_version).
    db = sqlite3.connect(path)
    db.executescript("""
        CREATE TABLE articles (code TEXT PRIMARY KEY, title TEXT NOT NULL, date TEXT NOT NULL,
            media TEXT NOT NULL, slug TEXT NOT NULL, tag TEXT NOT NULL, body TEXT NOT NULL,
            digest TEXT NOT NULL DEFAULT '', share_url TEXT NOT NULL,
            found_on TEXT NOT NULL DEFAULT '', fetched_at TEXT NOT NULL,
            content_hash TEXT NOT NULL);
    """)
    db.execute("INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, '', ?, '', ?, 'x')",
               (item.code, item.title, item.date.isoformat(), item.media, item.slug, item.tag,
                item.body, item.share_url, item.date.isoformat()))
    db.commit()
    db.close()
    export(tmp_path)
    assert (tmp_path / "_posts/2022-01-15-NW202201152229000001.md").read_bytes() == (
        render_post(item, SITE_URL))
    with Store.open(tmp_path) as opened:
        assert list(opened.channels(item.code)) == [MEDIA]


def test_moved_posts_keep_their_urls_and_the_old_post_pages_redirect(tmp_path: Path) -> None:
    old = article("NW202112082229000001", date(2021, 12, 8))
    old.channels = [Channel(MEDIA), emnews(old.code)]
    store(tmp_path, old)
    export(tmp_path, keep_days=30)
    emnews_post = tmp_path / "old_post/2021-12-08-202112082229000001.md"
    front = yaml.safe_load(emnews_post.read_text(encoding="utf-8").split("---\n")[1])
    assert front["permalink"] == "/emnews/2021/12/08/202112082229000001.html"
    for name, url in (("202112082229000001", "/emnews/2021/12/08/202112082229000001.html"),
                      ("NW202112082229000001",
                       "/zhengquanshibao/2021/12/08/NW202112082229000001.html")):
        page = lxml.html.fromstring((tmp_path / f"old_post/2021-12-08-{name}.html").read_bytes())
        target = f"//finews.withounder.com{url}"
        assert page.xpath("//link[@rel='canonical']/@href") == [target]
        assert page.xpath("//meta[@http-equiv='refresh']/@content") == [f"0; url={target}"]
        assert page.xpath("//body//a/@href") == [target]


def test_a_post_the_first_generator_had_moved_keeps_its_old_post_url(tmp_path: Path) -> None:
    item = article("NW202112082229000001", date(2021, 12, 8))
    item.channels = [Channel(MEDIA, was_in_old_post=True)]
    store(tmp_path, item)
    export(tmp_path)
    assert (tmp_path / "_posts/2021-12-08-NW202112082229000001.md").exists()
    assert b"url=//finews.withounder.com/zhengquanshibao/2021/12/08/NW202112082229000001.html" in (
        tmp_path / "old_post/2021-12-08-NW202112082229000001.html").read_bytes()


def test_corrected_slugs_old_urls_redirect_to_the_new_ones(tmp_path: Path) -> None:
    item = article("NW202201152229000001", date(2022, 1, 15), "yanghangwangzhan", "央行网站")
    store(tmp_path, item)
    export(tmp_path, site_url="https://news.example.org/archive")
    assert legacy.SLUG_CORRECTIONS["yangxingwangzhan"] == "yanghangwangzhan"
    redirects = {
        "category/yangxingwangzhan.html":
            "https://news.example.org/archive/category/yanghangwangzhan.html",
        "yangxingwangzhan/2022/01/15/NW202201152229000001.html":
            "https://news.example.org/archive/yanghangwangzhan/2022/01/15/"
            "NW202201152229000001.html",
    }
    for rel, target in redirects.items():
        page = lxml.html.fromstring((tmp_path / rel).read_bytes())
        assert page.xpath("//link[@rel='canonical']/@href") == [target]
    # Once the article is gone, so are its redirects.
    with Store.open(tmp_path) as opened:
        opened._db.execute("DELETE FROM articles")
    export(tmp_path, site_url="https://news.example.org/archive", min_store_share=0)
    assert not any((tmp_path / rel).exists() for rel in redirects)


#: The media of the first generator's slugs (SOURCE.md §4, the replica's media).
FIRST_GENERATOR_SLUGS = {
    "yangxingwangzhan": "央行网站",
    "zhongguoyinxing": "中国银行",
    "zhongguoyinxingbaoxianbao": "中国银行保险报",
    "zhongqingribao": "重庆日报",
    "21shijijingjibaodao 21caijingAPP": "21世纪经济报道 21财经APP",
    "anxinguojizhengquan(xianggang)": "安信国际证券(香港)",
}


def test_the_slug_corrections_lead_to_the_slugs_newscrawl_writes() -> None:
    pipeline = CategoryPipeline.from_crawler(get_crawler())
    assert set(legacy.SLUG_CORRECTIONS) == set(FIRST_GENERATOR_SLUGS)
    for old, media in FIRST_GENERATOR_SLUGS.items():
        assert legacy.SLUG_CORRECTIONS[old] == pipeline.slug(media), old


def test_the_lists_rolling_news_first_twenty_then_five_a_tag(tmp_path: Path) -> None:
    items = []
    for n in range(105):
        item = article(f"NW2022011{n:03d}0000001", date(2022, 1, 1) + timedelta(days=n % 19),
                       hour=n % 24)
        item.channels = [emnews(item.code)]
        items.append(item)
    items += [article(f"NW2022011{n:03d}0000002", date(2022, 1, 1) + timedelta(days=n))
              for n in range(7)]
    store(tmp_path, *items)
    export(tmp_path)

    def listed(rel: str) -> list[str]:
        page = lxml.html.fromstring((tmp_path / rel).read_text("utf-8").split("---\n", 2)[2])
        return page.xpath("//ul[@class='post-list']/li/a/@href")

    rolling = sorted(items[:105], key=lambda a: (a.date, a.code), reverse=True)
    urls = [post_url(a, emnews(a.code)) for a in rolling]
    assert listed("emnews/index.html") == urls[:100]
    assert b'href="/achieves/emnews/"' in (tmp_path / "emnews/index.html").read_bytes()
    assert listed("achieves/emnews/index.html") == urls
    home = lxml.html.fromstring((tmp_path / "index.html").read_text("utf-8").split("---\n", 2)[2])
    sections = home.xpath("//section[@class='tag']")
    assert [s.xpath("string(h2)") for s in sections] == ["东财滚动新闻", "证券时报新闻"]
    assert sections[0].xpath("h2/a/@href") == ["/emnews/"]
    assert sections[0].xpath("ul/li/a/@href") == urls[:20]
    media = sorted(items[105:], key=lambda a: a.date, reverse=True)
    assert sections[1].xpath("ul/li/a/@href") == [post_url(a) for a in media[:5]]
