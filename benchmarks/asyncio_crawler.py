"""A hand-written asyncio crawler: the reference newscrawl's cost is measured against.

What a careful programmer would write instead of using Scrapy, and honest
about it: the same start URLs and link following as newscrawl (category
pages and their ``?page=N`` pagination, share links to article JSON), with

- robots.txt, fetched once per host and obeyed;
- retries of failed requests and of 408/429/5xx answers (3, as newscrawl),
  with exponential backoff;
- the same cleaning rules: the junk patterns of the source spec
  (``newscrawl.sources.eastmoney``) pruned with lxml, then nh3 with the same
  allow-list of tags, attributes, classes and URL schemes;
- the post in the archive's format (title quoted for YAML, date at +0800,
  pinyin slug), written atomically: to a temporary file beside it, one
  filesystem sync per batch of posts, then renamed into place.

It keeps no store, so it has no incremental runs, no export of the pages
around the posts, no report and no rejects log: newscrawl's extra work.

    python benchmarks/asyncio_crawler.py --out DIR [--concurrency N] CATEGORY_URL...

Prints one JSON line: ``{"articles": N, "pages": N, "rejected": N, "seconds": S}``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import aiohttp
import lxml.html
import nh3
from cssselect import HTMLTranslator
from pypinyin import lazy_pinyin

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from newscrawl.sources import eastmoney as spec

USER_AGENT = "asyncio-crawler/1.0 (benchmark reference)"
RETRIES = 3
RETRY_CODES = {408, 429, 500, 502, 503, 504, 522, 524}
BACKOFF_BASE, BACKOFF_MAX = 1.0, 60.0
BATCH = 128
SITE = "//finews.withounder.com"

_xpath = HTMLTranslator().css_to_xpath
JUNK = lxml.etree.XPath(" | ".join(_xpath(s) for s in spec.JUNK_SELECTORS)
                        + " | " + " | ".join(f"//{tag}" for tag in sorted(spec.JUNK_TAGS)))
KEYWORDS = lxml.etree.XPath(" | ".join(_xpath(s) for s in spec.KEYWORD_SELECTORS))
HIDDEN = lxml.etree.XPath("//*[@style] | " + " | ".join(f"//*[@{a}]"
                                                         for a in spec.HIDDEN_ATTRIBUTES))
CLEANER = nh3.Cleaner(
    tags={"p", "br", "strong", "b", "em", "i", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol",
          "li", "blockquote", "img", "a", "table", "caption", "thead", "tbody", "tfoot", "tr",
          "th", "td"},
    clean_content_tags=set(spec.JUNK_TAGS), attributes={"a": {"href"}, "img": {"src", "alt"}},
    allowed_classes={tag: set(names) for tag, names in spec.KEPT_CLASSES.items()},
    url_schemes={"http", "https"}, link_rel=None, strip_comments=True)


class Retry(Exception):
    """An answer worth asking again for (408, 429, 5xx)."""


def hidden(element: Any) -> bool:
    if any(element.get(name) is not None for name in spec.HIDDEN_ATTRIBUTES):
        return True
    style = (element.get("style") or "").lower().replace(" ", "")
    return any(f"{prop}:{value}" in style for prop, value in spec.HIDDEN_STYLES)


def clean(body: str) -> str:
    """The source's junk pruned with lxml, then nh3's allow-list."""
    root = lxml.html.fragment_fromstring(body.replace("\r\n", "\n"), create_parent="div")
    inside = False
    for node in list(root.iter()):  # stock chart blocks: from start comment to end comment
        if isinstance(node, lxml.html.HtmlComment):
            text = node.text or ""
            if spec.STOCK_IMG_START_MARKER in text:
                inside = True
            if inside or spec.STOCK_IMG_END_MARKER in text:
                inside = spec.STOCK_IMG_END_MARKER not in text
                node.drop_tree()
        elif inside and node.getparent() is not None:
            node.drop_tree()
    for element in JUNK(root):
        element.drop_tree()
    for element in HIDDEN(root):
        if hidden(element):
            element.drop_tree()
    for element in KEYWORDS(root):
        element.drop_tag()
    for paragraph in list(root.iter("p")):
        if paragraph.text:
            paragraph.text = paragraph.text.lstrip(spec.INDENT_CHARS)
        if any(pattern.match(paragraph.text_content().lstrip(spec.INDENT_CHARS))
               for pattern in spec.JUNK_PARAGRAPH_PATTERNS):
            paragraph.drop_tree()
    for child in root:  # no text outside a block: wrappers become paragraphs, no blank tails
        if child.tag in ("center", "div", "span"):
            child.tag = "p"
        if child.tail and not child.tail.strip():
            child.tail = None
    for element in root.iter("img", "a"):  # attributes in a stable order
        attributes = sorted(element.attrib.items())
        element.attrib.clear()
        element.attrib.update(attributes)
    inner = (root.text or "") + "".join(lxml.html.tostring(child, encoding="unicode")
                                        for child in root)
    return CLEANER.clean(inner).strip()


def render(code: str, share: str, data: dict[str, Any]) -> tuple[str, str] | None:
    """``(file name, post)`` in the archive's format, or None when a field is unusable."""
    title = " ".join(str(spec.first_field(data, spec.TITLE_FIELDS) or "").split())
    media = str(spec.first_field(data, spec.MEDIA_FIELDS) or "").strip()
    try:
        when = datetime.strptime(str(spec.first_field(data, spec.DATE_FIELDS)).strip(),
                                 "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None
    body = clean(str(spec.first_field(data, spec.BODY_FIELDS) or ""))
    slug = re.sub(r"[^A-Za-z0-9]", "", "".join(lazy_pinyin(media)))
    if not (title and media and body and slug and spec.is_valid_code(code)):
        return None
    tag = f"{media}新闻"  # Jekyll splits tags at spaces: such a tag is written as a list
    tags = json.dumps([tag], ensure_ascii=False) if " " in tag else tag
    post = (f"---\nlayout: post\ntitle: {json.dumps(title, ensure_ascii=False)}\n"
            f"date: {when:%Y-%m-%d %H:%M:%S} +0800\ncategories: {slug}\ntags: {tags}\n---\n"
            f"{body}\n\n<{share}>\n\n[返回{media}新闻]({SITE}/category/{slug}.html)｜"
            f"[返回首页]({SITE}/)")
    return f"{when:%Y-%m-%d}-{code}.md", post


class Crawler:
    def __init__(self, session: aiohttp.ClientSession, out: Path, concurrency: int) -> None:
        self.session, self.out, self.concurrency = session, out / "_posts", concurrency
        self.out.mkdir(parents=True, exist_ok=True)
        self.queue: asyncio.Queue[tuple[str, str, str]] = asyncio.Queue()
        self.seen: set[str] = set()
        self.robots: dict[str, asyncio.Task[RobotFileParser]] = {}
        self.pending: list[tuple[Path, Path]] = []
        self.articles = self.pages = self.rejected = self.failed = 0

    def add(self, kind: str, url: str, share: str = "") -> None:
        if url not in self.seen:
            self.seen.add(url)
            self.queue.put_nowait((kind, url, share))

    async def get(self, url: str) -> tuple[int, bytes]:
        """The answer to ``url``, after up to ``RETRIES`` retries with exponential backoff."""
        for attempt in range(RETRIES + 1):
            try:
                async with self.session.get(url) as answer:
                    if answer.status in RETRY_CODES:
                        raise Retry(answer.status)
                    return answer.status, await answer.read()
            except (aiohttp.ClientError, asyncio.TimeoutError, Retry):
                if attempt == RETRIES:
                    raise
                delay = min(BACKOFF_BASE * 2 ** attempt, BACKOFF_MAX)
                await asyncio.sleep(delay * random.uniform(0.5, 1.0))
        raise AssertionError("unreachable")

    async def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self.robots:
            self.robots[origin] = asyncio.ensure_future(self.read_robots(origin))
        return (await self.robots[origin]).can_fetch(USER_AGENT, url)

    async def read_robots(self, origin: str) -> RobotFileParser:
        robots = RobotFileParser()
        try:
            status, body = await self.get(origin + "/robots.txt")
        except (aiohttp.ClientError, asyncio.TimeoutError, Retry):
            status, body = 500, b""
        if status >= 500:
            robots.disallow_all = True
        elif status >= 400:
            robots.allow_all = True
        else:
            robots.parse(body.decode("utf-8", "replace").splitlines())
        return robots

    def listing(self, url: str, body: bytes) -> None:
        self.pages += 1
        for href in lxml.html.fromstring(body).xpath("//a/@href"):
            link = urljoin(url, href)
            parts = urlsplit(link)
            if parts.path.endswith(spec.SHARE_PATH):
                code = parse_qs(parts.query).get(spec.SHARE_QUERY_KEY, [""])[0]
                if spec.is_valid_code(code):
                    self.add("article", f"{parts.scheme}://{parts.netloc}{spec.ARTICLE_PATH}?"
                             f"{spec.ARTICLE_QUERY_KEY}={code}", link)
            elif "page=" in parts.query and parts.path.startswith("/category/"):
                self.add("listing", link)

    def article(self, url: str, share: str, body: bytes) -> None:
        code = parse_qs(urlsplit(url).query)[spec.ARTICLE_QUERY_KEY][0]
        try:
            data = spec.unwrap_article_json(json.loads(body))
        except ValueError:
            data = None
        post = render(code, share, dict(data)) if data is not None else None
        if post is None:
            self.rejected += 1
            return
        name, text = post
        temporary = self.out / f".{name}.tmp"
        temporary.write_text(text, encoding="utf-8")
        self.pending.append((temporary, self.out / name))
        self.articles += 1
        if len(self.pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        """One sync for the batch, then every file renamed: none is ever seen half-written."""
        if self.pending:
            os.sync()
            for temporary, final in self.pending:
                os.replace(temporary, final)
            self.pending.clear()

    async def worker(self) -> None:
        while True:
            kind, url, share = await self.queue.get()
            try:
                if await self.allowed(url):
                    status, body = await self.get(url)
                    if status == 200:
                        (self.listing(url, body) if kind == "listing"
                         else self.article(url, share, body))
                    else:
                        self.failed += 1
            except (aiohttp.ClientError, asyncio.TimeoutError, Retry):
                self.failed += 1
            finally:
                self.queue.task_done()

    async def run(self, start_urls: list[str]) -> None:
        for url in start_urls:
            self.add("listing", url)
        workers = [asyncio.create_task(self.worker()) for _ in range(self.concurrency)]
        await self.queue.join()
        for task in workers:
            task.cancel()
        self.flush()


async def crawl(start_urls: list[str], out: Path, concurrency: int) -> Crawler:
    connector = aiohttp.TCPConnector(limit=concurrency, limit_per_host=concurrency)
    timeout = aiohttp.ClientTimeout(total=180)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout,
                                     headers={"User-Agent": USER_AGENT}) as session:
        crawler = Crawler(session, out, concurrency)
        await crawler.run(start_urls)
    return crawler


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("start_urls", nargs="*")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args(argv)
    started = time.monotonic()
    crawler = asyncio.run(crawl(args.start_urls, args.out, args.concurrency))
    print(json.dumps({"articles": crawler.articles, "pages": crawler.pages,
                      "rejected": crawler.rejected, "failed": crawler.failed,
                      "seconds": time.monotonic() - started}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
