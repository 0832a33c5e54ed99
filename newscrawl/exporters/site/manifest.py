"""The record of the archive files newscrawl wrote: ``.newscrawl/manifest.json``.

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
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newscrawl.fsutil import write_if_changed
from newscrawl.store import state_dir

logger = logging.getLogger(__name__)

MANIFEST_FILE = "manifest.json"
FORMAT = 1


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
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


@dataclass
class Manifest:
    """The files newscrawl wrote (relative POSIX paths) and the options of the last export."""

    path: Path
    files: dict[str, FileRecord] = field(default_factory=dict)
    #: ``site_url`` and ``keep_days`` of the last export, the defaults of the next one.
    options: dict[str, Any] = field(default_factory=dict)
    #: Set when the file on disk could not be read: nothing is taken as newscrawl's.
    problem: str | None = None
    #: Whether anything changed since it was loaded (saving 20,000 records costs time).
    changed: bool = False

    def set(self, rel: str, record: FileRecord) -> None:
        self.files[rel] = record
        self.changed = True

    def drop(self, rel: str) -> None:
        if self.files.pop(rel, None) is not None:
            self.changed = True

    def set_options(self, **options: Any) -> None:
        if options != self.options:
            self.options = options
            self.changed = True

    @classmethod
    def path_for(cls, archive_dir: Path) -> Path:
        return state_dir(archive_dir) / MANIFEST_FILE

    @classmethod
    def load(cls, archive_dir: Path) -> Manifest:
        """The archive's manifest; an empty one when there is none or it is unreadable.

        An unreadable manifest is not fatal: with no records, newscrawl treats
        every existing file as someone else's and overwrites nothing.
        """
        path = cls.path_for(archive_dir)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return cls(path, changed=True)
        try:
            data = json.loads(raw)
            if data.get("format") != FORMAT:
                raise ValueError(f"unknown format {data.get('format')!r}")
            files = {str(rel): FileRecord.from_json(rec) for rel, rec in data["files"].items()}
            options = dict(data.get("options") or {})
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            problem = f"{path}: unreadable manifest ({exc}); existing files are left alone"
            logger.warning(problem)
            return cls(path, problem=problem)
        return cls(path, files, options)

    def to_bytes(self) -> bytes:
        data = {
            "format": FORMAT,
            "options": self.options,
            "files": {rel: self.files[rel].to_json() for rel in sorted(self.files)},
        }
        return (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode()

    def save(self) -> bool:
        """Write the manifest atomically if it changed; True when written."""
        if not (self.changed or self.problem):
            return False
        written = write_if_changed(self.path, self.to_bytes())
        self.changed = False
        self.problem = None
        return written
