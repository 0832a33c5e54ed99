"""``newscrawl schedule --every SECONDS START_URL...``: the crawl, again, never overlapping."""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from types import FrameType

from scrapy.settings import Settings

import newscrawl
from newscrawl.archive import Archive, runlog
from newscrawl.archive.lock import ArchiveLock
from newscrawl.cli import options
from newscrawl.cli.base import UsageError, error
from newscrawl.cli.crawl import CrawlCommand

#: Options of the schedule itself, not passed on to the crawl.
_OWN_OPTIONS_WITH_VALUE = ("--every", "--runs")
_OWN_FLAGS = ("--wait",)


def newscrawl_command() -> list[str]:
    """How to start this newscrawl in a child process, whatever the current directory holds.

    ``python -m newscrawl`` would put the current directory first on
    ``sys.path``: from a folder holding a ``newscrawl`` folder (the checkout,
    an archive) the child would import that instead.  The child gets the
    folder this very package was imported from in its place.
    """
    package_root = str(Path(newscrawl.__file__).resolve().parent.parent)
    code = (f"import sys; sys.path[0] = {package_root!r}; "
            "from newscrawl.cli import main; sys.exit(main())")
    return [sys.executable, "-c", code]


def crawl_arguments(argv: Sequence[str]) -> list[str]:
    """The crawl's arguments: the schedule's own, without --every, --runs and --wait."""
    tokens = list(argv)
    if ScheduleCommand.name in tokens:
        tokens = tokens[tokens.index(ScheduleCommand.name) + 1:]
    kept: list[str] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        index += 1
        if token == "--":
            kept.extend(tokens[index - 1:])
            break
        if token in _OWN_OPTIONS_WITH_VALUE:
            index += 1
        elif token in _OWN_FLAGS or token.startswith(
            tuple(f"{option}=" for option in _OWN_OPTIONS_WITH_VALUE)
        ):
            continue
        else:
            kept.append(token)
    return kept


class Stop:
    """SIGINT/SIGTERM: no further run; the running one is asked to stop, once per signal."""

    def __init__(self) -> None:
        self.requested = False
        self.child: subprocess.Popen[bytes] | None = None
        self._previous: dict[int, object] = {}

    def install(self) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM):
            self._previous[signum] = signal.signal(signum, self._handle)

    def uninstall(self) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        first = not self.requested
        self.requested = True
        child = self.child
        if child is not None and child.poll() is None:
            # SIGINT, whichever signal came: Scrapy's graceful shutdown the
            # first time, its forced one the second.
            child.send_signal(signal.SIGINT)
            if first:
                error(f"{signal.Signals(signum).name}: finishing the current run, "
                      "then stopping (again to stop it at once)")
        elif first:
            error(f"{signal.Signals(signum).name}: stopping")

    def sleep_until(self, deadline: float) -> None:
        while not self.requested:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            time.sleep(min(remaining, 0.2))


def run_once(argv: list[str], lock: ArchiveLock, stop: Stop) -> tuple[int, int | None]:
    """One run of the crawl in a child process under the schedule's lock: (status, pid)."""
    env = {**os.environ, **lock.child_env()}
    try:
        # Its own session: a Ctrl-C in the terminal reaches the schedule only,
        # which passes it on once (two would force Scrapy's unclean shutdown).
        child = subprocess.Popen(argv, env=env, pass_fds=(lock.fd,), start_new_session=True)
    except OSError as exc:
        error(f"could not start the crawl: {exc}")
        return 1, None
    stop.child = child
    if stop.requested:  # the signal came while the child was being started
        child.send_signal(signal.SIGINT)
    try:
        while True:
            try:
                return child.wait(timeout=0.5), child.pid
            except subprocess.TimeoutExpired:
                continue
    finally:
        stop.child = None


