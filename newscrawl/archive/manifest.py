"""The record of the archive files newscrawl wrote: ``.newscrawl/manifest.sqlite``.

newscrawl never overwrites or deletes a file it did not write, nor one that
was edited after it wrote it.  To tell the two apart without reading every
file back, the manifest keeps, for each file it wrote, the SHA-256 of what it
wrote and the size and modification time the file had right after: a file
whose size and mtime still match is taken as untouched (the same trade-off as
git's index and rsync); one whose stat differs is hashed and compared.

A write is recorded in two steps so that an export killed half-way cannot
make newscrawl disown its own files: before writing, the new hash is saved
with the previous one kept as ``previous`` and no mtime; either content is
then recognised as newscrawl's on the next run.

The records live in SQLite, one row per file, not in one JSON document: an
export reads and updates them a page of posts at a time, so its memory does
not grow with the archive (a JSON manifest had to be held whole, and written
whole at every save).  Each post's row carries its article code (given by the
exporter's ``code_of``), indexed, so the records of a page of codes are one
index range.  A ``manifest.json`` of an older newscrawl is imported (record
by record, never parsed whole) and removed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from newscrawl.archive.store import state_dir

logger = logging.getLogger(__name__)

MANIFEST_FILE = "manifest.sqlite"
#: The manifest of newscrawl before 0.2: one JSON document (format 1).
LEGACY_FILE = "manifest.json"
LEGACY_FORMAT = 1
#: ``PRAGMA user_version`` of the SQLite manifest.
FORMAT = 2
UNREADABLE_SUFFIX = ".unreadable"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    rel TEXT PRIMARY KEY,
    code TEXT,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER,
    source TEXT NOT NULL DEFAULT '',
    previous TEXT
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS files_code ON files (code);
CREATE TABLE IF NOT EXISTS options (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
"""
_FIELDS = "sha256, size, mtime_ns, source, previous"

#: Which post a file is (its article code), or None for the site's other files.
CodeOf = Callable[[str], "str | None"]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(slots=True)
class FileRecord:
    """What newscrawl last wrote to one file of the archive."""

    sha256: str
    size: int
    #: ``st_mtime_ns`` right after the write; None while a write is pending.
    mtime_ns: int | None = None
    #: Posts: the render key and the article's content hash the file was made from.
    source: str = ""
    #: The hash before a pending write, so that either content counts as newscrawl's.
    previous: str | None = None

    def matches_stat(self, stat: os.stat_result) -> bool:
        return stat.st_size == self.size and stat.st_mtime_ns == self.mtime_ns

    def owns(self, digest: str) -> bool:
        return digest == self.sha256 or (self.previous is not None and digest == self.previous)

    def row(self) -> tuple[str, int, int | None, str, str | None]:
        return (self.sha256, self.size, self.mtime_ns, self.source, self.previous)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"sha256": self.sha256, "size": self.size,
                                "mtime_ns": self.mtime_ns}
        if self.source:
            data["source"] = self.source
        if self.previous is not None:
            data["previous"] = self.previous
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FileRecord:
        return cls(
            sha256=str(data["sha256"]),
            size=int(data["size"]),
            mtime_ns=None if data.get("mtime_ns") is None else int(data["mtime_ns"]),
            source=str(data.get("source", "")),
            previous=None if data.get("previous") is None else str(data["previous"]),
        )


