"""Posts in every form the archive's first generator wrote (SOURCE.md §6), for tests and benchmarks.

``python -m tools.make_legacy_archive DIR N`` writes N posts into DIR/_posts/
(every seventh into DIR/old_post/): media posts clean and junk-laden, with CR
LF line ends, titles with unescaped quotes, dates without ``+0800``, bodies
that mix Markdown paragraphs with raw source HTML, and the broken posts that
cannot be imported (``-<CODE>.md``, no title, no date).  Deterministic: the
same N gives the same files.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

NAV = ("[返回{media}新闻](//finews.withounder.com/category/{slug}.html)"
       "｜[返回首页](//finews.withounder.com/)")
JUNK = (
    '<p style="display:none;height:1px;overflow:hidden;"><br /></p>'
    '<!-- EM_StockImg_Start --><p style="text-align:center;"><a href="http://quote.example/r/1.600000"'
    ' class="EmImageRemark"><img src="http://kline.example/GetPic.aspx?nid=1.600000&imageType=k" />'
    '</a></p><!-- EM_StockImg_End -->'
    '<p>　　某某<span id="stock_1.600000"><a href="http://quote.example/r/1.600000" class="keytip"'
    ' data-code="1,600000">某公司</a></span><span id="quote_1.600000"></span>宣布第{n}号消息</p>'
)
MEDIA = (("人民邮电报", "renminyoudianbao"), ("21世纪经济报道", "21shijijingjibaodao"),
         ("央行网站", "yangxingwangzhan"), ("每日经济新闻", "meirijingjixinwen"))
#: Kinds of post, one after another; the broken ones last.
KINDS = ("clean", "junk", "quote_title", "no_zone", "crlf_mixed", "rolling", "rolling_early",
         "no_title", "no_date", "empty")
BROKEN = {"no_title", "no_date", "empty"}


def code_for(n: int, day: datetime) -> str:
    return f"NW{day:%Y%m%d}{n:010d}"


def legacy_post(n: int) -> tuple[str, bytes]:
    """The folder-relative path and the bytes of legacy post number ``n``."""
    kind = KINDS[n % len(KINDS)]
    media, slug = MEDIA[n % len(MEDIA)]
    day = datetime(2022, 1, 1, 9, 0, 0) + timedelta(minutes=7 * n)
    code = code_for(n, day)
    share = f"http://finews.zning.xyz/html_News/NewsShare.html?infoCode={code}"
    title = f"第{n}条新闻标题"
    date = f"{day:%Y-%m-%d %H:%M:%S} +0800"
    body = f"<p>第{n}条新闻的正文。</p><p class=\"em_media\">（文章来源：{media}）</p>"
    folder = "old_post" if n % 7 == 3 else "_posts"
    name = f"{day:%Y-%m-%d}-{code}.md"
    if kind == "junk":
        body = JUNK.format(n=n) + body
    elif kind == "quote_title":
        title = f"他说\"第{n}条\"很重要"
    elif kind == "no_zone":
        date = f"{day:%Y-%m-%d %H:%M:%S}"
    elif kind == "crlf_mixed":
        body = (f"第{n}条新闻的 Markdown 段落。\n\n<p>　　第二段<b>粗体\n\n"
                f"<p class=\"em_media\">（文章来源：{media}）</p>")
    elif kind == "no_title":
        title = ""
    elif kind == "no_date":
        date = ""
    elif kind == "empty":
        title, date, share, name = "", " +0800", "", f"-{code}.md"
    elif kind in ("rolling", "rolling_early"):
        entry_id = f"{day:%Y%m%d}{n:010d}"
        name = f"{day:%Y-%m-%d}-{entry_id}.md"
        url_w = f"http://finance.eastmoney.com/news/1351,{entry_id}.html"
        head = f"---\nlayout: post\ntitle: \"{title}\"\n"
        if kind == "rolling":
            text = (head + f"date: {date}\ncategories: emnews\ntags: 东财滚动新闻\n---\n"
                    f"> 【快讯】第{n}条的摘要。\n\n{JUNK.format(n=n)}{body}\n\n<{url_w}>\n\n"
                    "[返回东财滚动新闻](//finews.withounder.com/emnews/)｜"
                    "[返回首页](//finews.withounder.com/)")
        else:
            text = (head + f"date: {day:%Y-%m-%d %H:%M:%S}\ncategories: emnews\n"
                    f"tags: 东财滚动新闻\n---\n\n第{n}条的摘要。\n\n<{url_w}>\n\n"
                    "[返回东财滚动新闻](../emnews/)\n[返回首页](../)")
        return f"{folder}/{name}", text.encode("utf-8")
    text = (f"---\nlayout: post\ntitle: \"{title}\"\ndate: {date}\ncategories: {slug}\n"
            f"tags: {media}新闻\n---\n{body}\n\n<{share}>\n\n" + NAV.format(media=media, slug=slug))
    if kind == "crlf_mixed":
        text = text.replace("\n", "\r\n")
    return f"{folder}/{name}", text.encode("utf-8")


def legacy_posts(count: int) -> Iterator[tuple[str, bytes]]:
    for n in range(count):
        yield legacy_post(n)


def write_archive(out: Path, count: int) -> Path:
    for folder in ("_posts", "old_post"):
        (out / folder).mkdir(parents=True, exist_ok=True)
    for rel, data in legacy_posts(count):
        (out / rel).write_bytes(data)
    return out


if __name__ == "__main__":
    write_archive(Path(sys.argv[1]), int(sys.argv[2]))
