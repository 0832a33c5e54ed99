"""``newscrawl export``: the whole Jekyll archive, written again from the store."""

from __future__ import annotations

import argparse
import sqlite3

from newscrawl.archive.export import StoreRefused, export_archive, remembered_keep_days
from newscrawl.archive.store import STORE_FILE, Store, state_dir
from newscrawl.commands import (
    UsageError,
    add_archive_options,
    check_archive_dir,
    distributed_options,
    error,
)

NAME = "export"
HELP = "write the archive's posts, category pages and site files from its store"
DESCRIPTION = """\
Write the Jekyll archive in DIR from its store (DIR/.newscrawl/store.sqlite):
every article's post in _posts/ (or old_post/, see --keep-days), one page per
category in category/, the home page, the layouts, _config.yml and the Atom
feed.  Crawls and fetches do the same at their end; export rebuilds the
archive after files were deleted, or with another site URL or retention.

Only what changed is written (an unchanged file keeps its modification time),
and files that newscrawl did not write, or that were edited since, are never
overwritten or deleted: they are skipped, one warning line each on stderr.

Prints one summary line.  Exit status 0 on success (also with skipped files),
2 when DIR holds no store, the store cannot be read or knows fewer than half
of the articles whose posts newscrawl wrote (an emptied or replaced store:
nothing is removed), or the archive cannot be written."""


def keep_days_arg(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number of days >= 0, got {text!r}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_archive_options(parser)
    parser.add_argument(
        "--keep-days", type=keep_days_arg, default=None, metavar="N",
        help="keep posts of the last N days (Beijing dates) in _posts/ and move older ones "
        "to old_post/; 0 keeps every post in _posts/.  The archive remembers it: later "
        "exports, crawls and fetches apply it too (default: the archive's last, else 0)",
    )
    distributed_options.add_redis_option(
        parser, purpose=": first store the articles its workers sent (then export)")


def run(args: argparse.Namespace) -> int:
    if args.redis:  # first the articles of a distributed crawl's workers
        check_archive_dir(args.out)
        distributed_options.collect_into_archive(args, args.out)
    if not (state_dir(args.out) / STORE_FILE).is_file():
        raise UsageError(
            f"{args.out}: no newscrawl archive here (no {state_dir(args.out) / STORE_FILE})"
        )
    check_archive_dir(args.out)
    keep_days = args.keep_days
    if keep_days is None:
        keep_days = remembered_keep_days(args.out)
    try:
        with Store.open(args.out) as store:
            result = export_archive(store, args.out, args.site_url, keep_days)
    except StoreRefused as exc:
        raise UsageError(str(exc)) from exc
    except sqlite3.Error as exc:
        raise UsageError(f"{args.out}: unreadable store ({exc})") from exc
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    except OSError as exc:
        where = exc.filename or args.out
        raise UsageError(f"{where}: cannot write the archive ({exc.strerror})") from exc
    for line in result.warning_lines():
        error(line)
    print(result.summary_line(), flush=True)
    return 0
