"""``newscrawl status``: the last runs on an archive, its store, and who holds it."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path

from newscrawl.archive import runlog
from newscrawl.archive.lock import current_holder
from newscrawl.archive.store import STORE_FILE, state_dir
from newscrawl.commands import DEFAULT_OUT, UsageError, positive_int
from newscrawl.text import printable

NAME = "status"
HELP = "show the last runs on the archive, its store, and who holds it"
DESCRIPTION = """\
Print which run holds the archive now (if any), how many articles the store
has (and per category), and the last N runs from DIR/.newscrawl/runs.jsonl:
when each started, how it ended, how long it took and what it did.  Reads
only: it works while a crawl or a schedule is running.

Exit status 0; 2 when DIR holds no newscrawl archive."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, metavar="DIR",
        help="archive directory (default: %(default)s)",
    )
    parser.add_argument(
        "--last", type=positive_int, default=10, metavar="N",
        help="show the last N runs (default: %(default)s)",
    )


def category_counts(archive_dir: Path) -> list[tuple[str, int]] | None:
    """``(slug, articles)`` of the store, most articles first; None without a store."""
    path = state_dir(archive_dir) / STORE_FILE
    if not path.exists():
        return None
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30.0)
    try:
        rows = db.execute(
            "SELECT slug, COUNT(*) AS n FROM articles GROUP BY slug ORDER BY n DESC, slug"
        ).fetchall()
    finally:
        db.close()
    return [(str(slug), int(n)) for slug, n in rows]


def run(args: argparse.Namespace) -> int:
    out: Path = args.out
    if not state_dir(out).is_dir():
        raise UsageError(f"{out}: no newscrawl archive here (no {state_dir(out)})")
    holder = current_holder(out)
    print(f"archive {out}")
    print(printable(f"  held by {holder.describe()}") if holder else "  not in use")
    try:
        counts = category_counts(out)
    except sqlite3.Error as exc:
        print(printable(f"  store: unreadable ({exc})"))
        counts = []
    if counts is None:
        print("  store: none yet")
    elif counts:
        total = sum(n for _, n in counts)
        per_category = ", ".join(f"{slug or '?'} {n}" for slug, n in counts)
        print(f"  store: {total} articles ({per_category})")
    else:
        print("  store: 0 articles")
    records = runlog.read_last(out, args.last)
    if not records:
        print("  runs: none recorded")
    else:
        print(f"  last {len(records)} run{'s' if len(records) != 1 else ''}:")
        for record in records:
            print(printable(f"    {record.line()}"))
    sys.stdout.flush()
    return 0
