"""``python -m newscrawl.replica``: serve the local replica of the source."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from newscrawl.replica import hostile
from newscrawl.replica.server import serve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m newscrawl.replica",
        description=(
            "Serve the local replica of the news source on 127.0.0.1: share pages, the "
            "article JSON endpoint, category pages, archive post pages, list feeds and "
            "robots.txt. The first line on stdout is 'replica: serving on URL'. Use it "
            "directly, or in place of the real hosts with http_proxy=http://127.0.0.1:PORT. "
            "Stops on SIGTERM or Ctrl-C."
        ),
    )
    parser.add_argument("--port", type=int, default=0,
                        help="port to bind on 127.0.0.1 (default: 0, any free port)")
    parser.add_argument("--data", type=Path, default=None, metavar="DIR",
                        help="data directory with articles/ and site.json "
                             "(default: the packaged replica data)")
    parser.add_argument("--latency", type=float, default=0.0, metavar="SECONDS",
                        help="delay added before every answer, for benchmarks (default: 0)")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="log every request to stderr")
    parser.add_argument("--hostile", action="store_true",
                        help="serve the hostile stand-in source instead, and an internal "
                             "service on a second port that a crawl must never reach "
                             "(second line: 'replica: internal service on URL'; "
                             "see newscrawl/replica/hostile.py)")
    args = parser.parse_args(argv)
    if args.latency < 0:
        parser.error("--latency must not be negative")
    if args.data is not None and not (args.data / "articles").is_dir():
        parser.error(f"{args.data}: no articles/ directory")
    if args.hostile:
        hostile.serve(port=args.port)
        return 0
    serve(port=args.port, data_dir=args.data, latency=args.latency, verbose=args.verbose)
    return 0


if __name__ == "__main__":
    sys.exit(main())