class Manifest:
    """The files newscrawl wrote (relative POSIX paths) and the options of the last export.

    Changes are made in a transaction that :meth:`commit` ends: what must be
    on record before files are written (the first step of a write) is
    committed first, the rest in batches (one commit per row would cost more
    than the row).  One writer at a time: the export runs under the
    archive's lock (:mod:`.lock`), held by the command or the crawl.
    """

    def __init__(self, path: Path, db: sqlite3.Connection, code_of: CodeOf,
                 problem: str | None = None) -> None:
        self.path = path
        self._db = db
        self._code_of = code_of
        #: Set when the manifest on disk could not be read: nothing is taken as newscrawl's.
        self.problem = problem
        #: ``site_url`` and ``keep_days`` of the last export, the defaults of the next one.
        self.options: dict[str, Any] = _read_options(db)

    # -- opening -------------------------------------------------------

    @classmethod
    def path_for(cls, archive_dir: Path) -> Path:
        return state_dir(archive_dir) / MANIFEST_FILE

    @classmethod
    def legacy_path_for(cls, archive_dir: Path) -> Path:
        return state_dir(archive_dir) / LEGACY_FILE

    @classmethod
    def open(cls, archive_dir: Path, code_of: CodeOf) -> Manifest:
        """The archive's manifest, created (or imported from ``manifest.json``) if need be.

        ``code_of`` tells the article code of a post file from its path (None
        for other files); it is kept with each record, see :meth:`posts_between`.

        An unreadable manifest is not fatal: it is moved aside (``.unreadable``)
        and an empty one is used; with no records, newscrawl treats every
        existing file as someone else's and overwrites nothing (identical
        files are recognised again by their bytes).
        """
        path = cls.path_for(archive_dir)
        path.parent.mkdir(parents=True, exist_ok=True)
        problem = None
        try:
            db = _connect(path)
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.OperationalError):
                raise  # locked, no permission, disk full: not the file's fault
            problem = f"{path}: unreadable manifest ({exc}); existing files are left alone"
            logger.warning(problem)
            _move_aside(path)
            db = _connect(path)
        manifest = cls(path, db, code_of, problem)
        legacy = cls.legacy_path_for(archive_dir)
        if legacy.exists():
            manifest._import_legacy(legacy)
        return manifest

    @classmethod
    def read_options(cls, archive_dir: Path) -> dict[str, Any]:
        """The options of the last export, read without creating or changing anything."""
        path = cls.path_for(archive_dir)
        legacy = cls.legacy_path_for(archive_dir)
        if legacy.exists():  # not imported yet: it is the newer record
            try:
                return _read_legacy(legacy.read_text("utf-8"), None)
            except (OSError, ValueError, KeyError, TypeError, AttributeError):
                return {}
        if not path.exists():
            return {}
        try:
            db = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, timeout=30.0)
        except sqlite3.Error:
            return {}
        try:
            return _read_options(db)
        except sqlite3.Error:
            return {}
        finally:
            db.close()

    def _import_legacy(self, legacy: Path) -> None:
        """Take the records of an older newscrawl's ``manifest.json``, then remove it.

        Its records replace the table's (it is the newer record when both are
        there: an older newscrawl ran in between).  The file is read record by
        record (see :func:`_read_legacy`) in one transaction, so a run killed
        during the import imports again.  An unreadable one leaves no records,
        as an unreadable manifest always did.
        """
        self.commit()
        try:
            text = legacy.read_text("utf-8")
            self._begin()
            self._db.execute("DELETE FROM files")
            options = _read_legacy(text, self.set)
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            self._begin()
            self._db.execute("DELETE FROM files")
            options = {}
            self.problem = f"{legacy}: unreadable manifest ({exc}); existing files are left alone"
            logger.warning(self.problem)
        self._db.execute("DELETE FROM options")
        self.options = {}
        self.set_options(**options)
        self.commit()
        legacy.unlink(missing_ok=True)

    # -- reading -------------------------------------------------------

    def get(self, rel: str) -> FileRecord | None:
        row = self._db.execute(f"SELECT {_FIELDS} FROM files WHERE rel = ?", (rel,)).fetchone()
        return None if row is None else FileRecord(*row)

    def posts_between(self, after: str | None, upto: str | None) -> dict[str, FileRecord]:
        """The records of the posts whose code is after ``after`` and at most ``upto``.

        None leaves that end open.  Read whole (a page of codes' worth), so
        that the caller may change the manifest while it uses them.
        """
        where, args = code_range(after, upto)
        return {rel: FileRecord(*fields) for rel, *fields in self._db.execute(
            f"SELECT rel, {_FIELDS} FROM files WHERE {where}", args)}

    def others(self) -> dict[str, FileRecord]:
        """The records of the files that are not posts (category pages, site files)."""
        return {rel: FileRecord(*fields) for rel, *fields in self._db.execute(
            f"SELECT rel, {_FIELDS} FROM files WHERE code IS NULL")}

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM files").fetchone()[0])

    def post_codes(self) -> int:
        """How many articles have a post on record (in ``_posts/`` or ``old_post/``)."""
        return int(self._db.execute(
            "SELECT COUNT(DISTINCT code) FROM files WHERE code IS NOT NULL").fetchone()[0])

    # -- changing ------------------------------------------------------

    def _begin(self) -> None:
        if not self._db.in_transaction:
            self._db.execute("BEGIN")

    def set(self, rel: str, record: FileRecord) -> None:
        self._begin()
        self._db.execute(
            f"INSERT OR REPLACE INTO files (rel, code, {_FIELDS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (rel, self._code_of(rel), *record.row()),
        )

    def drop(self, rel: str) -> None:
        self._begin()
        self._db.execute("DELETE FROM files WHERE rel = ?", (rel,))

    def set_options(self, **options: Any) -> None:
        if options == self.options:
            return
        self._begin()
        self._db.execute("DELETE FROM options")
        self._db.executemany(
            "INSERT INTO options (name, value) VALUES (?, ?)",
            [(name, json.dumps(value)) for name, value in options.items()],
        )
        self.options = dict(options)

    def commit(self) -> None:
        """Make the changes so far durable against a killed process (one SQLite commit)."""
        if self._db.in_transaction:
            self._db.execute("COMMIT")

    def close(self) -> None:
        """Commit (every change recorded is true of the archive) and close."""
        try:
            self.commit()
        finally:
            self._db.close()

    def __enter__(self) -> Manifest:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def _connect(path: Path) -> sqlite3.Connection:
    """The manifest's database, with its tables; DatabaseError when it is not one of ours.

    WAL with ``synchronous=NORMAL``, as the store: a commit survives a killed
    process without an fsync of its own.  The export syncs the filesystem
    (which holds the manifest too) before renaming the files of a batch into
    place, so the first step of their writes is on disk before any of them.
    """
    db = sqlite3.connect(path, isolation_level=None, timeout=30.0)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version not in (0, FORMAT):
            raise sqlite3.DatabaseError(f"unknown format {version}")
        if version == 0:
            db.executescript(_SCHEMA + f"PRAGMA user_version = {FORMAT};")
        else:
            db.execute("SELECT rel, code, sha256, size, mtime_ns, source, previous"
                       " FROM files LIMIT 1").fetchall()
            db.execute("SELECT name, value FROM options LIMIT 1").fetchall()
    except BaseException:
        db.close()
        raise
    return db


