"""``newscrawl``: the command line.

One module per command (a :class:`~newscrawl.cli.base.Command`); the shared
options are in :mod:`.options`.  :func:`main` runs every command the same
way (see :mod:`.base`): options checked and made settings, then the archive
checked and locked (commands that write it), then the run.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Sequence

from scrapy.settings import Settings

from newscrawl import __version__
from newscrawl.archive import Archive, ArchiveBusy, ArchiveError
from newscrawl.archive.lock import Holder
from newscrawl.archive.runlog import RunRecorder
from newscrawl.cli.base import EXIT_BUSY, EXIT_USAGE, ArgumentParser, Command, UsageError, error
from newscrawl.cli.crawl import CrawlCommand
from newscrawl.cli.demo import DemoCommand
from newscrawl.cli.export import ExportCommand
from newscrawl.cli.fetch import FetchCommand
from newscrawl.cli.import_archive import ImportCommand
from newscrawl.cli.push import PushCommand
from newscrawl.cli.schedule import ScheduleCommand
from newscrawl.cli.serve_replica import ServeReplicaCommand
from newscrawl.cli.status import StatusCommand

COMMANDS: list[type[Command]] = [
    DemoCommand,
    CrawlCommand,
    FetchCommand,
    ExportCommand,
    ImportCommand,
    PushCommand,
    ScheduleCommand,
    StatusCommand,
    ServeReplicaCommand,
]

DESCRIPTION = """\
newscrawl keeps a Jekyll news archive filled from a Chinese financial news
source: it crawls category pages, list feeds and share links, cleans each
article and writes it as a Jekyll post."""

#: Exit status of a command stopped by Ctrl-C.
EXIT_INTERRUPTED = 130


def build_parser() -> argparse.ArgumentParser:
    parser = ArgumentParser(
        prog="newscrawl", description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"newscrawl {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command_class in COMMANDS:
        command = command_class()
        sub = subparsers.add_parser(
            command.name, help=command.help, description=command.description or command.help,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        command.add_options(sub)
        sub.set_defaults(command_object=command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    args.command_argv = argv
    command: Command = args.command_object
    try:
        settings = command.process_options(args)
        archive = Archive.from_settings(settings)
        if command.writes_archive:
            command.check_archive(args, archive)
    except (UsageError, ArchiveError) as exc:
        error(str(exc))
        return EXIT_USAGE
    if not command.writes_archive:
        return _run(command, args, settings, archive)
    return _run_holding_archive(command, args, settings, archive,
                                "newscrawl " + shlex.join(argv))


def _run(command: Command, args: argparse.Namespace, settings: Settings,
         archive: Archive) -> int:
    try:
        return int(command.run(args, settings, archive))
    except (UsageError, ArchiveError) as exc:
        error(str(exc))
        return EXIT_USAGE
    except KeyboardInterrupt:
        error("interrupted")
        return EXIT_INTERRUPTED


def _run_holding_archive(command: Command, args: argparse.Namespace, settings: Settings,
                         archive: Archive, command_line: str) -> int:
    """Run a command that writes the archive: under its lock, with a run log record.

    The lock is on ``args.archive_lock`` for commands that hand it down
    (``schedule``).
    """

    def waiting(holder: Holder | None) -> None:
        who = holder.describe() if holder else "another newscrawl run"
        error(f"archive {archive.path} is in use by {who}; waiting for it")

    try:
        with archive.hold(command_line, wait=args.wait, on_wait=waiting) as lock:
            args.archive_lock = lock
            recorder = RunRecorder(archive.path, command.name)
            status = 1
            try:
                status = _run(command, args, settings, archive)
            finally:
                recorder.finish(status)
            return status
    except ArchiveBusy as exc:
        error(str(exc))
        return EXIT_BUSY
    except KeyboardInterrupt:
        error("interrupted")
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
