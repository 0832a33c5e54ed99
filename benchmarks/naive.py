"""The naive fetcher: what the archive's first generator did (SOURCE.md §4), as a baseline.

One request after another with ``urllib``: each category page (following
its ``?page=N`` links), then each listed article's JSON, and the post
written with string formatting, body as received: no cleaning, no date
parsing, no quoting, no store.  Exactly what newscrawl exists to do better;
here it only sets the pace a sequential fetcher can reach.

    python benchmarks/naive.py --out DIR [--limit N] CATEGORY_URL...

Prints one JSON line: ``{"articles": N, "pages": N, "seconds": S}``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urljoin

from pypinyin import lazy_pinyin

SHARE_RE = re.compile(r'href="([^"]*NewsShare\.html\?infoCode=([A-Za-z0-9]+))"')
PAGE_RE = re.compile(r'href="([^"]*\?page=\d+)"')


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as answer:
        return answer.read()


def write_post(out: Path, code: str, share: str, data: dict[str, str]) -> None:
    """The first generator's post: string formatting, as SOURCE.md §4 describes."""
    title = data.get("title", "")
    showtime = data.get("showtime") or data.get("datetime") or data.get("showTime") or ""
    media = data.get("medianame") or data.get("mediaName") or data.get("from") or ""
    text = data.get("text") or data.get("content") or ""
    slug = "".join(lazy_pinyin(media))
    post = (
        f'---\nlayout: post\ntitle: "{title}"\ndate: {showtime} +0800\n'
        f"categories: {slug}\ntags: {media}新闻\n---\n{text}\n\n<{share}>\n\n"
        f"[返回{media}新闻](//finews.withounder.com/category/{slug}.html)｜"
        f"[返回首页](//finews.withounder.com/)"
    )
    (out / f"{showtime[:10]}-{code}.md").write_text(post, encoding="utf-8")


def crawl(start_urls: list[str], out: Path, limit: int | None = None) -> tuple[int, int]:
    """``(articles, pages)`` fetched; stops after ``limit`` articles."""
    out.mkdir(parents=True, exist_ok=True)
    seen_pages: set[str] = set()
    seen_codes: set[str] = set()
    articles = pages = 0
    queue = list(start_urls)
    while queue:
        page = queue.pop(0)
        if page in seen_pages:
            continue
        seen_pages.add(page)
        html = get(page).decode("utf-8")
        pages += 1
        queue.extend(urljoin(page, href) for href in PAGE_RE.findall(html))
        for share, code in SHARE_RE.findall(html):
            if code in seen_codes:
                continue
            seen_codes.add(code)
            share = urljoin(page, share)
            host = share.split("/html_News/", 1)[0]
            data = json.loads(get(f"{host}/NewsData/GetNewsText.do?id={code}"))
            write_post(out, code, share, data)
            articles += 1
            if limit is not None and articles >= limit:
                return articles, pages
    return articles, pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("start_urls", nargs="+")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--limit", type=int, default=None,
                        help="stop after N articles (the rate of a sequential fetcher is steady)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    articles, pages = crawl(args.start_urls, args.out, args.limit)
    print(json.dumps({"articles": articles, "pages": pages,
                      "seconds": time.monotonic() - started}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
