"""The run log: one JSON line per run in ``<archive>/.newscrawl/runs.jsonl``.

Each command that runs a crawl on the archive appends a record when it ends:
when it started and ended, what it did (pages, new articles, posts written,
unchanged, rejected, failed) and its exit status.  ``newscrawl status`` shows
the last ones; ``newscrawl schedule`` adds a record for a run that died
without writing its own (killed, crashed).

A record is appended with one ``write`` on a file opened in append mode, so
concurrent appends do not interleave; a process killed in the middle of one
can leave a torn last line, which readers skip.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from newscrawl.archive.store import STORE_FILE, state_dir
from newscrawl.redact import mask_passwords

RUNS_FILE = "runs.jsonl"


def now_iso() -> str:
    return datetime.now().astimezone().isoformat(timespec="milliseconds")


@dataclass
class RunRecord:
    """One run of a command on the archive.  Counts are None when the run did not say."""

    command: str
    pid: int
    start: str
    end: str
    exit_status: int
    pages: int | None = None
    new: int | None = None
    written: int | None = None
    unchanged: int | None = None
    rejected: int | None = None
    failed: int | None = None
    finish_reason: str = ""
    error: str = ""

    @property
    def seconds(self) -> float:
        return (
            datetime.fromisoformat(self.end) - datetime.fromisoformat(self.start)
        ).total_seconds()

    def outcome(self) -> str:
        """How the run ended and what it did, in one line."""
        if self.exit_status < 0:
            try:
                text = f"killed by {signal.Signals(-self.exit_status).name}"
            except ValueError:
                text = f"killed by signal {-self.exit_status}"
        else:
            text = f"exit {self.exit_status}"
        text += f" in {self.seconds:.1f}s"
        if self.pages is not None:
            text += (
                f": {self.pages} pages, {self.new} new, {self.written} written, "
                f"{self.unchanged} unchanged, {self.rejected} rejected, {self.failed} failed"
            )
        if self.finish_reason and self.finish_reason != "finished":
            text += f" ({self.finish_reason})"
        if self.error:
            text += f" [{self.error}]"
        return text

    def line(self) -> str:
        """The record as one human line."""
        start = datetime.fromisoformat(self.start)
        return f"{start:%Y-%m-%d %H:%M:%S} {self.command} {self.outcome()}"

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunRecord:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def runs_path(archive_dir: Path) -> Path:
    return state_dir(archive_dir) / RUNS_FILE


def append(archive_dir: Path, record: RunRecord) -> None:
    path = runs_path(archive_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    # World-readable: no password of a URL in it (an error line may name one).
    values = {k: mask_passwords(v) if isinstance(v, str) else v for k, v in asdict(record).items()}
    line = json.dumps(values, ensure_ascii=False) + "\n"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        os.write(fd, line.encode("utf-8"))
    finally:
        os.close(fd)


def _parse(lines: Iterable[bytes]) -> list[RunRecord]:
    records = []
    for line in lines:
        try:
            data = json.loads(line.decode("utf-8"))
            records.append(RunRecord.from_json(data))
        except (ValueError, TypeError, UnicodeDecodeError):
            continue  # a torn line of a killed run
    return records


def read_last(archive_dir: Path, count: int) -> list[RunRecord]:
    """The last ``count`` records, oldest first, read from the end of the file."""
    path = runs_path(archive_dir)
    if count <= 0:
        return []
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return []
    with handle:
        size = handle.seek(0, os.SEEK_END)
        data = b""
        position = size
        while position > 0 and data.count(b"\n") <= count:
            step = min(position, 64 * 1024)
            position -= step
            handle.seek(position)
            data = handle.read(step) + data
    lines = data.splitlines()
    if position > 0:
        lines = lines[1:]  # the first line may be cut
    return _parse(lines)[-count:]


def read_all(archive_dir: Path) -> list[RunRecord]:
    try:
        return _parse(runs_path(archive_dir).read_bytes().splitlines())
    except FileNotFoundError:
        return []


def store_count(archive_dir: Path) -> int:
    """Articles in the store, without creating it; 0 when there is none."""
    path = state_dir(archive_dir) / STORE_FILE
    if not path.exists():
        return 0
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30.0)
    try:
        return int(db.execute("SELECT COUNT(*) FROM articles").fetchone()[0])
    except sqlite3.Error:
        return 0
    finally:
        db.close()


class RunRecorder:
    """Writes the record of this process's crawls when the command ends.

    ``new`` is how much the store grew during the command: this process holds
    the archive lock, so nobody else added to it.
    """

    def __init__(self, archive_dir: Path, command: str) -> None:
        self.archive_dir = archive_dir
        self.command = command
        self.start = now_iso()
        self.started = time.monotonic()
        self.count_before = store_count(archive_dir)

    def finish(self, exit_status: int) -> RunRecord | None:
        """Append the record of the crawl this process ran, if it ran one."""
        from newscrawl.runner import finished_crawls

        results = finished_crawls()
        if not results:
            return None
        summary = results[-1].summary
        record = RunRecord(
            command=self.command,
            pid=os.getpid(),
            start=self.start,
            end=now_iso(),
            exit_status=exit_status,
            pages=sum(r.summary.pages for r in results),
            new=max(0, store_count(self.archive_dir) - self.count_before),
            written=sum(r.summary.written for r in results),
            unchanged=sum(r.summary.unchanged for r in results),
            rejected=sum(len(r.summary.rejected) for r in results),
            failed=sum(len(r.summary.failed) for r in results),
            finish_reason=summary.finish_reason,
            error=next((r.error for r in results if r.error), "")
            or next((f"export failed: {r.summary.export_error}" for r in results
                     if r.summary.export_error), ""),
        )
        append(self.archive_dir, record)
        return record
