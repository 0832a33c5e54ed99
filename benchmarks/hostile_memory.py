"""Peak memory of a crawl of one gzip bomb against a crawl of one ordinary article.

    python benchmarks/hostile_memory.py [--repeat N]

Starts the hostile stand-in source (``python -m newscrawl.replica --hostile``),
then crawls ``HX_OK_PLAIN`` (an ordinary article) and ``HX_GZIP_BOMB`` (about
1 MB of gzip inflating to 1 GiB) N times each, interleaved, each in a child
process whose peak resident memory (``ru_maxrss``) and wall time come from
``wait4``.  Prints the medians, one line per answer.  Nothing here is a test:
the test (tests/test_hostile_crawl.py) only checks a generous bound.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CODES = ("HX_OK_PLAIN", "HX_GZIP_BOMB")


def crawl(url: str, out: Path) -> tuple[float, float]:
    """``(peak RSS in MiB, wall seconds)`` of one ``newscrawl crawl URL``."""
    started = time.monotonic()
    child = subprocess.Popen(
        [sys.executable, "-m", "newscrawl", "crawl", url, "--out", str(out),
         "-s", "NEWSCRAWL_PROGRESS_INTERVAL=0"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    _pid, _status, usage = os.wait4(child.pid, 0)
    return usage.ru_maxrss / 1024, time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="crawls per answer (default 3)")
    args = parser.parse_args()
    server = subprocess.Popen(
        [sys.executable, "-m", "newscrawl.replica", "--hostile", "--port", "0"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )
    assert server.stdout is not None
    url = server.stdout.readline().split("serving on", 1)[1].strip()
    server.stdout.readline()
    figures: dict[str, list[tuple[float, float]]] = {code: [] for code in CODES}
    try:
        with tempfile.TemporaryDirectory() as work:
            for run in range(args.repeat):
                for code in CODES:
                    out = Path(work) / f"{code}-{run}"
                    share = f"{url}html_News/NewsShare.html?infoCode={code}"
                    figures[code].append(crawl(share, out))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)
    for code in CODES:
        rss = statistics.median(f[0] for f in figures[code])
        wall = statistics.median(f[1] for f in figures[code])
        print(f"{code}: peak RSS {rss:.0f} MiB, wall {wall:.1f} s (median of {args.repeat})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
