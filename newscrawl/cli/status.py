"""``newscrawl status``: the last runs on an archive, its store, and who holds it."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path

from scrapy.settings import Settings

from newscrawl.archive import Archive, ArchiveError, runlog
from newscrawl.cli import options
from newscrawl.cli.base import Command, plural
from newscrawl.text import printable


def category_counts(archive: Archive) -> list[tuple[str, int]] | None:
    """``(slug, articles)`` of the store, most articles first; None without a store."""
    path: Path = archive.store_path
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


class StatusCommand(Command):
    name = "status"
    help = "show the last runs on the archive, its store, and who holds it"
    description = """\
Print which run holds the archive now (if any), how many articles the store
has (and per category), and the last N runs from DIR/.newscrawl/runs.jsonl:
when each started, how it ended, how long it took and what it did.  Reads
only: it works while a crawl or a schedule is running.

Exit status 0; 2 when DIR holds no newscrawl archive."""

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        options.add_out_option(parser)
        parser.add_argument(
            "--last", type=options.positive_int, default=10, metavar="N",
            help="show the last N runs (default: %(default)s)",
        )

    def run(self, args: argparse.Namespace, settings: Settings, archive: Archive) -> int:
        out = archive.path
        if not archive.state_dir.is_dir():
            raise ArchiveError(f"{out}: no newscrawl archive here (no {archive.state_dir})")
        holder = archive.holder()
        print(f"archive {out}")
        print(printable(f"  held by {holder.describe()}") if holder else "  not in use")
        try:
            counts = category_counts(archive)
        except sqlite3.Error as exc:
            print(printable(f"  store: unreadable ({exc})"))
            counts = []
        if counts is None:
            print("  store: none yet")
        elif counts:
            total = sum(n for _, n in counts)
            per_category = ", ".join(f"{slug or '?'} {n}" for slug, n in counts)
            print(f"  store: {plural(total, 'article')} ({per_category})")
        else:
            print("  store: 0 articles")
        records = runlog.read_last(out, args.last)
        if not records:
            print("  runs: none recorded")
        else:
            print(f"  last {plural(len(records), 'run')}:")
        for record in records:
            print(printable(f"    {record.line()}"))
        sys.stdout.flush()
        return 0