def record_of(archive_dir: Path, pid: int | None) -> runlog.RunRecord | None:
    """The run log's record of the run with process id ``pid``, if it wrote one."""
    if pid is None:
        return None
    for record in reversed(runlog.read_last(archive_dir, 20)):
        if record.pid == pid:
            return record
    return None




class ScheduleCommand(CrawlCommand):
    name = "schedule"
    help = "run the crawl every SECONDS, one run at a time, until stopped"
    description = """\
Run `newscrawl crawl START_URL... [options]` every SECONDS, measured from the
start of one run to the start of the next.  A run that takes longer than
SECONDS delays the next one, which then starts as soon as it ends: runs never
overlap, and missed starts are not made up for.  With --runs N the schedule
ends after N runs; otherwise it runs until stopped.

Each run is a separate `newscrawl crawl` process (the options other than
--every, --runs and --wait are passed on to it as they are), so a run that
fails or crashes does not stop the schedule: the next one starts on time.
Every run appends its record to DIR/.newscrawl/runs.jsonl (see newscrawl
status), and the schedule prints one line per run.

The schedule holds the archive for as long as it runs, between runs too, and
its runs work under its lock: any other newscrawl command on the same archive
is refused (or waits, with --wait) until the schedule ends.

Ctrl-C or SIGTERM: the running crawl is asked to stop (Scrapy's graceful
shutdown: requests under way are finished and their articles written), no
further run starts, and the schedule exits with status 0.  A second Ctrl-C
stops the run at once (written files stay whole either way).

Exit status: 0 when stopped by a signal or when every run succeeded, 1 when
--runs N were done and at least one failed, 2 on bad arguments, 3 when
another run holds the archive."""

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        # The crawl's options are passed on to each run as they were given; an
        # abbreviated option (--ev for --every) could not be told apart from them.
        parser.allow_abbrev = False
        parser.add_argument(
            "--every", type=options.positive_seconds, required=True, metavar="SECONDS",
            help="start a run every SECONDS (start to start; a longer run delays the next)",
        )
        parser.add_argument(
            "--runs", type=options.positive_int, default=None, metavar="N",
            help="stop after N runs (default: run until stopped)",
        )
        super().add_options(parser)

    def run(self, args: argparse.Namespace, settings: Settings, archive: Archive) -> int:
        lock: ArchiveLock | None = getattr(args, "archive_lock", None)
        if lock is None:
            raise UsageError("schedule must run from the newscrawl command (it holds the archive)")
        crawl_args = crawl_arguments(getattr(args, "command_argv", sys.argv[1:]))
        child_argv = [*newscrawl_command(), "crawl", *crawl_args]
        until = f"{args.runs} runs" if args.runs else "until stopped"
        error(f"schedule: every {args.every:g}s, {until}: "
              f"newscrawl crawl {shlex.join(crawl_args)}")
        stop = Stop()
        stop.install()
        done = failed = 0
        try:
            next_start = time.monotonic()
            while not stop.requested and (args.runs is None or done < args.runs):
                stop.sleep_until(next_start)
                if stop.requested:
                    break
                next_start = time.monotonic() + args.every
                start = runlog.now_iso()
                status, pid = run_once(child_argv, lock, stop)
                done += 1
                failed += status != 0
                record = record_of(archive.path, pid)
                if record is None:
                    # The run died before writing its record (killed, crashed): write it.
                    record = runlog.RunRecord(
                        command="crawl", pid=pid or 0, start=start, end=runlog.now_iso(),
                        exit_status=status,
                    )
                    runlog.append(archive.path, record)
                runs = f"/{args.runs}" if args.runs else ""
                line = f"schedule: run {done}{runs}: {record.outcome()}"
                if not stop.requested and (args.runs is None or done < args.runs):
                    wait = max(0.0, next_start - time.monotonic())
                    line += f"; next run at {datetime.now() + timedelta(seconds=wait):%H:%M:%S}"
                error(line)
        finally:
            stop.uninstall()
        if stop.requested:
            return 0
        return 1 if failed else 0
