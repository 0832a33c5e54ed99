"""``newscrawl``: the command line."""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Sequence
from types import ModuleType

from newscrawl import __version__
from newscrawl.archive.export import remembered_site_url
from newscrawl.archive.lock import ArchiveBusy, ArchiveLock, Holder, remove_leftover_temp_files
from newscrawl.archive.runlog import RunRecorder
from newscrawl.commands import EXIT_BUSY, UsageError, check_archive_dir, error
from newscrawl.commands import crawl as crawl_command
from newscrawl.commands import demo as demo_command
from newscrawl.commands import export as export_command
from newscrawl.commands import fetch as fetch_command
from newscrawl.commands import push as push_command
from newscrawl.commands import schedule as schedule_command
from newscrawl.commands import serve_replica as serve_replica_command
from newscrawl.commands import status as status_command
from newscrawl.formats.jekyll.post import DEFAULT_SITE_URL

COMMANDS: list[ModuleType] = [
    demo_command,
    crawl_command,
    fetch_command,
    export_command,
    push_command,
    schedule_command,
    status_command,
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
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    args.command_argv = argv
    if getattr(args, "writes_archive", False):
        return run_holding_archive(args, "newscrawl " + shlex.join(argv))
    return run_command(args)


def run_command(args: argparse.Namespace) -> int:
    try:
        return int(args.run(args))
    except UsageError as exc:
        error(str(exc))
        return 2
    except KeyboardInterrupt:
        error("interrupted")
        return 130


def run_holding_archive(args: argparse.Namespace, command_line: str) -> int:
    """Run a command that writes the archive: under the archive's lock, with a run log record.

    The lock is on ``args.archive_lock`` for commands that hand it down
    (``schedule``).
    """
    try:
        check_archive_dir(args.out)
    except UsageError as exc:
        error(str(exc))
        return 2
    lock = ArchiveLock(args.out)

    def waiting(holder: Holder | None) -> None:
        who = holder.describe() if holder else "another newscrawl run"
        error(f"archive {args.out} is in use by {who}; waiting for it")

    try:
        lock.acquire(command_line, wait=args.wait, on_wait=waiting)
    except ArchiveBusy as exc:
        error(str(exc))
        return EXIT_BUSY
    except KeyboardInterrupt:
        error("interrupted")
        return 130
    try:
        if not lock.inherited:
            remove_leftover_temp_files(args.out)
        args.archive_lock = lock
        if getattr(args, "site_url", "") is None:  # not given: the archive's own
            args.site_url = remembered_site_url(args.out) or DEFAULT_SITE_URL
        recorder = RunRecorder(args.out, args.command)
        status = 1
        try:
            status = run_command(args)
        finally:
            recorder.finish(status)
        return status
    finally:
        lock.release()


if __name__ == "__main__":
    sys.exit(main())
