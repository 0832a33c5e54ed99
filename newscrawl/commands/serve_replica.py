"""``newscrawl serve-replica``: the local replica of the source, for demos and tests."""

from __future__ import annotations

import argparse
from pathlib import Path

NAME = "serve-replica"
HELP = "serve the bundled replica of the source on 127.0.0.1"
DESCRIPTION = """\
Serve the bundled replica of the source (share pages, the article JSON
endpoint, category pages, list feeds, robots.txt) on 127.0.0.1.  The first
line on stdout gives its URL.  Point a crawl at it directly, or put it in
place of the real hosts with http_proxy=http://127.0.0.1:PORT."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=8800, help="port (0: any free port; "
                        "default: %(default)s)")
    parser.add_argument("--data", type=Path, default=None, metavar="DIR",
                        help="data directory (default: the bundled replica data)")
    parser.add_argument("--latency", type=float, default=0.0, metavar="SECONDS",
                        help="added delay before every answer (default: %(default)s)")


def run(args: argparse.Namespace) -> int:
    from newscrawl.replica.server import serve

    serve(port=args.port, data_dir=args.data, latency=args.latency)
    return 0
