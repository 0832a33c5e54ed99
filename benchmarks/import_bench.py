"""``newscrawl import`` at scale: throughput and peak memory on generated legacy archives.

``python benchmarks/import_bench.py 10000 100000`` writes each archive with
``tools.make_legacy_archive`` (every legacy form; three posts in eight are broken kinds),
imports it through the real CLI into a fresh archive, and prints posts per
second and the import process's peak RSS (``resource.getrusage`` of the
child).  ``--work DIR`` keeps the archives.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools.make_legacy_archive import write_archive  # noqa: E402


def bench(count: int, work: Path) -> dict[str, float]:
    legacy = write_archive(work / f"legacy-{count}", count)
    out = work / f"imported-{count}"
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "newscrawl", "import", str(legacy), "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True,
    )
    seconds = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if result.returncode != 0:
        raise SystemExit(f"import of {count} posts failed:\n{result.stderr[-2000:]}")
    summary = [line for line in result.stderr.splitlines() if line.startswith("newscrawl:")][-1]
    return {"posts": count, "seconds": round(seconds, 1),
            "posts_per_second": round(count / seconds, 1),
            # ru_maxrss of children is the largest child so far: a bigger run comes later.
            "peak_rss_mb": round(max(peak_kb, before) / 1024, 1), "summary": summary}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("counts", nargs="*", type=int, default=[10_000, 100_000])
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or Path(tmp)
        for count in sorted(args.counts):
            print(json.dumps(bench(count, work), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
