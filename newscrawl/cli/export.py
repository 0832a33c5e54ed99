"""``newscrawl export``: the whole Jekyll archive, written again from the store."""

from __future__ import annotations

import argparse

from scrapy.settings import Settings

from newscrawl.archive import Archive
from newscrawl.cli import distributed, options
from newscrawl.cli.base import Command, error


class ExportCommand(Command):
    name = "export"
    help = "write the archive's posts, category pages and site files from its store"
    description = """\
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
nothing is removed), or the archive cannot be written; 3 when another run
holds the archive."""
    writes_archive = True

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        options.add_archive_options(parser)
        parser.add_argument(
            "--keep-days", type=options.keep_days, default=None, metavar="N",
            help="keep posts of the last N days (Beijing dates) in _posts/ and move older "
            "ones to old_post/; 0 keeps every post in _posts/.  The archive remembers it: "
            "later exports, crawls and fetches apply it too (default: the archive's last, "
            "else 0)",
        )
        options.add_redis_option(
            parser, purpose=": first store the articles its workers sent (then export)")

    def check_options(self, args: argparse.Namespace) -> None:
        if args.redis:
            options.check_redis_installed()

    def check_archive(self, args: argparse.Namespace, archive: Archive) -> None:
        # With --redis the workers' articles may make a new archive; else there must be one.
        if not args.redis:
            archive.require_store()
        super().check_archive(args, archive)

    def run(self, args: argparse.Namespace, settings: Settings, archive: Archive) -> int:
        if args.redis:  # first the articles of a distributed crawl's workers
            distributed.collect_into_archive(settings, archive)
            archive.require_store()
        with archive.open_store() as store:
            result = archive.export(store, settings)
        for line in result.warning_lines():
            error(line)
        print(result.summary_line(), flush=True)
        return 0
