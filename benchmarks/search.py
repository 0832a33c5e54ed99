"""What the archive's search costs: index size and build time, and the bytes of one query.

For each archive size, a store of that many generated articles (``generate.py``'s
bodies, cleaned by newscrawl's cleaner) is indexed as an export indexes it
(:func:`newscrawl.formats.jekyll.search.index_store`), three times:

- **build**: a first index of the whole archive;
- **unchanged**: the same archive again (every shard is kept);
- **+10 posts**: ten newer articles added, as a scheduled run adds them.

Each with its wall time and the peak memory of the Pagefind processes
(``ru_maxrss`` of the children).  Then a headless Chromium opens a search
page over the index (the archive's own ``search.js``), searches ``人民币`` and
the server counts every byte it sent for it: the bytes a reader downloads
for one query, from an empty cache.

    python benchmarks/search.py --posts 1000 10000 100000 [--work DIR]

Needs the ``search`` extra (Pagefind), and Chromium with the ``test`` extra's
Playwright for the query.  Prints one JSON line per size and a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
for folder in (ROOT, ROOT / "benchmarks"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import generate  # noqa: E402

from newscrawl.archive.store import Store  # noqa: E402
from newscrawl.formats.jekyll import search  # noqa: E402
from newscrawl.formats.jekyll.post import post_url  # noqa: E402
from newscrawl.items import Article  # noqa: E402
from newscrawl.pipelines.category import slugify, tag_for  # noqa: E402
from newscrawl.pipelines.clean import clean_html  # noqa: E402
from newscrawl.pipelines.dates import BEIJING  # noqa: E402

#: The search page's script, as the archive ships it.
SEARCH_JS = ROOT / "newscrawl" / "formats" / "jekyll" / "files" / "assets" / "js" / "search.js"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

QUERY = "人民币"
SHARE_URL = "http://finews.zning.xyz/html_News/NewsShare.html?infoCode="
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


def _articles(start: int, stop: int) -> list[Article]:
    made = []
    for index in range(start, stop):
        code, media, data = generate.article(index)
        made.append(Article(
            code=code, share_url=f"{SHARE_URL}{code}", title=data["title"], media=media,
            body=clean_html(data.get("text") or data.get("content") or ""),
            date=generate.time_of(index).replace(tzinfo=BEIJING), slug=slugify(media),
            tag=tag_for(media)))
    return made


def fill_store(archive: Path, start: int, stop: int) -> None:
    """Store generated articles ``start`` to ``stop`` (kept between runs with ``--work``)."""
    step = 1_000
    ranges = [(a, min(a + step, stop)) for a in range(start, stop, step)]
    with Store.open(archive) as store, ProcessPoolExecutor(min(os.cpu_count() or 1, 4)) as pool:
        for batch in pool.map(_articles, *zip(*ranges, strict=True)):
            for article in batch:
                store.upsert(article)


def children_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def index_once(archive: Path, shard_posts: int) -> dict[str, Any]:
    started = time.perf_counter()
    with Store.open(archive) as store:
        result = search.index_store(store, archive, post_url, shard_posts)
    return {"seconds": round(time.perf_counter() - started, 2),
            "shards": result.shards, "rebuilt": len(result.rebuilt)}


def folder_size(folder: Path) -> tuple[int, int]:
    files = [path for path in folder.rglob("*") if path.is_file()]
    return sum(path.stat().st_size for path in files), len(files)


class _CountingHandler(SimpleHTTPRequestHandler):
    """Serves the site and notes each file's path and bytes (a class per server: ``sent``)."""

    sent: ClassVar[list[tuple[str, int]]] = []

    def log_message(self, format: str, *args: object) -> None:
        pass

    def copyfile(self, source: Any, outputfile: Any) -> None:
        data = source.read()
        outputfile.write(data)
        self.sent.append((self.path, len(data)))


