"""Where newscrawl's CPU goes per article: each stage timed alone on the generated answers.

Every article JSON of a generated data directory goes through what a crawl
does with it after the download, stage by stage, with the CPU time
(``time.process_time_ns``) of each stage summed:

- ``decode``: the answer's bytes to text and JSON, and the item
  (``ArticleSpider.parse_article`` on a Scrapy ``TextResponse``);
- ``validate``, ``dates``, ``clean``, ``slug``: the pipelines, in order;
- ``store``: ``Store.upsert`` (SQLite);
- ``render``: ``render_post`` (the post's bytes);
- ``export``: one ``export_archive`` of the whole store, per article (every
  post, category page and index, written atomically in batches with one
  filesystem sync per batch).

The download handling itself (HTTP, scheduling, middlewares, category
pages) is what the bare Scrapy spider of ``run.py`` measures.  With
``--out`` the store and archive are kept: ``run.py`` times ``newscrawl
export`` of that unchanged archive.

    python benchmarks/stages.py --data DIR [--articles N] [--out ARCHIVE]

Prints one JSON line: ``{"articles": N, "us_per_article": {stage: µs}}``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scrapy.http import TextResponse  # noqa: E402
from scrapy.utils.test import get_crawler  # noqa: E402

from newscrawl import settings as newscrawl_settings  # noqa: E402
from newscrawl.archive.export import export_archive  # noqa: E402
from newscrawl.archive.store import Store  # noqa: E402
from newscrawl.formats.jekyll.post import render_post  # noqa: E402
from newscrawl.pipelines.category import CategoryPipeline  # noqa: E402
from newscrawl.pipelines.clean import CleanHtmlPipeline  # noqa: E402
from newscrawl.pipelines.dates import DatesPipeline  # noqa: E402
from newscrawl.pipelines.validate import ValidatePipeline  # noqa: E402
from newscrawl.runner import project_settings  # noqa: E402
from newscrawl.spiders.base import ArticleSpider  # noqa: E402

SITE_URL = newscrawl_settings.NEWSCRAWL_SITE_URL
STAGES = ("decode", "validate", "dates", "clean", "slug", "store", "render", "export")
T = TypeVar("T")


class Timer:
    """Sums the CPU time of each stage."""

    def __init__(self) -> None:
        self.ns: dict[str, int] = defaultdict(int)

    def __call__(self, stage: str, function: Callable[..., T], *args: Any) -> T:
        started = time.process_time_ns()
        try:
            return function(*args)
        finally:
            self.ns[stage] += time.process_time_ns() - started


def run(data: Path, out: Path, limit: int | None = None) -> dict[str, Any]:
    paths = sorted((data / "articles").glob("*.json"))[:limit]
    settings = project_settings({"NEWSCRAWL_OUT_DIR": str(out)})
    # newscrawl's own settings; no reactor is needed to time the stages.
    crawler = get_crawler(settings_dict={
        name: settings[name] for name in settings if name.startswith("NEWSCRAWL_")})
    spider = ArticleSpider.from_crawler(crawler, name="stages")
    pipelines = [
        ("validate", ValidatePipeline()),
        ("dates", DatesPipeline.from_crawler(crawler)),
        ("clean", CleanHtmlPipeline.from_crawler(crawler)),
        ("slug", CategoryPipeline.from_crawler(crawler)),
    ]
    timer = Timer()
    count = 0
    with Store.open(out) as store:
        for path in paths:
            code = path.stem
            share = f"http://finews.zning.xyz/html_News/NewsShare.html?infoCode={code}"
            response = TextResponse(
                f"http://finews.zning.xyz/NewsData/GetNewsText.do?id={code}",
                body=path.read_bytes(), encoding="utf-8",
            )
            [item] = timer("decode", lambda r=response, c=code, s=share: list(
                spider.parse_article(r, code=c, share_url=s, found_on="")))
            for stage, pipeline in pipelines:
                item = timer(stage, pipeline.process_item, item)
            timer("store", store.upsert, item)
            timer("render", render_post, item, SITE_URL)
            count += 1
        # Without the search index: search.py measures it.
        timer("export", partial(export_archive, search=False), store, out, SITE_URL, 0)
    return {
        "articles": count,
        "us_per_article": {stage: timer.ns[stage] / 1000 / max(count, 1) for stage in STAGES},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--articles", type=int, default=None, help="only the first N")
    parser.add_argument("--out", type=Path, default=None,
                        help="archive to build (default: a temporary directory)")
    args = parser.parse_args(argv)
    if args.out is not None:
        print(json.dumps(run(args.data, args.out, args.articles)))
        return 0
    with tempfile.TemporaryDirectory(prefix="newscrawl-stages-") as tmp:
        print(json.dumps(run(args.data, Path(tmp), args.articles)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
