"""newscrawl's benchmark, in one command: ``python benchmarks/run.py``.

1. Generates a replica data directory with ``--articles`` articles
   (10,000; realistic dirty bodies of 2-20 KB) and serves it from a separate
   process (``python -m newscrawl.replica --data DIR --latency S``), at 0 ms
   and at 50 ms per answer.
2. At each latency, crawls every article with
   - newscrawl: ``newscrawl crawl CATEGORY_URL...`` (a subprocess);
   - a bare Scrapy spider (``bare.py``): the same URLs, no pipelines;
   - a hand-written asyncio crawler (``asyncio_crawler.py``): aiohttp, the
     same cleaning rules, robots.txt, retries, atomic post writes;
   - the naive sequential fetcher (``naive.py``): urllib, string formatting;
   and records articles per second, CPU seconds per article (the child's
   rusage) and peak memory (its ``ru_maxrss``).
3. Start-up: the CPU of an empty crawl (one category page listing nothing)
   by newscrawl, the bare spider and the asyncio crawler.
4. Profiles newscrawl's own CPU per article: every stage timed alone
   (``stages.py``), and a cProfile of a crawl, bucketed by stage.
5. Times ``newscrawl export`` of an unchanged 20,000-post archive.
6. Times ``jekyll build`` of exported archives of 1,000 and 10,000 posts
   (``jekyll_build.py``; 100,000 too with ``--big``), when ``jekyll`` is installed.
7. With ``--big``: newscrawl's crawl of 100,000 articles, for its peak memory.

Writes ``results.json`` (every figure) in the work directory (``--results``
to choose), prints a Markdown summary.  ``--quick``: 500 articles, for a
smoke run.  No figure here is asserted anywhere: the README records a run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import pstats
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import ExitStack, closing, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT)]

import generate  # noqa: E402
import jekyll_build  # noqa: E402

from newscrawl import settings as newscrawl_settings  # noqa: E402

#: newscrawl's settings for the benchmark (the shipped defaults stay polite:
#: 16 requests, 4 per host, 0.25 s delay, AutoThrottle).
CONCURRENCY = 32
#: Without the search index, which has its own benchmark (search.py): these figures
#: are the crawl's and the export's own.
CRAWL_OPTIONS = [
    "--delay", "0", "-s", "AUTOTHROTTLE_ENABLED=false",
    "-s", "NEWSCRAWL_PROGRESS_INTERVAL=0", "--log-level", "WARNING", "--no-search",
]
LATENCIES = (0.0, 0.05)
#: newscrawl's own CONCURRENT_ITEMS, given to the second bare spider.
NEWSCRAWL_CONCURRENT_ITEMS: int = newscrawl_settings.CONCURRENT_ITEMS
ARTICLE_PATH = "/NewsData/GetNewsText.do?id="
EXPORT_POSTS = 20_000
BIG_ARTICLES = 100_000


# --------------------------------------------------------------------------- processes


@dataclass
class Child:
    """One measured child process: its wall time, CPU time and peak memory."""

    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    returncode: int
    stdout: str
    stderr: str
    #: Peak resident memory (MB) in each phase named by ``measure``'s ``phase``.
    phase_peak_mb: dict[str, float] = field(default_factory=dict)

    def last_line(self) -> str:
        """The last line the child printed: its one-line result."""
        return self.stdout.strip().splitlines()[-1]

    def figures(self) -> Any:
        """The child's result, printed as one JSON line last."""
        return json.loads(self.last_line())


def env() -> dict[str, str]:
    """The children's environment: newscrawl importable, no proxies."""
    variables = {k: v for k, v in os.environ.items()
                 if k.lower() not in ("http_proxy", "https_proxy", "no_proxy", "all_proxy")}
    variables["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
    variables["PYTHONDONTWRITEBYTECODE"] = "1"
    return variables


def resident_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def measure(command: list[str], timeout: float = 3600,
            phase: Callable[[], str] | None = None) -> Child:
    """Run ``command`` to its end; its rusage comes from ``wait4`` (that child only).

    With ``phase``, the child's resident memory is sampled every 0.2 s and
    its peak kept per phase (``phase()`` names the current one).
    """
    peaks: dict[str, float] = {}
    done = threading.Event()
    with tempfile.TemporaryFile("w+") as err, tempfile.TemporaryFile("w+") as out:
        started = time.monotonic()
        process = subprocess.Popen(command, stdout=out, stderr=err, env=env(), cwd=ROOT)

        def sample() -> None:
            while not done.wait(0.2):
                rss = resident_mb(process.pid)
                if rss is not None and phase is not None:
                    name = phase()
                    peaks[name] = max(peaks.get(name, 0.0), rss)

        sampler = threading.Thread(target=sample, daemon=True)
        if phase is not None:
            sampler.start()
        timer = threading.Timer(timeout, process.kill)
        timer.start()
        try:
            _pid, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
            done.set()
        wall = time.monotonic() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        child = Child(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024,
                      process.returncode, out.read(), err.read(), peaks)
    if child.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:4])}… failed ({child.returncode}):\n"
                           f"{child.stderr[-3000:]}")
    return child


