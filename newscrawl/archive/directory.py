"""``Archive``: one archive directory and newscrawl's state inside it, as one object.

Everything that needs to know where an archive keeps things, or what it
remembers, asks this object: the CLI's commands, the spiders (which articles
are known), the archive pipeline (the store, the export, the lock), the run
report (the rejects log) and the HTTP cache (its folder).  So a spider run by
``scrapy crawl`` works on the archive exactly as one run by ``newscrawl
crawl``: same site URL, same retention window, same lock.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings

from newscrawl.archive.lock import (
    ArchiveLock,
    Holder,
    current_holder,
    lock_path,
    remove_leftover_temp_files,
)
from newscrawl.archive.manifest import Manifest
from newscrawl.archive.runlog import runs_path
from newscrawl.archive.store import STORE_FILE, Store, state_dir

if TYPE_CHECKING:
    from newscrawl.archive.export import ExportResult
    from newscrawl.formats import OutputFormat

REJECTS_FILE = "rejects.jsonl"


class ArchiveError(Exception):
    """The archive directory cannot be used as asked: one line, naming it."""


def check_site_url(site_url: str, output_format: OutputFormat | None = None) -> str:
    """``site_url`` when it can be the published archive's address, else ArchiveError.

    The one check of a site URL, whoever gives it (``--site-url``, ``-s
    NEWSCRAWL_SITE_URL=…``, the archive's memory): the output format's
    (default: ``NEWSCRAWL_FORMAT``'s).
    """
    # Imported here: the output formats import the archive's naming, whose
    # package imports this module.
    from newscrawl.formats import load_format

    try:
        (output_format or load_format()).check_site_url(site_url)
    except ValueError as exc:
        raise ArchiveError(f"site URL {exc}") from exc
    return site_url


def check_keep_days(value: Any) -> int:
    """A retention window in days: a whole number >= 0 (0: keep every post in ``_posts/``)."""
    try:
        days = int(value)
    except (TypeError, ValueError):
        days = -1
    if days < 0 or str(value).strip() != str(days):
        raise ArchiveError(f"keep days: expected a whole number of days >= 0, got {value!r}")
    return days


def _given(settings: BaseSettings, name: str) -> bool:
    """True when setting ``name`` was given for this run, not left at newscrawl's default.

    newscrawl's defaults (``newscrawl.settings``) have Scrapy's ``project``
    priority; ``-s``, the CLI's options and a spider's own settings are above it.
    """
    priority = settings.getpriority(name)
    return priority is not None and priority > SETTINGS_PRIORITIES["project"]


#: The archives this process holds the lock of (one open lock each: a second
#: ``flock`` on the same file from this process would wait for the first).
_HELD: dict[Path, ArchiveLock] = {}


class Archive:
    """The archive in directory ``path``: a Jekyll site, newscrawl's state in ``.newscrawl/``."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Archive:
        """The archive of ``NEWSCRAWL_OUT_DIR``."""
        return cls(Path(settings["NEWSCRAWL_OUT_DIR"]))

    def __repr__(self) -> str:
        return f"Archive({str(self.path)!r})"

    # -- where things are ------------------------------------------------

    @property
    def state_dir(self) -> Path:
        """newscrawl's own folder inside the archive (Jekyll ignores dot-folders)."""
        return state_dir(self.path)

    @property
    def store_path(self) -> Path:
        return self.state_dir / STORE_FILE

    @property
    def rejects_path(self) -> Path:
        """The log of rejected and failed articles and pages (JSON lines)."""
        return self.state_dir / REJECTS_FILE

    @property
    def runs_path(self) -> Path:
        return runs_path(self.path)

    @property
    def lock_path(self) -> Path:
        return lock_path(self.path)

    def httpcache_dir(self, name: str) -> Path:
        """The HTTP cache's folder ``name`` (``HTTPCACHE_DIR``) inside the state folder."""
        return self.state_dir / name

    # -- checks, before anything is written --------------------------------

    def has_store(self) -> bool:
        return self.store_path.is_file()

    def require_store(self) -> None:
        """ArchiveError unless the directory holds a newscrawl archive (its store)."""
        if not self.has_store():
            if self.path.exists() and not self.path.is_dir():
                raise ArchiveError(f"archive directory {self.path}: not a directory")
            raise ArchiveError(f"{self.path}: no newscrawl archive here (no {self.store_path})")

    def check_writable(self) -> None:
        """ArchiveError unless the directory is, or can be made, a writable directory.

        Creates the directory (the first command on a new archive does);
        called only once every option of the command has been checked.
        """
        where = f"archive directory {self.path}"
        for folder in (self.path, *self.path.parents):
            if folder.exists():
                if not folder.is_dir():
                    what = "" if folder == self.path else f" ({folder} is a file)"
                    raise ArchiveError(f"{where}: not a directory{what}")
                break
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ArchiveError(f"{where}: cannot be created ({exc.strerror})") from exc
        if not os.access(self.path, os.W_OK | os.X_OK):
            raise ArchiveError(f"{where}: not writable")
        if self.state_dir.exists() and not self.state_dir.is_dir():
            raise ArchiveError(f"{self.state_dir}: not a directory")
        if self.state_dir.is_dir() and not os.access(self.state_dir, os.W_OK | os.X_OK):
            raise ArchiveError(f"{self.state_dir}: not writable")

    # -- what the archive remembers -----------------------------------------

    def remembered(self) -> dict[str, Any]:
        """The options of the last export (``site_url``, ``keep_days``), read only."""
        return Manifest.read_options(self.path)

    def remembered_site_url(self) -> str | None:
        site_url = self.remembered().get("site_url")
        return site_url if isinstance(site_url, str) and site_url else None

    def remembered_keep_days(self) -> int | None:
        keep_days = self.remembered().get("keep_days")
        return keep_days if isinstance(keep_days, int) and keep_days > 0 else None

    def output_format(self, settings: BaseSettings) -> OutputFormat:
        """The archive's output format (``NEWSCRAWL_FORMAT``)."""
        from newscrawl.formats import load_format  # see check_site_url

        return load_format(settings["NEWSCRAWL_FORMAT"], settings.getdict("NEWSCRAWL_FORMATS"))

    def site_url(self, settings: BaseSettings) -> str:
        """The site URL of this run: ``NEWSCRAWL_SITE_URL`` when given, else the archive's own.

        Posts link to their category page and home page by it, so a run that
        does not name one (``scrapy crawl`` included) keeps the archive's,
        and only a new archive gets the default of ``newscrawl.settings``.
        """
        site_url = settings["NEWSCRAWL_SITE_URL"]
        if not _given(settings, "NEWSCRAWL_SITE_URL"):
            site_url = self.remembered_site_url() or site_url
        return check_site_url(site_url, self.output_format(settings))

    def keep_days(self, settings: BaseSettings) -> int:
        """This run's retention window: ``NEWSCRAWL_KEEP_DAYS`` when given, else the archive's."""
        if _given(settings, "NEWSCRAWL_KEEP_DAYS"):
            return check_keep_days(settings["NEWSCRAWL_KEEP_DAYS"])
        remembered = self.remembered_keep_days()
        if remembered is not None:
            return remembered
        return check_keep_days(settings["NEWSCRAWL_KEEP_DAYS"])

    # -- the store and the export ------------------------------------------

    def open_store(self) -> Store:
        """The store, created if need be; ArchiveError when it cannot be read."""
        try:
            return Store.open(self.path)
        except sqlite3.Error as exc:
            raise ArchiveError(f"{self.store_path}: unreadable store ({exc})") from exc

    def known_codes(self) -> set[str]:
        """Codes of the stored articles, without creating a store."""
        if not self.has_store():
            return set()
        with self.open_store() as store:
            return store.codes()

    def known_channels(self) -> set[tuple[str, str]]:
        """``(code, channel)`` of the channels the stored articles came through, without
        creating a store."""
        if not self.has_store():
            return set()
        with self.open_store() as store:
            return store.channel_keys()

    def export(self, store: Store, settings: BaseSettings) -> ExportResult:
        """Write the site from ``store`` with this run's site URL and retention window.

        Raises ArchiveError for an unreadable store or a file that cannot be
        written (named by its own path, not a temporary file's).
        """
        from newscrawl.archive.export import StoreRefused, export_archive  # see check_site_url

        try:
            return export_archive(store, self.path, self.site_url(settings),
                                  self.keep_days(settings) or None,
                                  output_format=self.output_format(settings),
                                  search=settings.getbool("NEWSCRAWL_SEARCH"))
        except StoreRefused as exc:
            raise ArchiveError(str(exc)) from exc
        except sqlite3.Error as exc:
            raise ArchiveError(f"{self.path}: unreadable store ({exc})") from exc
        except OSError as exc:
            where = exc.filename or self.path
            reason = exc.strerror or os.strerror(exc.errno or errno.EIO)
            raise ArchiveError(f"{where}: cannot write the archive ({reason})") from exc

    # -- one writer at a time ----------------------------------------------

    def holder(self) -> Holder | None:
        """Who holds the archive now (None: nobody)."""
        return current_holder(self.path)

    @contextlib.contextmanager
    def hold(
        self,
        command: str,
        *,
        wait: bool = False,
        on_wait: Callable[[Holder | None], None] | None = None,
    ) -> Iterator[ArchiveLock]:
        """Hold the archive's lock for the block; ArchiveBusy when another run holds it.

        A lock this process holds already (the CLI's, around its crawl) is
        used as it is; a lock handed down by a parent (``NEWSCRAWL_LOCK_FD``,
        see :mod:`.lock`) is adopted.  A new holder first removes the
        temporary files a killed run left.
        """
        key = self.path.resolve()
        held = _HELD.get(key)
        if held is not None:
            yield held
            return
        lock = ArchiveLock(self.path)
        lock.acquire(command, wait=wait, on_wait=on_wait)
        _HELD[key] = lock
        try:
            if not lock.inherited:
                remove_leftover_temp_files(self.path)
            yield lock
        finally:
            del _HELD[key]
            lock.release()