def query_bytes(archive: Path) -> dict[str, int]:
    """Bytes sent for one search of :data:`QUERY` on a fresh browser, by kind of file."""
    from playwright.sync_api import sync_playwright

    site = Path(tempfile.mkdtemp(prefix="search-site-"))
    try:
        os.symlink(archive / search.SEARCH_DIR, site / search.SEARCH_DIR)
        (site / "search").mkdir()
        (site / "search.js").write_bytes(SEARCH_JS.read_bytes())
        (site / "search" / "index.html").write_text(
            '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"></head><body>'
            '<div id="search" data-index="/pagefind/" data-base="/"></div>'
            '<a id="search-order" href="?sort=date">按日期</a>'
            '<script src="/search.js"></script></body></html>', encoding="utf-8")
        handler = type("Handler", (_CountingHandler,), {"sent": []})
        server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(site)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page()
                page.goto(f"http://127.0.0.1:{server.server_address[1]}/search/?q={quote(QUERY)}")
                page.wait_for_selector(".pagefind-ui__result", timeout=60_000)
                page.wait_for_load_state("networkidle")
                browser.close()
        finally:
            server.shutdown()
            server.server_close()
        kinds: dict[str, int] = {}
        for path, size in handler.sent:
            if path.startswith("/search"):
                continue
            name = path.split("?")[0].rsplit("/", 1)[-1]
            kind = ("index chunks" if name.endswith(".pf_index") else
                    "fragments" if name.endswith(".pf_fragment") else
                    "filters" if name.endswith(".pf_filter") else
                    "meta" if name.endswith((".pf_meta", "entry.json", "shards.json")) else
                    "wasm" if name.startswith("wasm.") else "ui (js, css)")
            kinds[kind] = kinds.get(kind, 0) + size
        kinds["total"] = sum(kinds.values())
        return kinds
    finally:
        shutil.rmtree(site, ignore_errors=True)


def measure(work: Path, posts: int, shard_posts: int, browser: bool) -> dict[str, Any]:
    """The figures of one archive size (run in a process of its own: its children's peak)."""
    archive = work / f"archive-{posts}"
    shutil.rmtree(archive, ignore_errors=True)
    fill_store(archive, 0, posts - 10)
    figures: dict[str, Any] = {"posts": posts, "shard_posts": shard_posts}
    figures["build"] = index_once(archive, shard_posts)
    figures["pagefind_peak_mb"] = round(children_peak_mb())
    figures["unchanged"] = index_once(archive, shard_posts)
    fill_store(archive, posts - 10, posts)
    figures["plus_10_posts"] = index_once(archive, shard_posts)
    size, files = folder_size(archive / search.SEARCH_DIR)
    figures["index_bytes"], figures["index_files"] = size, files
    if browser:
        figures["query_bytes"] = query_bytes(archive)
    return figures


def markdown(rows: list[dict[str, Any]]) -> str:
    lines = ["| posts | shards | index | files | build | Pagefind peak | unchanged | +10 posts "
             "| one query |", "|" + " --- |" * 9]
    for row in rows:
        query = row.get("query_bytes", {}).get("total")
        lines.append(
            f"| {row['posts']:,} | {row['build']['shards']} | {row['index_bytes'] / 1e6:.1f} MB "
            f"| {row['index_files']:,} | {row['build']['seconds']:.1f} s "
            f"| {row['pagefind_peak_mb']:,} MB | {row['unchanged']['seconds']:.1f} s "
            f"| {row['plus_10_posts']['seconds']:.1f} s ({row['plus_10_posts']['rebuilt']} shard) "
            f"| {'-' if query is None else f'{query / 1e3:.0f} KB'} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--shard-posts", type=int, default=search.SHARD_POSTS)
    parser.add_argument("--work", type=Path, help="keep the archives here (default: a temp dir)")
    parser.add_argument("--no-browser", action="store_true", help="skip the query's bytes")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="newscrawl-search-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    if args.one:
        print(json.dumps(measure(work, args.posts[0], args.shard_posts, not args.no_browser),
                         ensure_ascii=False))
        return 0
    rows = []
    try:
        for posts in args.posts:
            # A process per size: the peak memory of its own Pagefind runs.
            command = [sys.executable, __file__, "--one", "--posts", str(posts),
                       "--shard-posts", str(args.shard_posts), "--work", str(work)]
            if args.no_browser:
                command.append("--no-browser")
            result = subprocess.run(command, capture_output=True, text=True, check=False)
            if result.returncode != 0:
                print(result.stderr, file=sys.stderr)
                return 1
            rows.append(json.loads(result.stdout.strip().splitlines()[-1]))
            print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    print(markdown(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
