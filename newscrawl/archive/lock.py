"""One writer per archive: an OS file lock on ``<archive>/.newscrawl/lock``.

Every command that writes the archive (fetch, crawl, export, schedule) holds
an exclusive ``flock`` on that file for as long as it runs, and so does the
archive pipeline of a spider run by ``scrapy crawl`` (through
:meth:`newscrawl.archive.Archive.hold`, which a process takes once).  The kernel drops
the lock when the holder's process ends, however it ends (SIGKILL included),
so there is never a stale lock to clean up by hand: the file itself stays, and
is only a place to lock and to say who holds it.

While it holds the lock, the holder writes a one-line JSON record into the
file: its pid, its command line (passwords in URLs masked: the file is
world-readable) and when it started.  A second run that finds
the archive busy reads that record to name the holder, and refuses (or waits,
with ``--wait``).

A ``flock`` belongs to the open file description, which child processes
inherit.  ``newscrawl schedule`` runs each crawl as a child process and hands
its own lock down: it passes the locked descriptor to the child and names it
in ``NEWSCRAWL_LOCK_FD``.  The child checks that the descriptor is a lock on
the same archive and runs under it; it never unlocks it (that would unlock
the schedule's too), it only closes its copy.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from newscrawl.archive.store import state_dir
from newscrawl.redact import mask_passwords

LOCK_FILE = "lock"

#: Names a lock descriptor inherited from a parent that holds the archive.
INHERIT_ENV = "NEWSCRAWL_LOCK_FD"

#: How long a refused run keeps trying while the holder's record is missing
#: or names a dead process: a holder that has just taken the lock and not yet
#: written its record, or ``newscrawl status`` probing the lock for an instant.
_GRACE_SECONDS = 1.0


@dataclass(frozen=True)
class Holder:
    """Who holds an archive: the record in the lock file."""

    pid: int
    command: str
    started: str

    def describe(self) -> str:
        return f"pid {self.pid} ({self.command}, started {self.started})"

    @classmethod
    def parse(cls, data: bytes) -> Holder | None:
        try:
            record = json.loads(data.decode("utf-8"))
            return cls(int(record["pid"]), str(record["command"]), str(record["started"]))
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            return None


class ArchiveBusy(Exception):
    """Another run holds the archive."""

    def __init__(self, archive_dir: Path, holder: Holder | None) -> None:
        self.archive_dir = archive_dir
        self.holder = holder
        who = holder.describe() if holder else "another newscrawl run"
        super().__init__(
            f"archive {archive_dir} is in use by {who}; not starting "
            "(use --wait to wait for it)"
        )


def lock_path(archive_dir: Path) -> Path:
    return state_dir(archive_dir) / LOCK_FILE


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _read_holder(fd: int) -> Holder | None:
    return Holder.parse(os.pread(fd, 4096, 0))


def _credible(holder: Holder | None) -> bool:
    return holder is not None and _pid_alive(holder.pid)


class ArchiveLock:
    """The exclusive lock of one archive directory, held by this process.

    ``acquire`` raises :class:`ArchiveBusy` when another run holds it (or, with
    ``wait=True``, blocks until it is free); ``release`` gives it back.
    """

    def __init__(self, archive_dir: Path) -> None:
        self.archive_dir = archive_dir
        self.path = lock_path(archive_dir)
        self._fd: int | None = None
        self.inherited = False

    @property
    def fd(self) -> int:
        """The locked descriptor, to hand down to a child run (see :meth:`child_env`)."""
        if self._fd is None:
            raise RuntimeError("the archive lock is not held")
        return self._fd

    def child_env(self) -> dict[str, str]:
        """Environment entries that let a child run work under this lock.

        The child must also inherit the descriptor (``pass_fds=(lock.fd,)``).
        """
        return {INHERIT_ENV: str(self.fd)}

    def acquire(
        self,
        command: str,
        *,
        wait: bool = False,
        on_wait: Callable[[Holder | None], None] | None = None,
    ) -> None:
        if self._fd is not None:
            raise RuntimeError("the archive lock is already held")
        if self._adopt_inherited():
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            if not self._try_lock(fd):
                holder = _read_holder(fd)
                if not wait:
                    raise ArchiveBusy(self.archive_dir, holder)
                if on_wait is not None:
                    on_wait(holder)
                fcntl.flock(fd, fcntl.LOCK_EX)
        except BaseException:
            os.close(fd)
            raise
        record = {
            "pid": os.getpid(),
            "command": mask_passwords(command),
            "started": datetime.now().astimezone().isoformat(timespec="seconds"),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n", 0)
        self._fd = fd

    def _try_lock(self, fd: int) -> bool:
        """Take the lock without blocking; keep trying briefly while the holder is unnamed."""
        deadline = time.monotonic() + _GRACE_SECONDS
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if _credible(_read_holder(fd)) or time.monotonic() >= deadline:
                    return False
                time.sleep(0.05)

    def _adopt_inherited(self) -> bool:
        """Run under a lock on this archive that the parent process handed down."""
        value = os.environ.pop(INHERIT_ENV, None)
        if not value:
            return False
        try:
            fd = int(value)
            inherited = os.fstat(fd)
            ours = os.stat(self.path)
        except (ValueError, OSError):
            return False
        if (inherited.st_dev, inherited.st_ino) != (ours.st_dev, ours.st_ino):
            return False  # a lock on another archive: this run needs its own
        try:
            # Same open file description as the parent's: this succeeds at once
            # when the parent holds it, and proves that it still does.
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        self._fd = fd
        self.inherited = True
        return True

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        if not self.inherited:
            # Clear the record first, so nobody reads a free archive as held.
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
        self.inherited = False

    def __enter__(self) -> ArchiveLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def current_holder(archive_dir: Path) -> Holder | None:
    """Who holds the archive now, or None when nobody does (for ``newscrawl status``).

    It probes the lock with a shared, non-blocking ``flock`` held for an instant;
    a writer that starts in that instant sees an unnamed holder and tries again
    (see ``_GRACE_SECONDS``) instead of refusing.
    """
    path = lock_path(archive_dir)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            return holder or Holder(0, "another newscrawl run", "?")
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)



#: The temporary files of ``newscrawl.archive.atomic.write_atomic``: ``.<name>.<8 random>.tmp``.
_TEMP_FILE_RE = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")
#: Directories of the archive that newscrawl never writes into.
_NOT_OURS = {".git", "_site", ".jekyll-cache", ".sass-cache", "node_modules"}


def remove_leftover_temp_files(archive_dir: Path) -> list[Path]:
    """Delete the temporary files that a killed run left behind; return them.

    Only the holder of the archive's lock may call this: with the lock held,
    no other run is writing, so every ``write_atomic`` temporary file in the
    archive belongs to a run that died before renaming it into place.
    """
    removed = []
    for root, dirs, files in os.walk(archive_dir):
        dirs[:] = [d for d in dirs if d not in _NOT_OURS]
        for name in files:
            if _TEMP_FILE_RE.match(name):
                path = Path(root, name)
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                    removed.append(path)
    return removed