def measure_many(commands: list[list[str]], timeout: float = 3600) -> list[Child]:
    """Run ``commands`` side by side to their ends, each measured as by :func:`measure`."""
    with ExitStack() as stack:
        files = [(stack.enter_context(tempfile.TemporaryFile("w+")),
                  stack.enter_context(tempfile.TemporaryFile("w+"))) for _ in commands]
        started = time.monotonic()
        processes = [subprocess.Popen(command, stdout=out, stderr=err, env=env(), cwd=ROOT)
                     for command, (out, err) in zip(commands, files, strict=True)]
        timers = [threading.Timer(timeout, process.kill) for process in processes]
        for timer in timers:
            timer.start()
            stack.callback(timer.cancel)
        children = []
        for process, (out, err) in zip(processes, files, strict=True):
            _pid, status, usage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)
            out.seek(0)
            err.seek(0)
            children.append(Child(time.monotonic() - started, usage.ru_utime + usage.ru_stime,
                                  usage.ru_maxrss / 1024, process.returncode, out.read(),
                                  err.read()))
    for child in children:
        if child.returncode != 0:
            raise RuntimeError(f"a worker failed ({child.returncode}):\n{child.stderr[-3000:]}")
    return children


@contextmanager
def redis_server(work: Path) -> Iterator[str]:
    """Debian's redis-server on a free port, no persistence; yields its URL."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    folder = work / "redis"
    folder.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(folder)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


class Replica:
    """The replica serving a data directory, in its own process."""

    def __init__(self, data: Path, latency: float) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "newscrawl.replica", "--port", "0", "--data", str(data),
             "--latency", str(latency)],
            stdout=subprocess.PIPE, text=True, env=env(), cwd=ROOT,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if "serving on" not in line:
            self.process.kill()
            raise RuntimeError(f"the replica did not start: {line!r}")
        self.url = line.split("serving on", 1)[1].strip()

    def requests(self) -> dict[str, int]:
        with urllib.request.urlopen(self.url + "__requests", timeout=60) as answer:
            return json.load(answer)

    def reset(self) -> None:
        with urllib.request.urlopen(self.url + "__reset", timeout=60):
            pass

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@contextmanager
def replica(data: Path, latency: float) -> Iterator[Replica]:
    server = Replica(data, latency)
    try:
        yield server
    finally:
        server.stop()


# --------------------------------------------------------------------------- the crawls


@dataclass
class Run:
    """One tool's crawl at one latency."""

    tool: str
    latency_ms: int
    articles: int
    article_requests: int
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    limit: int | None = None
    #: newscrawl: peak memory while crawling, and while exporting at the end.
    phase_peak_mb: dict[str, float] = field(default_factory=dict)
    #: With ``--repeat``: the CPU ms per article of every repetition (this run
    #: is the median one).
    cpu_ms_runs: list[float] = field(default_factory=list)
    articles_per_s: float = field(init=False)
    cpu_ms_per_article: float = field(init=False)

    def __post_init__(self) -> None:
        self.articles_per_s = self.articles / self.wall_s if self.wall_s else 0.0
        self.cpu_ms_per_article = 1000 * self.cpu_s / self.articles if self.articles else 0.0


def start_urls(server: Replica, categories: list[str]) -> list[str]:
    return [f"{server.url}category/{slug}.html" for slug in categories]


def article_requests(server: Replica) -> int:
    return sum(n for target, n in server.requests().items() if target.startswith(ARTICLE_PATH))


def stored(archive: Path) -> int:
    """Articles in an archive's store so far (read-only; 0 before it exists)."""
    path = archive / ".newscrawl" / "store.sqlite"
    if not path.exists():
        return 0
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=0.5)) as db:
            return int(db.execute("SELECT COUNT(*) FROM articles").fetchone()[0])
    except sqlite3.Error:
        return 0


def run_newscrawl(server: Replica, data: Path, urls: list[str], out: Path, latency: float,
                  concurrency: int) -> Run:
    shutil.rmtree(out, ignore_errors=True)
    server.reset()
    expected = count_articles(data)

    def phase() -> str:
        # Every article is in the store when the crawl ends; the export follows.
        return "export" if stored(out) >= expected else "crawl"

    child = measure([sys.executable, "-m", "newscrawl", "crawl", *urls, "--out", str(out),
                     "--concurrency", str(concurrency), *CRAWL_OPTIONS], phase=phase)
    return Run("newscrawl", round(latency * 1000), count_posts(out), article_requests(server),
               child.wall_s, child.cpu_s, child.peak_rss_mb,
               phase_peak_mb=child.phase_peak_mb)


