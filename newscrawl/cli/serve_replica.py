"""``newscrawl serve-replica``: the local replica of the source, for demos and tests."""

from __future__ import annotations

import argparse
from pathlib import Path

from scrapy.settings import Settings

from newscrawl.archive import Archive
from newscrawl.cli import options
from newscrawl.cli.base import Command, UsageError

DEFAULT_PORT = 8800


class ServeReplicaCommand(Command):
    name = "serve-replica"
    help = "serve the bundled replica of the source on 127.0.0.1"
    description = """\
Serve the bundled replica of the source (share pages, the article JSON
endpoint, category pages, list feeds, robots.txt) on 127.0.0.1.  The first
line on stdout gives its URL.  Point a crawl at it directly, or put it in
place of the real hosts with http_proxy=http://127.0.0.1:PORT (which keeps
the source's own share links in the posts).  Exit status 0 when stopped;
2 on bad arguments or a port that cannot be used."""

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--port", type=options.port_number, default=DEFAULT_PORT,
            help="port (0: any free port; default: %(default)s)",
        )
        parser.add_argument("--data", type=Path, default=None, metavar="DIR",
                            help="data directory (default: the bundled replica data)")
        parser.add_argument("--latency", type=options.non_negative_float, default=0.0,
                            metavar="SECONDS",
                            help="added delay before every answer (default: %(default)s)")

    def check_options(self, args: argparse.Namespace) -> None:
        if args.data is not None and not args.data.is_dir():
            raise UsageError(f"--data {args.data}: not a directory")

    def run(self, args: argparse.Namespace, settings: Settings, archive: Archive) -> int:
        from newscrawl.replica.server import serve

        try:
            serve(port=args.port, data_dir=args.data, latency=args.latency)
        except OSError as exc:
            raise UsageError(
                f"cannot serve on 127.0.0.1:{args.port}: {exc.strerror or exc}"
            ) from exc
        return 0
