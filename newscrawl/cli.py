"""``newscrawl``: the command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from types import ModuleType

from newscrawl import __version__
from newscrawl.commands import UsageError, error
from newscrawl.commands import crawl as crawl_command
from newscrawl.commands import demo as demo_command
from newscrawl.commands import export as export_command
from newscrawl.commands import fetch as fetch_command
from newscrawl.commands import serve_replica as serve_replica_command

COMMANDS: list[ModuleType] = [
    demo_command,
    crawl_command,
    fetch_command,
    export_command,
    serve_replica_command,
]

DESCRIPTION = """\
newscrawl keeps a Jekyll news archive filled from a Chinese financial news
source: it crawls category pages, list feeds and share links, cleans each
article and writes it as a Jekyll post."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newscrawl", description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"newscrawl {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMANDS:
        sub = subparsers.add_parser(
            module.NAME, help=module.HELP,
            description=getattr(module, "DESCRIPTION", module.HELP),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        module.add_arguments(sub)
        sub.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except UsageError as exc:
        error(str(exc))
        return 2
    except KeyboardInterrupt:
        error("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