BARE = "bare Scrapy"
ASYNCIO = "asyncio crawler"
BARE_SAME_ITEMS = f"bare Scrapy, CONCURRENT_ITEMS {NEWSCRAWL_CONCURRENT_ITEMS}"


def run_bare(server: Replica, urls: list[str], latency: float, concurrency: int,
             concurrent_items: int | None = None) -> Run:
    """The bare spider; ``concurrent_items``: Scrapy's CONCURRENT_ITEMS (default: Scrapy's)."""
    server.reset()
    command = [sys.executable, str(HERE / "bare.py"), "--concurrency", str(concurrency), *urls]
    if concurrent_items is not None:
        command[2:2] = ["--concurrent-items", str(concurrent_items)]
    child = measure(command)
    figures = child.figures()
    return Run(BARE if concurrent_items is None else BARE_SAME_ITEMS, round(latency * 1000),
               figures["articles"], article_requests(server), child.wall_s, child.cpu_s,
               child.peak_rss_mb)


def run_asyncio(server: Replica, urls: list[str], out: Path, latency: float,
                concurrency: int) -> Run:
    """The hand-written asyncio crawler (``asyncio_crawler.py``), in a fresh folder."""
    server.reset()
    child = measure([sys.executable, str(HERE / "asyncio_crawler.py"), "--out", str(out),
                     "--concurrency", str(concurrency), *urls])
    figures = child.figures()
    return Run(ASYNCIO, round(latency * 1000), figures["articles"], article_requests(server),
               child.wall_s, child.cpu_s, child.peak_rss_mb)


