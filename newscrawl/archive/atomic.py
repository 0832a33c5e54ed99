"""The one place newscrawl writes archive files: atomically."""

from __future__ import annotations

import contextlib
import ctypes
import os
import tempfile
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType


@contextlib.contextmanager
def _named(path: Path) -> Iterator[None]:
    """An OSError inside names ``path``, the file being written, not its temporary file."""
    try:
        yield
    except OSError as exc:
        if exc.filename == str(path) or exc.errno is None:
            raise
        raise OSError(exc.errno, exc.strerror, str(path)) from exc


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old or the new file, never half.

    The bytes go to a temporary file in the same directory, are flushed to
    disk, and the file is renamed over ``path`` (atomic on POSIX).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with _named(path):
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def _load_syncfs() -> Callable[[int], int] | None:
    try:
        return getattr(ctypes.CDLL(None, use_errno=True), "syncfs", None)
    except OSError:
        return None


_syncfs = _load_syncfs()


def sync_filesystem(path: Path) -> None:
    """Put on disk every written file of the filesystem that holds ``path``.

    ``syncfs(2)`` on Linux (that one filesystem), ``sync(2)`` elsewhere: one
    call for a whole batch of files instead of an ``fsync`` per file, which
    costs a journal commit each.  Measured on an ext4 virtual disk, writing
    a 12 KB file atomically took 1.65 ms of wall time with its own fsync,
    0.13 ms with a share of one ``syncfs`` per 250 files, 0.05 ms unsynced.
    """
    if _syncfs is not None:
        fd = os.open(path, os.O_RDONLY)
        try:
            if _syncfs(fd) == 0:
                return
        finally:
            os.close(fd)
    os.sync()


class AtomicBatch:
    """Files written together, atomically each, with one sync to disk for all of them.

    :meth:`add` writes each file's bytes to a temporary file beside it (the
    same ``.<name>.<random>.tmp`` names as :func:`write_atomic`, which
    :func:`newscrawl.archive.lock.remove_leftover_temp_files` knows); :meth:`commit`
    syncs the filesystem once and then renames every temporary file over its
    target.  Readers see each file whole, old or new, and since the bytes are
    on disk before any rename, not even a power cut can leave a renamed file
    empty or half-written: exactly the guarantee of :func:`write_atomic`, for
    the price of one sync per batch instead of one fsync per file.

    ``also_sync``: another path whose filesystem must be synced with the
    files (where the caller has recorded what it is about to write).

    Used as a context manager, temporary files that were not renamed (an
    exception, a ``KeyboardInterrupt``) are removed on the way out.
    """

    def __init__(self, also_sync: Path | None = None) -> None:
        self.staged: deque[tuple[str, Path]] = deque()
        self._folders: set[Path] = set()
        #: One path per filesystem (device) to sync at :meth:`commit`.
        self._devices: dict[int, Path] = {}
        if also_sync is not None:
            self._devices[os.stat(also_sync).st_dev] = also_sync

    def add(self, path: Path, data: bytes) -> None:
        """Write ``data`` beside ``path``, to be renamed over it by :meth:`commit`."""
        folder = path.parent
        if folder not in self._folders:
            folder.mkdir(parents=True, exist_ok=True)
            self._devices.setdefault(os.stat(folder).st_dev, folder)
            self._folders.add(folder)
        with _named(path):
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                os.chmod(tmp, 0o644)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        self.staged.append((tmp, path))

    def commit(self) -> list[Path]:
        """Sync once, then rename every staged file into place; the paths, in order."""
        if not self.staged:
            return []
        for path in self._devices.values():
            sync_filesystem(path)
        done = []
        while self.staged:
            tmp, path = self.staged[0]
            with _named(path):
                os.replace(tmp, path)
            self.staged.popleft()
            done.append(path)
        return done

    def discard(self) -> None:
        """Remove the temporary files not renamed yet."""
        for tmp, _path in self.staged:
            Path(tmp).unlink(missing_ok=True)
        self.staged.clear()

    def __enter__(self) -> AtomicBatch:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.discard()
