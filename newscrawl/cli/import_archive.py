"""``newscrawl import PATH...``: the first generator's posts into the store, then the export."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from scrapy.settings import Settings

from newscrawl import settings as defaults
from newscrawl.archive import Archive
from newscrawl.cli import options
from newscrawl.cli.base import Command, UsageError, error
from newscrawl.cli.crawl import print_summary
from newscrawl.runner import run_crawl
from newscrawl.spiders.legacy_import import ImportSpider

#: Adoption of the imported post files runs after the archive pipeline.
ADOPT_PIPELINE = "newscrawl.pipelines.adopt.AdoptLegacyPostPipeline"


class ImportCommand(Command):
    name = "import"
    help = "import the posts of an archive written by the first generator, then export"
    description = """\
Read PATHs -- Jekyll archive folders (their _posts/ and old_post/) or post
files, as the archive's first generator wrote them -- into the archive's
store, and export.  Each post is read as a file:// URL by a real crawl, so it
goes through the same pipelines as a crawled article (validate, dates,
clean, category, archive), the same run report and rejects.jsonl.

Read: front matter that is not valid YAML (a title with unescaped quotes is
taken from its line), dates with or without +0800 (none = Beijing time),
CR LF line ends, rolling-news posts in the early and the later form, bodies
mixing Markdown with raw source HTML (read with beautifulsoup4, then
cleaned).  A post keeps its file name, so its URL.

`newscrawl import DIR --out DIR` adopts the archive in place: every post
imported from DIR/_posts/ or DIR/old_post/ under the name newscrawl gives
it is recorded as newscrawl's own and rewritten in the clean form (a post
from old_post/ leaves a redirect page at /old_post/<file>.html); no other
file is overwritten.  Rolling-news posts (categories: emnews) become the
article's rolling-news channel, named by the file's id.

A post that cannot be imported (-<CODE>.md, no title, no date) is listed
with its reason in the summary and in .newscrawl/rejects.jsonl and is not
written (in an adopted archive it is moved to .newscrawl/unimported/, where
it no longer stops `jekyll build`); its code is not stored, so a later
crawl that sees it fetches it.
Importing again is safe: articles are stored by code (a killed import, run
again, gives the same archive).

Exit status: 0 when the import ran (even with rejected posts), 1 when no
post could be imported or the export failed, 2 on bad arguments, 3 when
another run holds the archive."""
    writes_archive = True

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, metavar="PATH",
                            help="archive folder (with _posts/, old_post/) or post file")
        options.add_crawl_options(parser)

    def check_options(self, args: argparse.Namespace) -> None:
        for path in args.paths:
            if not path.exists():
                raise UsageError(f"{path}: no such file or directory")

    def extra_settings(self, args: argparse.Namespace) -> dict[str, Any]:
        pipelines = dict(defaults.ITEM_PIPELINES)
        pipelines[ADOPT_PIPELINE] = 950
        # Every post is read, also those already stored: a rerun is idempotent.
        return {"ITEM_PIPELINES": pipelines, "NEWSCRAWL_REFRESH": True,
                "ROBOTSTXT_OBEY": False, "AUTOTHROTTLE_ENABLED": False,
                "DOWNLOAD_DELAY": 0, "CONCURRENT_REQUESTS": 32,
                "HTTPCACHE_ENABLED": False}

    def run(self, args: argparse.Namespace, settings: Settings, archive: Archive) -> int:
        result = run_crawl(ImportSpider, settings, paths=[str(p) for p in args.paths])
        print_summary(result)
        if result.error:
            error(f"the import stopped: {result.error}")
            return 1
        if result.summary.export_error:
            return 1
        if result.summary.written + result.summary.unchanged == 0:
            error("no post could be imported")
            return 1
        return 0