def run_startup(data: Path, work: Path, concurrency: int, repeat: int) -> dict[str, Any]:
    """The CPU of an empty crawl (a category page listing nothing), median of ``repeat``.

    Everything but the articles: interpreter, imports, settings, the
    engine's start and stop, robots.txt, one page, and (newscrawl) the
    export of an empty archive and the report.
    """
    cpu: dict[str, list[float]] = defaultdict(list)
    with replica(data, 0.0) as server:
        url = f"{server.url}category/{generate.EMPTY_CATEGORY}.html"
        for n in range(repeat):
            out = work / f"startup-{n}"
            commands = {
                "newscrawl": [sys.executable, "-m", "newscrawl", "crawl", url, "--out",
                              str(out / "newscrawl"), "--concurrency", str(concurrency),
                              *CRAWL_OPTIONS],
                BARE: [sys.executable, str(HERE / "bare.py"), "--concurrency",
                       str(concurrency), url],
                ASYNCIO: [sys.executable, str(HERE / "asyncio_crawler.py"), "--out",
                          str(out / "asyncio"), "--concurrency", str(concurrency), url],
            }
            for tool, command in commands.items():
                cpu[tool].append(measure(command).cpu_s)
    return {tool: {"cpu_s": sorted(runs)[(len(runs) - 1) // 2],
                   "cpu_s_runs": [round(run, 3) for run in runs]}
            for tool, runs in cpu.items()}


def median_run(runs: list[Run]) -> Run:
    """The run of median CPU per article, with every run's figure in ``cpu_ms_runs``."""
    ordered = sorted(runs, key=lambda run: run.cpu_ms_per_article)
    chosen = ordered[(len(ordered) - 1) // 2]
    chosen.cpu_ms_runs = [round(run.cpu_ms_per_article, 3) for run in runs]
    return chosen


def run_naive(server: Replica, urls: list[str], out: Path, latency: float,
              limit: int | None) -> Run:
    shutil.rmtree(out, ignore_errors=True)
    server.reset()
    command = [sys.executable, str(HERE / "naive.py"), "--out", str(out), *urls]
    if limit is not None:
        command[2:2] = ["--limit", str(limit)]
    child = measure(command)
    figures = child.figures()
    return Run("naive", round(latency * 1000), figures["articles"], article_requests(server),
               child.wall_s, child.cpu_s, child.peak_rss_mb, limit)


def run_distributed(server: Replica, urls: list[str], work: Path, latency: float,
                    concurrency: int, workers: int) -> Run:
    """``workers`` newscrawl processes sharing one Redis, then ``export --redis``.

    Wall time: from the push to the end of the export, including the workers'
    idle exit (1 s, seen within Scrapy's 5 s idle ticks); CPU: all workers and
    the export; peak memory: the largest worker.
    """
    out = work / "archive-distributed"
    shutil.rmtree(out, ignore_errors=True)
    server.reset()
    with redis_server(work) as url:
        started = time.monotonic()
        push = measure([sys.executable, "-m", "newscrawl", "push", "--redis", url, *urls])
        children = measure_many([
            [sys.executable, "-m", "newscrawl", "crawl", "--redis", url, "--idle-exit", "1",
             "--out", str(work / f"worker-{n}"), "--concurrency", str(concurrency),
             *CRAWL_OPTIONS]
            for n in range(workers)
        ])
        export = measure([sys.executable, "-m", "newscrawl", "export", "--redis", url,
                          "--out", str(out), "--no-search"])
        wall = time.monotonic() - started
    cpu = push.cpu_s + export.cpu_s + sum(child.cpu_s for child in children)
    return Run(f"newscrawl, {workers} Redis workers", round(latency * 1000), count_posts(out),
               article_requests(server), wall, cpu, max(c.peak_rss_mb for c in children))


# --------------------------------------------------------------------------- profiles

#: cProfile buckets: (stage, substrings of a function's file or name), first match wins.
BUCKETS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("cleaning", ("Cleaner", "nh3", "newscrawl/cleaning/", "pipelines/clean.py", "/lxml/html/")),
    ("slug", ("/pypinyin/", "pipelines/category.py")),
    ("dates", ("/dateutil/", "pipelines/dates.py")),
    ("JSON decode", ("/json/", "spiders/base.py")),
    ("store", ("sqlite3", "newscrawl/store.py", "hashlib", "sha256")),
    ("writing (export)", ("/exporters/", "/yaml/", "fsutil.py", "fsync", "posix.replace",
                          "posix.open", "_io.", "mkstemp", "tempfile.py")),
    ("download handling", ("/scrapy/", "/twisted/", "/asyncio/", "/parsel/", "/w3lib/",
                           "/cssselect/", "/lxml/", "selectors.py", "/http/", "/zope/",
                           "_asyncio.", "epoll", "socket", "/queuelib/", "/itemadapter/",
                           "/urllib/", "/protego/", "/tldextract/", "/idna/")),
    ("newscrawl (spiders, report, other)", ("/newscrawl/",)),
)


def _bucket(filename: str, name: str) -> str | None:
    where = f"{filename}:{name}"
    return next((stage for stage, marks in BUCKETS if any(m in where for m in marks)), None)


def bucket_profile(profile: Path) -> dict[str, float]:
    """Share (0-1) of a cProfile's own time per stage.

    A function of no stage (``isinstance``, ``len``, typing helpers) has its
    time shared among its callers' stages, in proportion to their calls' time.
    """
    stats = pstats.Stats(str(profile))
    totals: dict[str, float] = defaultdict(float)
    for (filename, _line, name), values in stats.stats.items():  # type: ignore[attr-defined]
        own, callers = values[2], values[4]
        stage = _bucket(filename, name)
        if stage is not None:
            totals[stage] += own
            continue
        edges = {caller: edge[2] for caller, edge in callers.items()}
        weight = sum(edges.values())
        if not weight:
            totals["other (imports, interpreter)"] += own
            continue
        for (caller_file, _l, caller_name), edge_time in edges.items():
            caller_stage = _bucket(caller_file, caller_name) or "other (imports, interpreter)"
            totals[caller_stage] += own * edge_time / weight
    whole = sum(totals.values()) or 1.0
    return {stage: totals[stage] / whole for stage in sorted(totals, key=lambda s: -totals[s])}


def run_cprofile(data: Path, work: Path, concurrency: int) -> dict[str, Any]:
    """A crawl under cProfile (0 ms), its own time split into stages."""
    profile = work / "crawl.prof"
    out = work / "archive-profiled"
    shutil.rmtree(out, ignore_errors=True)
    with replica(data, 0.0) as server:
        urls = start_urls(server, json_categories(data))
        measure([sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "newscrawl",
                 "crawl", *urls, "--out", str(out), "--concurrency", str(concurrency),
                 *CRAWL_OPTIONS])
    return {"articles": count_articles(data), "share": bucket_profile(profile)}


def run_stages(data: Path, out: Path) -> dict[str, Any]:
    shutil.rmtree(out, ignore_errors=True)
    child = measure([sys.executable, str(HERE / "stages.py"), "--data", str(data),
                     "--out", str(out)])
    return child.figures()


def run_export(archive: Path) -> dict[str, Any]:
    """``newscrawl export`` of an archive that is already up to date (the second run)."""
    export = [sys.executable, "-m", "newscrawl", "export", "--out", str(archive), "--no-search"]
    measure(export)
    child = measure(export)
    line = child.last_line()
    reported = float(line.rsplit(" in ", 1)[1].rstrip("s")) if " in " in line else None
    return {"posts": count_posts(archive), "wall_s": child.wall_s, "cpu_s": child.cpu_s,
            "reported_s": reported, "summary": line}


def count_posts(archive: Path) -> int:
    return sum(1 for folder in ("_posts", "old_post") if (archive / folder).is_dir()
               for _ in (archive / folder).glob("*.md"))


def count_articles(data: Path) -> int:
    return sum(1 for _ in (data / "articles").glob("*.json"))


def json_categories(data: Path) -> list[str]:
    site = json.loads((data / "site.json").read_text(encoding="utf-8"))
    return [category["slug"] for category in site["categories"]
            if category["slug"] != generate.EMPTY_CATEGORY]


def dataset(work: Path, articles: int) -> tuple[Path, generate.Generated]:
    data = work / f"data-{articles}"
    return data, generate.generate(data, articles)


# --------------------------------------------------------------------------- report


def machine() -> dict[str, Any]:
    import scrapy

    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor()
    return {
        "nproc": os.cpu_count(), "cpu": model, "python": platform.python_version(),
        "scrapy": scrapy.__version__, "system": f"{platform.system()} {platform.release()}",
        "loadavg_start": os.getloadavg(),
    }


def ratio(a: float, b: float) -> float:
    return a / b if b else float("inf")


def summarise(results: dict[str, Any]) -> list[dict[str, Any]]:
    runs = {(r["tool"], r["latency_ms"]): r for r in results["runs"]}
    targets = []
    nc50, naive50 = runs[("newscrawl", 50)], runs[("naive", 50)]
    value = ratio(nc50["articles_per_s"], naive50["articles_per_s"])
    targets.append({"target": "50 ms: newscrawl articles/s >= 10x naive", "value": value,
                    "met": value >= 10})
    nc0, bare0 = runs[("newscrawl", 0)], runs[("bare Scrapy", 0)]
    value = ratio(nc0["cpu_ms_per_article"], bare0["cpu_ms_per_article"])
    targets.append({"target": "0 ms: newscrawl CPU/article <= 2x bare Scrapy", "value": value,
                    "met": value <= 2})
    same = runs[(BARE_SAME_ITEMS, 0)]
    value = ratio(nc0["cpu_ms_per_article"], same["cpu_ms_per_article"])
    targets.append({"target": "(stricter) ... <= 2x bare Scrapy with newscrawl's "
                    f"CONCURRENT_ITEMS {NEWSCRAWL_CONCURRENT_ITEMS}", "value": value,
                    "met": value <= 2})
    asyncio0, asyncio50 = runs.get((ASYNCIO, 0)), runs.get((ASYNCIO, 50))
    if asyncio0 is not None and asyncio50 is not None:
        value = ratio(nc0["cpu_ms_per_article"], asyncio0["cpu_ms_per_article"])
        targets.append({"target": "0 ms: newscrawl CPU/article <= 1.5x the asyncio crawler",
                        "value": value, "met": value <= 1.5})
        value = ratio(nc50["articles_per_s"], asyncio50["articles_per_s"])
        targets.append({"target": "50 ms: newscrawl articles/s >= 1.0x the asyncio crawler",
                        "value": value, "met": value >= 1.0})
    if "startup" in results:
        startup = results["startup"]
        value = ratio(startup["newscrawl"]["cpu_s"], startup[BARE]["cpu_s"])
        targets.append({"target": "start-up: an empty crawl's CPU <= 1.5x bare Scrapy's",
                        "value": value, "met": value <= 1.5})
    distributed = [r for r in results["runs"] if "Redis workers" in r["tool"]]
    for run in distributed:
        value = ratio(run["articles_per_s"], nc50["articles_per_s"])
        targets.append({"target": f"50 ms: {run['tool']} articles/s > one worker's",
                        "value": value, "met": value > 1.0})
    if results.get("jekyll", {}).get("sizes"):
        jekyll = results["jekyll"]
        for name, pair in jekyll["ratios"].items():
            if name.startswith("plugins"):
                value = pair["cpu"] / pair["posts"] * 10
                targets.append({"target": f"jekyll build {name.split()[1]} posts: time grows "
                                f"<= 1.2x the posts (10x posts <= 12x {jekyll['judged_on']})",
                                "value": value, "met": value <= 12})
        for size in jekyll["sizes"]:
            plugins = [b for b in size["builds"] if b["mode"] == "plugins"]
            if size["posts"] >= 100_000 and plugins:
                # CPU: Jekyll runs on one core, so on an idle machine its wall time.
                value = plugins[0][jekyll["judged_on"]] / 60
                targets.append({"target": f"jekyll build of {size['posts']} posts < 10 min "
                                f"({jekyll['judged_on']}, minutes)", "value": value,
                                "met": value < 10})
    if "memory" in results:
        value = results["memory"]["ratio"]
        targets.append({"target": "peak memory at 100,000 <= 1.5x at 10,000", "value": value,
                        "met": value <= 1.5})
    export = results["export"]
    targets.append({"target": f"export of an unchanged {export['posts']}-post archive <= 2 s",
                    "value": export["wall_s"], "met": export["wall_s"] <= 2})
    return targets


def markdown(results: dict[str, Any]) -> str:
    m = results["machine"]
    lines = [
        f"Machine: {m['nproc']} CPUs ({m['cpu']}), {m['system']}, Python {m['python']}, "
        f"Scrapy {m['scrapy']}; load average {m['loadavg_start'][0]:.1f} at the start, "
        f"{m['loadavg_end'][0]:.1f} at the end.",
        f"Command: `{results['command']}` ({results['elapsed_s'] / 60:.1f} min).",
        f"{results['articles']} articles, bodies {results['body_bytes']['min']}-"
        f"{results['body_bytes']['max']} bytes (median {results['body_bytes']['median']}).",
        "",
        "| latency | tool | articles | article requests | wall s | articles/s | "
        "CPU ms/article | peak MB | (crawling / exporting) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results["runs"]:
        limit = f" (first {r['limit']})" if r["limit"] else ""
        peaks = r["phase_peak_mb"]
        phases = (f"{peaks.get('crawl', 0):.0f} / {peaks.get('export', 0):.0f}"
                  if peaks else "")
        cpu = f"{r['cpu_ms_per_article']:.2f}"
        if len(r.get("cpu_ms_runs") or ()) > 1:
            cpu += f" ({', '.join(f'{ms:.2f}' for ms in r['cpu_ms_runs'])})"
        lines.append(
            f"| {r['latency_ms']} ms | {r['tool']}{limit} | {r['articles']} | "
            f"{r['article_requests']} | {r['wall_s']:.1f} | {r['articles_per_s']:.1f} | "
            f"{cpu} | {r['peak_rss_mb']:.0f} | {phases} |")
    lines += ["", "| ratio | value |", "| --- | ---: |"]
    for name, value in results["ratios"].items():
        lines.append(f"| {name} | {value:.2f} |")
    stages = results["stages"]
    lines += ["", f"Stages, CPU µs per article ({stages['articles']} articles, each stage "
              "alone):", "", "| stage | µs/article |", "| --- | ---: |"]
    lines += [f"| {stage} | {us:.0f} |" for stage, us in stages["us_per_article"].items()]
    profile = results["cprofile"]
    lines += ["", f"cProfile of a crawl ({profile['articles']} articles, 0 ms), share of "
              "newscrawl's own time:", "", "| stage | share |", "| --- | ---: |"]
    lines += [f"| {stage} | {share:.0%} |" for stage, share in profile["share"].items()]
    if "startup" in results:
        lines += ["", "Start-up: CPU of an empty crawl (one category page listing nothing; "
                  "median of the runs):", "", "| tool | CPU s | runs |", "| --- | ---: | --- |"]
        for tool, f in results["startup"].items():
            runs = ", ".join(f"{x:.2f}" for x in f["cpu_s_runs"])
            lines.append(f"| {tool} | {f['cpu_s']:.2f} | {runs} |")
    if results.get("jekyll", {}).get("sizes"):
        jekyll = results["jekyll"]
        lines += ["", f"`jekyll build` of exported archives ({jekyll['jekyll']}; fresh folders, "
                  "cache cold; plugins: the archive's `_plugins/` loaded, --safe: not):", "",
                  "| posts | export s | mode | build wall s | build CPU s | peak MB | site files |",
                  "| ---: | ---: | --- | ---: | ---: | ---: | ---: |"]
        for size in jekyll["sizes"]:
            for build in size["builds"]:
                lines.append(
                    f"| {size['posts']} | {size['export_wall_s']:.1f} | {build['mode']} | "
                    f"{build['wall_s']:.1f} | {build['cpu_s']:.1f} | {build['peak_rss_mb']} | "
                    f"{build['site_files']} |")
        lines += ["", "| sizes | posts x | CPU x | wall x |", "| --- | ---: | ---: | ---: |"]
        lines += [f"| {name} | {r['posts']:.0f} | {r['cpu']:.2f} | {r['wall']:.2f} |"
                  for name, r in jekyll["ratios"].items()]
    export = results["export"]
    lines += ["", f"Export of an unchanged {export['posts']}-post archive: "
              f"{export['wall_s']:.2f} s wall for the whole command ({export['cpu_s']:.2f} s "
              f"CPU), of which the export itself reports {export['reported_s']} s."]
    if "memory" in results:
        mem = results["memory"]
        lines.append(
            f"Peak memory of newscrawl's crawl: {mem['small_mb']:.0f} MB at {mem['small']} "
            f"articles, {mem['big_mb']:.0f} MB at {mem['big']} ({mem['ratio']:.2f}x); while "
            f"crawling {mem['small_phases_mb'].get('crawl', 0):.0f} and "
            f"{mem['big_phases_mb'].get('crawl', 0):.0f} MB ({mem['crawl_phase_ratio']:.2f}x), "
            f"while exporting at the end {mem['small_phases_mb'].get('export', 0):.0f} and "
            f"{mem['big_phases_mb'].get('export', 0):.0f} MB.")
    lines += ["", "| target | value | met |", "| --- | ---: | --- |"]
    lines += [f"| {t['target']} | {t['value']:.2f} | {'yes' if t['met'] else 'NO'} |"
              for t in results["targets"]]
    return "\n".join(lines)


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=None,
                        help="articles of the main runs (default 10000; --quick: 500)")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: 500 articles, a 500-post export, no --big")
    parser.add_argument("--big", action="store_true",
                        help=f"also crawl {BIG_ARTICLES} articles (0 ms) for the peak memory")
    parser.add_argument("--big-articles", type=int, default=BIG_ARTICLES, help=argparse.SUPPRESS)
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY,
                        help="newscrawl's and the bare spider's concurrency (default: "
                        "%(default)s, delay 0, AutoThrottle off)")
    parser.add_argument("--naive-limit", type=int, default=None,
                        help="at 50 ms, the naive fetcher stops after N articles (its rate "
                        "is steady; default: 1000, --quick: 100)")
    parser.add_argument("--export-posts", type=int, default=None,
                        help=f"posts of the export benchmark (default {EXPORT_POSTS}; "
                        "--quick: --articles)")
    parser.add_argument("--redis-workers", type=int, default=2, metavar="N",
                        help="at 50 ms, also newscrawl as N workers on one Redis "
                        "(needs redis-server; 0: not; default: %(default)s)")
    parser.add_argument("--repeat", type=int, default=None, metavar="N",
                        help="at 0 ms, run newscrawl and the bare spiders N times each, "
                        "interleaved, and keep each one's median CPU (default 3; --quick: 1)")
    parser.add_argument("--jekyll-posts", type=int, nargs="*", default=None, metavar="N",
                        help="sizes of the jekyll build benchmark (default 1000 10000, and "
                        "100000 with --big; --quick: --articles/10 and --articles; none: skip)")
    parser.add_argument("--jekyll-safe-posts", type=int, nargs="*", default=None, metavar="N",
                        help="also build these sizes with jekyll build --safe (default 1000 "
                        "3000; --quick: none)")
    parser.add_argument("--work", type=Path, default=None,
                        help="work directory (default: a new temporary directory, removed)")
    parser.add_argument("--results", type=Path, default=None,
                        help="where to write results.json (default: in the work directory; "
                        "with a temporary one, benchmarks/results.json)")
    args = parser.parse_args(argv)
    articles = args.articles or (500 if args.quick else 10_000)
    naive_limit = args.naive_limit or (100 if args.quick else 1000)
    args.repeat = args.repeat or (1 if args.quick else 3)
    export_posts = args.export_posts or (articles if args.quick else EXPORT_POSTS)
    if args.jekyll_posts is None:
        args.jekyll_posts = ([max(articles // 10, 1), articles] if args.quick else
                             [*jekyll_build.POSTS, *([jekyll_build.BIG_POSTS] if args.big else [])])
    if args.jekyll_safe_posts is None:
        args.jekyll_safe_posts = [] if args.quick else [1_000, 3_000]

    temporary = args.work is None
    work = Path(tempfile.mkdtemp(prefix="newscrawl-bench-")) if temporary else args.work
    work.mkdir(parents=True, exist_ok=True)
    results_path = args.results or (HERE / "results.json" if temporary
                                    else work / "results.json")
    started = time.monotonic()
    results: dict[str, Any] = {
        "command": "python benchmarks/run.py " + " ".join(argv if argv is not None
                                                          else sys.argv[1:]),
        "machine": machine(),
        "settings": {"concurrency": args.concurrency, "per_host": args.concurrency,
                     "concurrent_items": NEWSCRAWL_CONCURRENT_ITEMS,
                     "download_delay": 0, "autothrottle": False, "robots_txt": True},
        "articles": articles,
    }
    try:
        data, generated = dataset(work, articles)
        sizes = sorted(generated.body_bytes)
        results["body_bytes"] = {"min": sizes[0], "median": sizes[len(sizes) // 2],
                                 "max": sizes[-1]}
        runs: list[Run] = []
        for latency in LATENCIES:
            with replica(data, latency) as server:
                urls = start_urls(server, generated.categories)
                print(f"crawling {articles} articles at {latency * 1000:.0f} ms…",
                      file=sys.stderr, flush=True)
                # At 0 ms the CPU comparison: each of the three is run --repeat
                # times, interleaved, and its median run kept.
                repeat = args.repeat if latency == 0 else 1
                trials: dict[str, list[Run]] = defaultdict(list)
                for _ in range(repeat):
                    trials["newscrawl"].append(run_newscrawl(
                        server, data, urls, work / "archive", latency, args.concurrency))
                    trials[BARE].append(run_bare(server, urls, latency, args.concurrency))
                    trials[ASYNCIO].append(run_asyncio(
                        server, urls, Path(tempfile.mkdtemp(prefix="asyncio-", dir=work)),
                        latency, args.concurrency))
                    if latency == 0:
                        trials[BARE_SAME_ITEMS].append(run_bare(
                            server, urls, latency, args.concurrency,
                            NEWSCRAWL_CONCURRENT_ITEMS))
                runs.extend(median_run(trial) for trial in trials.values())
                runs.append(run_naive(server, urls, work / "naive", latency,
                                      naive_limit if latency else None))
                if latency and args.redis_workers > 0 and shutil.which("redis-server"):
                    runs.append(run_distributed(server, urls, work, latency,
                                                args.concurrency, args.redis_workers))
        results["runs"] = [asdict(run) for run in runs]
        by = {(r.tool, r.latency_ms): r for r in runs}
        distributed = [r for r in runs if "Redis workers" in r.tool]
        results["ratios"] = {
            f"{ms} ms {name}": value
            for ms in (0, 50)
            for name, value in (
                ("newscrawl/naive articles/s", ratio(by[("newscrawl", ms)].articles_per_s,
                                                     by[("naive", ms)].articles_per_s)),
                ("newscrawl/bare articles/s", ratio(by[("newscrawl", ms)].articles_per_s,
                                                    by[("bare Scrapy", ms)].articles_per_s)),
                ("newscrawl/naive CPU per article",
                 ratio(by[("newscrawl", ms)].cpu_ms_per_article,
                       by[("naive", ms)].cpu_ms_per_article)),
                ("newscrawl/bare CPU per article",
                 ratio(by[("newscrawl", ms)].cpu_ms_per_article,
                       by[("bare Scrapy", ms)].cpu_ms_per_article)),
            )
        }
        results["ratios"][f"0 ms newscrawl/{BARE_SAME_ITEMS} CPU per article"] = ratio(
            by[("newscrawl", 0)].cpu_ms_per_article, by[(BARE_SAME_ITEMS, 0)].cpu_ms_per_article)
        results["ratios"]["0 ms newscrawl/asyncio CPU per article"] = ratio(
            by[("newscrawl", 0)].cpu_ms_per_article, by[(ASYNCIO, 0)].cpu_ms_per_article)
        results["ratios"]["50 ms newscrawl/asyncio articles/s"] = ratio(
            by[("newscrawl", 50)].articles_per_s, by[(ASYNCIO, 50)].articles_per_s)
        for run in distributed:
            results["ratios"][f"50 ms {run.tool}/naive articles/s"] = ratio(
                run.articles_per_s, by[("naive", 50)].articles_per_s)
            results["ratios"][f"50 ms {run.tool}/one worker articles/s"] = ratio(
                run.articles_per_s, by[("newscrawl", 50)].articles_per_s)

        print("start-up…", file=sys.stderr, flush=True)
        results["startup"] = run_startup(data, work, args.concurrency, args.repeat)
        startup = results["startup"]
        results["ratios"]["empty crawl newscrawl/bare CPU"] = ratio(
            startup["newscrawl"]["cpu_s"], startup[BARE]["cpu_s"])
        results["ratios"]["empty crawl newscrawl/asyncio CPU"] = ratio(
            startup["newscrawl"]["cpu_s"], startup[ASYNCIO]["cpu_s"])

        print("profiling…", file=sys.stderr, flush=True)
        profile_data, _ = dataset(work, min(articles, 2000)) if articles > 2000 else (data, None)
        results["cprofile"] = run_cprofile(profile_data, work, args.concurrency)
        export_data = data if export_posts == articles else dataset(work, export_posts)[0]
        results["stages"] = run_stages(export_data, work / "export-archive")
        print("exporting…", file=sys.stderr, flush=True)
        results["export"] = run_export(work / "export-archive")
        if args.jekyll_posts and shutil.which("jekyll"):
            print("jekyll build…", file=sys.stderr, flush=True)
            results["jekyll"] = jekyll_build.run(work / "jekyll", args.jekyll_posts,
                                                 args.jekyll_safe_posts, measure)

        if args.big and not args.quick:
            print(f"crawling {args.big_articles} articles…", file=sys.stderr, flush=True)
            big_data, big = dataset(work, args.big_articles)
            with replica(big_data, 0.0) as server:
                big_run = run_newscrawl(server, big_data, start_urls(server, big.categories),
                                        work / "archive-big", 0.0, args.concurrency)
            small = by[("newscrawl", 0)]
            results["big_run"] = asdict(big_run)
            results["memory"] = {
                "small": small.articles, "small_mb": small.peak_rss_mb,
                "small_phases_mb": small.phase_peak_mb,
                "big": big_run.articles, "big_mb": big_run.peak_rss_mb,
                "big_phases_mb": big_run.phase_peak_mb,
                "ratio": ratio(big_run.peak_rss_mb, small.peak_rss_mb),
                "crawl_phase_ratio": ratio(big_run.phase_peak_mb.get("crawl", 0.0),
                                           small.phase_peak_mb.get("crawl", 0.0)),
            }
        results["targets"] = summarise(results)
    finally:
        if temporary:
            shutil.rmtree(work, ignore_errors=True)
    results["machine"]["loadavg_end"] = os.getloadavg()
    results["elapsed_s"] = time.monotonic() - started
    results_path.parent.mkdir(parents=True, exist_ok=True)
    results_path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n",
                            encoding="utf-8")
    print(markdown(results))
    print(f"\nresults: {results_path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
