"""A replica data directory with many articles, for the benchmark.

Writes ``DIR/articles/<CODE>.json`` (the article endpoint's answers) and
``DIR/site.json`` (category pages listing them, list feeds) in the format of
``newscrawl/replica/data`` (see its README), served by
``python -m newscrawl.replica --data DIR``.

Bodies are realistic and dirty: paragraphs of the replica's corpus, 2 to 20 KB
per article (UTF-8), with the source's junk (SOURCE.md §3) woven in by the
replica's own weaver (hidden paragraphs, stock charts, keyword links,
indentation, inline styles, scripts, pictures, CR LF).  Field names vary as in
the real feeds.  Deterministic: the same arguments give the same files.

    python benchmarks/generate.py --articles 10000 --out /tmp/bench-data
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tools import make_replica_data as make_data  # noqa: E402
from tools import replica_corpus as corpus  # noqa: E402

#: The media of the generated archive: the replica's own, and more.
MEDIA = (
    *corpus.CATEGORY_SLUGS,
    "第一财经", "经济参考报", "证券日报", "每日经济新闻", "财联社", "界面新闻", "新京报",
    "华夏时报", "中国基金报", "期货日报", "金融时报", "经济观察报",
)
#: Links per category page.
PAGE_SIZE = 50
#: The slug of a category page with no article (not among ``Generated.categories``).
EMPTY_CATEGORY = "empty"
JUNK_FLAGS = ("hidden", "chart", "indent", "keytip", "common", "infokey", "style", "script")
MIN_BODY, MAX_BODY = 2_000, 19_000
FIRST_TIME = datetime(2021, 1, 1, 8, 0, 0)


@dataclass(frozen=True)
class Generated:
    """What was written: for the benchmark's start URLs and its report."""

    articles: int
    categories: list[str]
    body_bytes: list[int]


def _paragraphs() -> list[str]:
    return [p for spec in corpus.ARTICLES for p in spec.paragraphs]


_POOL: list[str] = _paragraphs()


def code_of(index: int, when: datetime) -> str:
    """``NW`` + date + a serial: the shape of the source's codes (20 characters)."""
    return f"NW{when:%Y%m%d}{index:010d}"


def time_of(index: int) -> datetime:
    return FIRST_TIME + timedelta(seconds=173 * index)


def article(index: int) -> tuple[str, str, dict[str, Any]]:
    """``(code, media, JSON answer)`` of generated article ``index``."""
    rng = random.Random(index)
    when = time_of(index)
    code = code_of(index, when)
    media = MEDIA[index % len(MEDIA)]
    target = rng.randint(MIN_BODY, MAX_BODY)
    paragraphs: list[str] = []
    size = 0
    while size < target * 0.9 or len(paragraphs) < 2:
        paragraph = rng.choice(_POOL)
        paragraphs.append(paragraph)
        size += len(paragraph.encode("utf-8")) + 10
    flags = [flag for flag in JUNK_FLAGS if rng.random() < 0.5]
    flags.append(rng.choice(("nl", "crlf", "nl", "")))
    title = f"{rng.choice(corpus.ARTICLES).title}（{index}）"
    spec = corpus.Spec(code, media, f"{when:%Y-%m-%d %H:%M:%S}", title, "\n".join(paragraphs),
                       " ".join(f for f in flags if f), images=rng.randint(0, 2))
    try:
        data, _ = make_data.payload(index, spec)
    except ValueError:  # no stock or board word to link in these paragraphs
        plain = " ".join(f for f in flags if f not in ("keytip", "common", "infokey"))
        data, _ = make_data.payload(index, corpus.Spec(
            code, media, spec.time, title, spec.body, plain, images=spec.images))
    return code, media, data


def _write_range(out: str, start: int, stop: int) -> list[tuple[str, str, int]]:
    articles = Path(out) / "articles"
    written = []
    for index in range(start, stop):
        code, media, data = article(index)
        body = data.get("text") or data.get("content") or ""
        (articles / f"{code}.json").write_text(
            json.dumps(data, ensure_ascii=False), encoding="utf-8")
        written.append((code, media, len(body.encode("utf-8"))))
    return written


def slug_of(media_index: int) -> str:
    return f"bench{media_index:02d}"


def generate(out: Path, count: int, workers: int | None = None) -> Generated:
    """Write ``count`` articles and the site around them into ``out`` (emptied first)."""
    articles = out / "articles"
    articles.mkdir(parents=True, exist_ok=True)
    for stale in articles.glob("*.json"):
        stale.unlink()
    step = 2_000
    ranges = [(start, min(start + step, count)) for start in range(0, count, step)]
    workers = workers or min(os.cpu_count() or 1, 4)
    written: list[tuple[str, str, int]] = []
    if workers > 1 and len(ranges) > 1:
        with ProcessPoolExecutor(workers) as pool:
            for part in pool.map(_write_range, [str(out)] * len(ranges),
                                 *zip(*ranges, strict=True)):
                written.extend(part)
    else:
        for start, stop in ranges:
            written.extend(_write_range(str(out), start, stop))
    categories = []
    for media_index, media in enumerate(MEDIA):
        # Newest first, as the source lists them.
        codes = [code for code, m, _ in reversed(written) if m == media]
        if not codes:
            continue
        pages = [{"links": [f"share:{c}" for c in codes[start:start + PAGE_SIZE]]}
                 for start in range(0, len(codes), PAGE_SIZE)]
        categories.append({"slug": slug_of(media_index), "title": f"{media}新闻",
                           "media": media, "pagination": "full", "pages": pages})
    newest = [code for code, _, _ in reversed(written)]
    # A category page that lists no article: the start-up benchmark's empty crawl.
    empty = {"slug": EMPTY_CATEGORY, "title": "空栏目新闻", "media": "空栏目",
             "pagination": "full", "pages": [{"links": []}]}
    site = {
        "site_name": "newscrawl benchmark",
        "last_modified": "Tue, 25 Jan 2022 10:05:44 GMT",
        "noise_links": make_data.NOISE_LINKS,
        "categories": [*categories, empty],
        "private_links": [],
        "feeds": {"102": newest[:20], "45": newest[1:41:2], "37": newest[5:25]},
    }
    (out / "site.json").write_text(json.dumps(site, ensure_ascii=False), encoding="utf-8")
    return Generated(count, [c["slug"] for c in categories], [size for _, _, size in written])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    result = generate(args.out, args.articles)
    sizes = sorted(result.body_bytes)
    print(f"{result.articles} articles in {len(result.categories)} categories; body "
          f"{sizes[0]}..{sizes[-1]} bytes, median {sizes[len(sizes) // 2]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