def _move_aside(path: Path) -> None:
    """Keep an unreadable manifest as ``manifest.sqlite.unreadable`` (and drop its WAL)."""
    os.replace(path, path.with_name(path.name + UNREADABLE_SUFFIX))
    for suffix in ("-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            path.with_name(path.name + suffix).unlink()


def _read_options(db: sqlite3.Connection) -> dict[str, Any]:
    return {name: json.loads(value) for name, value in db.execute(
        "SELECT name, value FROM options ORDER BY name")}


def code_range(after: str | None, upto: str | None) -> tuple[str, tuple[str, ...]]:
    """An SQL condition (and its arguments) on ``code``: after ``after``, at most ``upto``
    (None: no bound), and not NULL."""
    clauses, args = ["code IS NOT NULL"], []
    if after is not None:
        clauses.append("code > ?")
        args.append(after)
    if upto is not None:
        clauses.append("code <= ?")
        args.append(upto)
    return " AND ".join(clauses), tuple(args)


_WHITESPACE = re.compile(r"[ \t\n\r]*")


class _JsonCursor:
    """Reads a JSON text one value at a time (``raw_decode``), objects member by member."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self._decoder = json.JSONDecoder()

    def _skip(self) -> None:
        self.pos = _WHITESPACE.match(self.text, self.pos).end()  # type: ignore[union-attr]

    def _take(self, char: str) -> bool:
        self._skip()
        if self.text.startswith(char, self.pos):
            self.pos += 1
            return True
        return False

    def _expect(self, char: str) -> None:
        if not self._take(char):
            raise ValueError(f"expected {char!r} at character {self.pos}")

    def value(self) -> Any:
        self._skip()
        value, self.pos = self._decoder.raw_decode(self.text, self.pos)
        return value

    def members(self) -> Iterator[str]:
        """The keys of the object here; the caller reads each one's value before the next."""
        self._expect("{")
        if self._take("}"):
            return
        while True:
            key = self.value()
            if not isinstance(key, str):
                raise ValueError(f"a key that is not a string at character {self.pos}")
            self._expect(":")
            yield key
            if self._take("}"):
                return
            self._expect(",")

    def end(self) -> None:
        self._skip()
        if self.pos != len(self.text):
            raise ValueError(f"extra data at character {self.pos}")


def _read_legacy(text: str, on_record: Callable[[str, FileRecord], None] | None
                 ) -> dict[str, Any]:
    """The options of a format-1 ``manifest.json``; each of its records to ``on_record``.

    ``{"format": 1, "options": {...}, "files": {"<rel>": {record}, ...}}``,
    read one value at a time: the records are never all in memory as dicts
    at once (a 100,000-post manifest would take about 100 MB that way).
    ValueError (or KeyError, TypeError) when it is not such a file; records
    already given to ``on_record`` are then to be discarded.  With
    ``on_record`` None, only the options are wanted: reading stops at
    ``files`` if the format is known by then (newscrawl wrote it first).
    """
    cursor = _JsonCursor(text)
    top: dict[str, Any] = {}
    for key in cursor.members():
        if key != "files":
            top[key] = cursor.value()
            continue
        if on_record is None and top.get("format") == LEGACY_FORMAT:
            return dict(top.get("options") or {})
        for rel in cursor.members():
            record = FileRecord.from_json(cursor.value())
            if on_record is not None:
                on_record(rel, record)
        top[key] = True
    cursor.end()
    if top.get("format") != LEGACY_FORMAT or "files" not in top:
        raise ValueError(f"unknown format {top.get('format')!r}")
    return dict(top.get("options") or {})
