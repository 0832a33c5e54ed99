"""How ``jekyll build`` of an exported archive grows with its number of posts.

For each size N (1,000 and 10,000 posts; 100,000 with ``--big``):

1. a store of N articles is filled in a fresh folder: a pool of generated
   articles (``generate.py``, realistic dirty bodies) goes through the real
   decoding and pipelines once, and the archive's N articles are the pool's
   bodies under N distinct codes, dates and titles (so every post differs);
2. ``newscrawl export`` writes the archive (timed);
3. ``jekyll build`` builds it into a fresh folder (timed: wall, CPU, peak
   memory), as a user runs it: the archive's ``_plugins/`` (newscrawl's
   build-time fixes) loaded, Jekyll's disk cache cold.

With ``--safe-posts``, the same archives of those sizes are also built with
``jekyll build --safe`` (no plugins, as GitHub Pages builds): Debian's Jekyll
4.3.1 is then quadratic in the number of posts (see ``README.md``).

    python benchmarks/jekyll_build.py --work DIR [--posts 1000 10000] [--big]

Prints one JSON line: ``{"jekyll": VERSION, "sizes": [...], "ratios": {...}}``.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT)]

POSTS = (1_000, 10_000)
BIG_POSTS = 100_000
#: Distinct generated bodies; the archive reuses them under new codes.
POOL = 2_000
SITE_URL = "//finews.withounder.com"
#: A build's figures are judged on CPU time: the machine may be shared, and
#: Jekyll runs on one core, so on an idle machine wall time is the same.
TIME = "cpu_s"


def fill_store(archive: Path, posts: int, pool_size: int = POOL) -> None:
    """``posts`` articles in ``archive``'s store, bodies cleaned by newscrawl's own pipelines."""
    import generate
    from scrapy.http import TextResponse
    from scrapy.utils.test import get_crawler

    from newscrawl.archive.store import Store
    from newscrawl.pipelines.category import CategoryPipeline
    from newscrawl.pipelines.clean import CleanHtmlPipeline
    from newscrawl.pipelines.dates import DatesPipeline
    from newscrawl.pipelines.validate import ValidatePipeline
    from newscrawl.runner import project_settings
    from newscrawl.spiders.base import ArticleSpider

    settings = project_settings({"NEWSCRAWL_OUT_DIR": str(archive)})
    crawler = get_crawler(settings_dict={
        name: settings[name] for name in settings if name.startswith("NEWSCRAWL_")})
    spider = ArticleSpider.from_crawler(crawler, name="jekyll-bench")
    pipelines = [ValidatePipeline(), DatesPipeline.from_crawler(crawler),
                 CleanHtmlPipeline.from_crawler(crawler), CategoryPipeline.from_crawler(crawler)]
    pool = []
    for index in range(min(posts, pool_size)):
        code, _media, data = generate.article(index)
        response = TextResponse(
            f"http://finews.zning.xyz/NewsData/GetNewsText.do?id={code}",
            body=json.dumps(data, ensure_ascii=False).encode("utf-8"), encoding="utf-8")
        [item] = spider.parse_article(
            response, code=code, found_on="",
            share_url=f"http://finews.zning.xyz/html_News/NewsShare.html?infoCode={code}")
        for pipeline in pipelines:
            item = pipeline.process_item(item)
        pool.append(item)
    with Store.open(archive) as store:
        for index in range(posts):
            base = pool[index % len(pool)]
            when = generate.time_of(index)
            code = generate.code_of(index, when)
            store.upsert(dataclasses.replace(
                base, code=code,
                share_url=f"http://finews.zning.xyz/html_News/NewsShare.html?infoCode={code}",
                title=re.sub(r"（\d+）$", f"（{index}）", base.title),
                date=when.replace(tzinfo=base.date.tzinfo) if base.date else None))


def jekyll_version() -> str:
    found = shutil.which("jekyll")
    if not found:
        return ""
    answer = subprocess.run([found, "--version"], capture_output=True, text=True, check=False)
    return answer.stdout.strip()


def site_files(site: Path) -> int:
    return sum(1 for path in site.rglob("*") if path.is_file())


def build(archive: Path, site: Path, safe: bool, measure: Callable[..., Any]) -> dict[str, Any]:
    """One ``jekyll build`` of ``archive`` into the fresh folder ``site``, cache cold."""
    # A cache folder of its own (Jekyll keeps it under the source; dot: not site content).
    override = site.parent / f"{site.name}.yml"
    override.write_text(f"cache_dir: .jekyll-cache-{site.name}\n", encoding="utf-8")
    command = [shutil.which("jekyll") or "jekyll", "build", "--source", str(archive),
               "--destination", str(site), "--config",
               f"{archive / '_config.yml'},{override}"]
    if safe:
        command.append("--safe")
    child = measure(command, timeout=4 * 3600)
    return {"mode": "--safe" if safe else "plugins", "wall_s": round(child.wall_s, 2),
            "cpu_s": round(child.cpu_s, 2), "peak_rss_mb": round(child.peak_rss_mb),
            "site_files": site_files(site)}


def run(work: Path, sizes: Iterable[int], safe_sizes: Iterable[int],
        measure: Callable[..., Any]) -> dict[str, Any]:
    """Every size: fill, export, build (and build --safe); then the ratios between sizes."""
    results: list[dict[str, Any]] = []
    sizes, safe_sizes = set(sizes), set(safe_sizes)
    work.mkdir(parents=True, exist_ok=True)
    for posts in sorted(sizes | safe_sizes):
        # Fresh folders: ext4 creates files slowly soon after deleting thousands.
        folder = Path(tempfile.mkdtemp(prefix=f"jekyll-{posts}-", dir=work))
        archive = folder / "archive"
        print(f"jekyll: {posts} posts: filling the store…", file=sys.stderr, flush=True)
        fill_store(archive, posts)
        export = measure([sys.executable, "-m", "newscrawl", "export", "--out", str(archive),
                          "--site-url", SITE_URL])
        entry: dict[str, Any] = {"posts": posts, "export_wall_s": round(export.wall_s, 2),
                                 "builds": []}
        modes = ([False] if posts in sizes else []) + ([True] if posts in safe_sizes else [])
        for safe in modes:
            print(f"jekyll: {posts} posts: jekyll build{' --safe' if safe else ''}…",
                  file=sys.stderr, flush=True)
            entry["builds"].append(build(archive, folder / f"site{'-safe' if safe else ''}",
                                         safe, measure))
            print(f"jekyll: {posts} posts: {json.dumps(entry['builds'][-1])}", file=sys.stderr,
                  flush=True)
        results.append(entry)
        shutil.rmtree(folder, ignore_errors=True)
    return {"jekyll": jekyll_version(), "judged_on": TIME, "sizes": results,
            "ratios": ratios(results)}


def ratios(results: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Between consecutive sizes of each mode: posts ratio and time ratio."""
    found: dict[str, dict[str, float]] = {}
    for mode in ("plugins", "--safe"):
        points = [(entry["posts"], build) for entry in results for build in entry["builds"]
                  if build["mode"] == mode]
        for (small, a), (big, b) in itertools.pairwise(points):
            found[f"{mode} {big}/{small}"] = {
                "posts": big / small,
                "cpu": round(b["cpu_s"] / a["cpu_s"], 2) if a["cpu_s"] else float("inf"),
                "wall": round(b["wall_s"] / a["wall_s"], 2) if a["wall_s"] else float("inf"),
            }
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, required=True, help="a folder for the archives")
    parser.add_argument("--posts", type=int, nargs="+", default=list(POSTS))
    parser.add_argument("--big", action="store_true", help=f"also {BIG_POSTS} posts")
    parser.add_argument("--safe-posts", type=int, nargs="*", default=[],
                        help="also build these sizes with --safe (no plugins)")
    args = parser.parse_args(argv)
    if not shutil.which("jekyll"):
        parser.error("jekyll is not installed (Debian: apt-get install jekyll)")
    from run import measure

    sizes = [*args.posts, *([BIG_POSTS] if args.big else [])]
    args.work.mkdir(parents=True, exist_ok=True)
    print(json.dumps(run(args.work, sizes, args.safe_posts, measure)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
