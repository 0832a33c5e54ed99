"""``export_archive``: the whole Jekyll archive from the store, touching only what changed.

The store is the source of truth: every stored article becomes a post for
each channel it came through (its media post, its rolling-news post) in
``_posts/`` (or ``old_post/`` once older than the retention window, keeping
its URL), with the redirect pages of URLs the post had; the format's other
files (category pages, lists of posts, the fixed files of the site) are put
in place.  Deleting any of these files and exporting again brings back
identical bytes.

Three rules shape the code:

- a file whose bytes would not change is not written (its mtime stays);
- a file that newscrawl did not write, or that was edited since, is never
  overwritten or deleted: it is skipped and reported (see :mod:`.manifest`);
- an unchanged archive is not read back nor re-rendered: a post whose record
  in the manifest says it was made from the same article content by the same
  renderer, and whose size and mtime are as newscrawl left them, is done.

And one more, for big archives: the export's memory does not grow with the
number of posts.  Posts are planned a page of :data:`PAGE_SIZE` posts at a
time, in order of post name (the file name without its date: an article's
code, or a rolling-news entry's id), against the manifest's records of the
same names (see :mod:`.manifest`; a post's redirect pages carry its name
too) and the existing post files of the same names (listed once into a
temporary database, :class:`_PostFiles`).  A post that
must be written is rendered once and its bytes are held only until the batch
they are in is written (at most :data:`FLUSH_FILES` files or
:data:`FLUSH_BYTES` bytes); what an export did is kept as counts.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from newscrawl.archive.atomic import AtomicBatch
from newscrawl.archive.manifest import FileRecord, Manifest, code_range, sha256
from newscrawl.archive.naming import BEIJING, beijing_today
from newscrawl.archive.store import PostSummary, Store
from newscrawl.formats import OutputFormat, Unpublishable, load_format
from newscrawl.items import Channel
from newscrawl.sources import eastmoney as source

#: Posts planned at a time (one page of the store, in order of post name).
PAGE_SIZE = 500
#: New or changed files held in memory before they are written, as a batch:
#: at most this many, and at most this many bytes.
FLUSH_FILES = 128
FLUSH_BYTES = 2 << 20


_MISSING, _OURS, _FOREIGN, _EDITED, _NOT_A_FILE = (
    "missing", "ours", "foreign", "edited", "not a file",
)
_REASONS = {
    _FOREIGN: "exists and was not written by newscrawl",
    _EDITED: "edited since newscrawl wrote it",
    _NOT_A_FILE: "exists and is not a regular file",
}


class StoreRefused(Exception):
    """The store knows far fewer articles than the archive has posts: it is not exported.

    A store emptied or replaced by mistake (a full disk, a bad restore, a
    0-byte file that SQLite reads as an empty database) would otherwise make
    the export remove every post it no longer knows.
    """


#: The store must know at least this share of the articles whose posts
#: newscrawl wrote, or the export is refused (:class:`StoreRefused`).
MIN_STORE_SHARE = 0.5


def check_store(stored: int, posted: int, store_path: Path,
                min_share: float = MIN_STORE_SHARE) -> None:
    """Raise :class:`StoreRefused` when ``stored`` articles are too few for ``posted`` posts."""
    if posted and stored < posted * min_share:
        raise StoreRefused(
            f"{store_path}: the store knows {stored} articles, but newscrawl wrote posts of "
            f"{posted}: refusing to export (was the store emptied or replaced? restore it "
            "from a backup; no post was removed)"
        )


def failure_reason(exc: BaseException) -> str:
    """Why an export failed, in one line: the file and the system's words for an OSError."""
    if isinstance(exc, OSError) and exc.strerror:
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror}"
    if isinstance(exc, sqlite3.Error):
        return f"unreadable store or manifest ({' '.join(str(exc).split())})"
    return " ".join(str(exc).split()) or type(exc).__name__


@dataclass(frozen=True)
class Skipped:
    """A file newscrawl wanted to write (or remove) and left alone, with why."""

    path: str
    reason: str

    def line(self) -> str:
        return f"skipped {self.path}: {self.reason}"


@dataclass
class ExportResult:
    """What one export did: counts, and the files it left alone (paths relative to the archive).

    Counts, not lists of paths: a first export of 100,000 posts would hold
    100,000 paths only to print their number.
    """

    written: int = 0
    unchanged: int = 0
    removed: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    #: Posts in ``_posts/`` and in ``old_post/`` after the export.
    posts: int = 0
    old_posts: int = 0
    #: Problems that are not about one file (e.g. an unreadable manifest).
    warnings: list[str] = field(default_factory=list)
    #: What the update of the search index did ("": no search index).
    search: str = ""
    elapsed: float = 0.0

    def summary_line(self) -> str:
        search = f"; {self.search}" if self.search else ""
        return (
            f"newscrawl: export: {self.written} written, {self.unchanged} unchanged, "
            f"{self.removed} removed, {len(self.skipped)} skipped "
            f"({self.posts} posts, {self.old_posts} past the retention window){search} "
            f"in {self.elapsed:.1f}s"
        )

    def warning_lines(self) -> list[str]:
        return [*self.warnings, *(skipped.line() for skipped in self.skipped)]



def is_old(day: date, today: date, keep_days: int | None) -> bool:
    """True when a post of ``day`` is older than ``keep_days`` days (None or 0: never)."""
    return keep_days is not None and keep_days > 0 and (today - day).days > keep_days


def render_key(output_format: OutputFormat, site_url: str) -> str:
    """A short key of everything a post's bytes depend on besides the article.

    That is the format, the site URL and the code of the renderer: when any
    changes, every post is rendered again and compared, instead of being
    trusted as unchanged.
    """
    digest = hashlib.sha256(f"{output_format.name}\n{site_url}".encode())
    for path in output_format.renderer_files():
        try:
            digest.update(Path(path).read_bytes())
        except OSError:
            digest.update(path.encode())
    return digest.hexdigest()[:16]


def export_archive(
    store: Store,
    out_dir: Path,
    site_url: str,
    keep_days: int | None = None,
    today: date | None = None,
    output_format: OutputFormat | None = None,
    min_store_share: float = MIN_STORE_SHARE,
    *,
    search: bool,
) -> ExportResult:
    """Write the archive in ``out_dir`` from ``store``: posts, category pages, site files.

    ``keep_days``: posts older than that many days (by their +0800 date,
    against ``today`` in Beijing) go to the format's folder of old posts
    (``old_post/``); None or 0 keeps every post where it is.  ``output_format``:
    the setting ``NEWSCRAWL_FORMAT``'s by default.  ``keep_days`` is remembered in the manifest (see
    ``Archive.keep_days``).

    ``search`` (the setting ``NEWSCRAWL_SEARCH``): also bring the format's
    search index up to date (:meth:`OutputFormat.update_search`); when that
    cannot be done, the export still succeeds, with one warning.

    Raises ValueError for a bad site URL or a negative ``keep_days``,
    :class:`StoreRefused` when the store knows fewer than ``min_store_share``
    of the articles newscrawl wrote posts of (nothing is changed then; 0 for
    a caller that removed articles on purpose), and OSError when the archive
    cannot be written.
    """
    started = time.monotonic()
    output_format = output_format or load_format()
    output_format.check_site_url(site_url)
    if keep_days is not None and keep_days < 0:
        raise ValueError(f"keep_days must be 0 or more, not {keep_days}")
    out_dir = Path(out_dir)
    with Manifest.open(out_dir, output_format.code_of_post) as manifest:
        check_store(store.post_count(), manifest.post_codes(), store.path, min_store_share)
        export = _Export(store, out_dir, output_format, site_url, keep_days or None,
                         today or beijing_today(), manifest)
        result = export.run()
        if search:
            export.update_search()
    result.elapsed = time.monotonic() - started
    return result


@dataclass(slots=True)
class _Write:
    """A planned write, with its bytes: held until its batch is written (see ``flush``)."""

    rel: str
    data: bytes
    digest: str
    source: str
    previous: str | None


@dataclass(slots=True)
class _Seen:
    """The state of one existing path, as far as it had to be looked at."""

    state: str
    stat: os.stat_result | None = None
    digest: str | None = None


#: Every missing path looks the same: one object for all of them.
_SEEN_MISSING = _Seen(_MISSING)


class _PostBytes:
    """The bytes of one post: rendered when first asked for, then kept while it is planned.

    Deciding about a post may need its bytes more than once (another copy to
    compare, then the write); the article is read and rendered only once.
    """

    __slots__ = ("channel", "code", "data", "moved", "output_format", "site_url", "store")

    def __init__(self, store: Store, output_format: OutputFormat, site_url: str,
                 code: str, channel: str, moved: bool) -> None:
        self.store = store
        self.output_format = output_format
        self.site_url = site_url
        self.code = code
        self.channel = channel
        self.moved = moved
        self.data: bytes | None = None

    def __call__(self) -> bytes:
        if self.data is None:
            article = self.store.get(self.code)
            if article is None:
                raise LookupError(f"article {self.code} vanished from the store during the export")
            channel = self.store.channels(self.code).get(self.channel, Channel(self.channel))
            self.data = self.output_format.render_post(article, self.site_url, channel,
                                                       self.moved)
        return self.data


class _PostFiles:
    """The files that exist in both post folders, by article code, in a temporary database.

    The folders are listed once, at the start (a copy of a post that
    newscrawl did not record, e.g. one made by hand or by an older writer,
    must be found by its code), into a private on-disk SQLite database that
    is deleted when closed: a page of codes is read at a time, and memory does
    not grow with the number of files.
    """

    def __init__(self, out_dir: Path, output_format: OutputFormat) -> None:
        # "": a temporary database, kept in memory only up to its page cache.
        self._db = sqlite3.connect("", isolation_level=None)
        try:
            self._db.execute("PRAGMA journal_mode=OFF")
            self._db.execute("PRAGMA synchronous=OFF")
            self._db.execute("CREATE TABLE posts (code TEXT NOT NULL, rel TEXT NOT NULL)")
            self._db.execute("BEGIN")
            self._db.executemany("INSERT INTO posts (code, rel) VALUES (?, ?)",
                                 _list_posts(out_dir, output_format))
            self._db.execute("CREATE INDEX posts_code ON posts (code)")
            self._db.execute("COMMIT")
        except BaseException:
            self._db.close()
            raise

    def between(self, after: str | None, upto: str | None) -> dict[str, list[str]]:
        """The post files of the codes after ``after`` and at most ``upto`` (None: open)."""
        condition, args = code_range(after, upto)
        by_code: dict[str, list[str]] = {}
        for code, rel in self._db.execute(
            f"SELECT code, rel FROM posts WHERE {condition} ORDER BY rowid", args
        ):
            by_code.setdefault(code, []).append(rel)
        return by_code

    def close(self) -> None:
        self._db.close()


def _list_posts(out_dir: Path, output_format: OutputFormat) -> Iterator[tuple[str, str]]:
    """``(name, rel)`` of every post file in the format's post folders (and one folder down)."""
    for folder in output_format.post_folders:
        yield from _list_folder(out_dir / folder, folder, output_format, depth=1)


def _list_folder(path: Path, rel: str, output_format: OutputFormat,
                 depth: int) -> Iterator[tuple[str, str]]:
    try:
        with os.scandir(path) as entries:
            for entry in entries:
                entry_rel = f"{rel}/{entry.name}"
                name = output_format.post_file_name(entry_rel)
                if name is not None:
                    yield name, entry_rel
                elif depth > 0 and not entry.name.startswith(".") and entry.is_dir(
                        follow_symlinks=False):
                    yield from _list_folder(Path(entry.path), entry_rel, output_format,
                                            depth - 1)
    except (FileNotFoundError, NotADirectoryError):
        return


class _Export:
    def __init__(self, store: Store, out_dir: Path, output_format: OutputFormat,
                 site_url: str, keep_days: int | None, today: date,
                 manifest: Manifest) -> None:
        self.store = store
        self.out_dir = out_dir
        self.format = output_format
        self.root = os.fspath(out_dir)
        self.site_url = site_url
        self.keep_days = keep_days
        self.today = today
        self.manifest = manifest
        self.key = render_key(output_format, site_url)
        self.result = ExportResult()
        if manifest.problem:
            self.result.warnings.append(manifest.problem)
        # What is being planned: a page of posts, or the site's other files.
        #: The manifest's records of the paths of this page.
        self.records: dict[str, FileRecord] = {}
        self.seen: dict[str, _Seen] = {}
        self.wanted: set[str] = set()
        #: Paths that are dealt with (kept, moved from) and so are not stale.
        self.handled: set[str] = set()
        # What is to be done, in the next batch.
        self.writes: list[_Write] = []
        self.write_bytes = 0
        self.removals: list[str] = []

    # -- what exists ---------------------------------------------------

    def record(self, rel: str, record: FileRecord) -> None:
        """Set the manifest's record of ``rel`` (and the page's copy)."""
        self.records[rel] = record
        self.manifest.set(rel, record)

    def drop(self, rel: str) -> None:
        self.records.pop(rel, None)
        self.manifest.drop(rel)

    def look(self, rel: str) -> _Seen:
        """Whether ``rel`` is missing, newscrawl's own, someone else's, or edited."""
        if rel in self.seen:
            return self.seen[rel]
        record = self.records.get(rel)
        try:
            st = os.stat(os.path.join(self.root, rel))
        except FileNotFoundError:
            seen = _SEEN_MISSING
        else:
            if not stat.S_ISREG(st.st_mode):
                seen = _Seen(_NOT_A_FILE, st)
            elif record is None:
                seen = _Seen(_FOREIGN, st)
            elif record.matches_stat(st):
                seen = _Seen(_OURS, st, record.sha256)
            else:
                digest = sha256((self.out_dir / rel).read_bytes())
                if record.owns(digest):
                    # Touched (or an interrupted write): still newscrawl's content.
                    self.record(rel, FileRecord(
                        digest, st.st_size, st.st_mtime_ns,
                        record.source if digest == record.sha256 else ""))
                    seen = _Seen(_OURS, st, digest)
                else:
                    seen = _Seen(_EDITED, st, digest)
        self.seen[rel] = seen
        return seen

    def start(self, records: dict[str, FileRecord]) -> None:
        """Plan a new page against ``records``: nothing of the last page is kept."""
        self.records = records
        self.seen = {}
        self.wanted = set()
        self.handled = set()

    # -- planning ------------------------------------------------------

    def skip(self, rel: str, reason: str) -> None:
        self.result.skipped.append(Skipped(rel, reason))

    def want(self, rel: str, make: Callable[[], bytes], source: str = "") -> bool:
        """Plan ``rel`` to hold ``make()``; False when it is left alone (skipped)."""
        self.wanted.add(rel)
        record = self.records.get(rel)
        if (record is not None and source and record.source == source
                and rel not in self.seen):
            # The fast path: same article, same renderer; is the file as we left it?
            # (os.path, not pathlib: this runs once per post of the archive.)
            try:
                st = os.stat(os.path.join(self.root, rel))
            except FileNotFoundError:
                st = None
            if st is not None and record.matches_stat(st):
                self.result.unchanged += 1
                return True
        seen = self.look(rel)
        if seen.state == _NOT_A_FILE:
            self.skip(rel, _REASONS[_NOT_A_FILE])
            return False
        try:
            data = make()
        except Unpublishable as exc:  # stored before newscrawl refused such articles
            self.skip(rel, f"not written: {exc}")
            return False
        digest = sha256(data)
        if seen.state == _MISSING:
            self.queue(_Write(rel, data, digest, source, None))
            return True
        if seen.state == _FOREIGN:
            assert seen.stat is not None
            if seen.stat.st_size == len(data):
                seen.digest = sha256((self.out_dir / rel).read_bytes())
        if seen.digest == digest:
            # Already exactly what newscrawl would write: (re)claim it, keep its mtime.
            assert seen.stat is not None
            new = FileRecord(digest, seen.stat.st_size, seen.stat.st_mtime_ns, source)
            if self.records.get(rel) != new:
                self.record(rel, new)
            self.result.unchanged += 1
            return True
        if seen.state == _OURS:
            self.queue(_Write(rel, data, digest, source, seen.digest))
            return True
        self.skip(rel, _REASONS[seen.state])
        return False

    def export_posts(self) -> None:
        """Every article's posts, a page of posts at a time (see the module's docstring)."""
        files = _PostFiles(self.out_dir, self.format)
        try:
            after: str | None = None
            while True:
                page = self.store.posts_after(after, PAGE_SIZE)
                # The last page also takes the records of every name after it.
                upto = page[-1].name if len(page) >= PAGE_SIZE else None
                self.plan_page(page, self.manifest.posts_between(after, upto),
                               files.between(after, upto))
                self.flush()
                if upto is None:
                    break
                after = upto
        finally:
            files.close()

    def plan_page(self, page: list[PostSummary], records: dict[str, FileRecord],
                  existing: dict[str, list[str]]) -> None:
        """The posts of ``page``, and the stale post files of the same names.

        ``records`` and ``existing`` are the manifest's records and the post
        files of every name in the page's range, posts or not: a record
        of a name without a post is stale here or nowhere.  The posts of one
        name (an article's media post and its rolling-news post, when the
        entry's id is the code) are placed together.
        """
        self.start(records)
        groups: dict[str, list[PostSummary]] = {}
        for summary in page:
            groups.setdefault(summary.name, []).append(summary)
        for name, group in groups.items():
            placed = [(summary, self.post_rel(summary, len(group) > 1, existing.get(name, ())))
                      for summary in group]
            rels = {rel for _, rel in placed if rel is not None}
            for summary, rel in placed:
                if rel is not None:
                    self.plan_post(summary, rel, [other for other in existing.get(name, ())
                                                  if other not in rels])
        self.plan_stale()

    def post_rel(self, summary: PostSummary, shared_name: bool,
                 existing: Iterable[str]) -> str | None:
        """Where a post goes (the format's path), or None when it is not written."""
        if not source.is_valid_code(summary.name) or not source.is_valid_code(summary.code):
            self.skip(f"{self.format.post_folders[0]}/{summary.name!r}", "unsafe article code")
            return None
        try:
            old = is_old(summary.date.astimezone(BEIJING).date(), self.today, self.keep_days)
            return self.format.post_path(summary, old, shared_name)
        except (Unpublishable, OverflowError) as exc:
            # A row from before newscrawl refused such dates (a year 0001): left as it is.
            self.handled.update(existing)
            self.skip(f"{self.format.post_folders[0]}/*-{summary.name}.*", str(exc))
            return None

    def plan_post(self, summary: PostSummary, rel: str, existing: Iterable[str]) -> None:
        if rel in self.wanted:
            self.skip(rel, f"another post of the name {summary.name} is written there")
            return
        old = rel.startswith(self.format.post_folders[1] + "/")
        if old:
            self.result.old_posts += 1
        else:
            self.result.posts += 1
        make = _PostBytes(self.store, self.format, self.site_url, summary.code,
                          summary.channel, old)
        for extra in self.format.post_files(summary, rel, self.site_url):
            if extra.render is None:
                self.skip(extra.rel, extra.refused)
            else:
                self.want(extra.rel, extra.render, f"{self.key}:{extra.key}" if extra.key else "")
        others = [other for other in existing if other != rel]
        self.handled.update(others)
        blockers = [other for other in others if not self.is_own_copy(other, make)]
        if blockers:
            # Someone's own copy of this post: write no second one beside it.
            self.wanted.add(rel)
            self.skip(rel, f"{blockers[0]} ({self.look(blockers[0]).state}) holds this "
                           "post; not written beside it")
            return
        self.want(rel, make, f"{self.key}:{summary.content_hash}:{summary.channel_hash}")
        # The post has moved (retention window, corrected date): drop the old copy
        # (after the new one is written: removals come last in a batch).
        self.removals.extend(other for other in others if self.look(other).state == _OURS)

    def is_own_copy(self, rel: str, make: Callable[[], bytes]) -> bool:
        """Whether ``rel``, another copy of a post, is newscrawl's to remove.

        A file not in the manifest whose bytes are exactly the post newscrawl
        renders is its own output too (a post written by an older newscrawl,
        or by a writer that does not keep the manifest).
        """
        seen = self.look(rel)
        if seen.state in (_MISSING, _OURS):
            return True
        if seen.state == _NOT_A_FILE:
            return False
        try:
            data = make()
        except Unpublishable:
            return False
        assert seen.stat is not None
        if seen.stat.st_size != len(data):
            return False
        digest = sha256(data)
        if sha256((self.out_dir / rel).read_bytes()) != digest:
            return False
        self.record(rel, FileRecord(digest, seen.stat.st_size, seen.stat.st_mtime_ns))
        self.seen[rel] = _Seen(_OURS, seen.stat, digest)
        return True

    def plan_site(self) -> None:
        """The format's other files, against the records of the non-post files."""
        self.start(self.manifest.others())
        for site_file in self.format.site_files(self.store, self.site_url):
            if site_file.render is None:
                self.skip(site_file.rel, site_file.refused)
            else:
                self.want(site_file.rel, site_file.render)
        self.plan_stale()

    def plan_stale(self) -> None:
        """Files newscrawl wrote that the archive no longer has: removed if untouched.

        Only the records being planned (a page's, or the site's) are looked at.
        """
        for rel in sorted(self.records):
            if rel in self.wanted or rel in self.handled:
                continue
            state = self.look(rel).state
            if state == _OURS:
                self.removals.append(rel)
            elif state == _MISSING:
                self.drop(rel)
            else:
                # From now on it is someone else's file: say so once, then forget it.
                self.skip(rel, f"no longer exported, but {_REASONS[state]}: left in place")
                self.drop(rel)

    # -- doing ---------------------------------------------------------

    def run(self) -> ExportResult:
        try:
            self.export_posts()
            self.plan_site()
            self.flush()
        finally:
            self.manifest.set_options(site_url=self.site_url, keep_days=self.keep_days)
            self.manifest.commit()
        return self.result

    def update_search(self) -> None:
        """The format's search index, if it has one, for the posts as just exported."""
        update = self.format.update_search(self.store, self.out_dir)
        self.result.search = update.summary
        if update.warning:
            self.result.warnings.append(update.warning)

    def queue(self, write: _Write) -> None:
        self.writes.append(write)
        self.write_bytes += len(write.data)
        if len(self.writes) >= FLUSH_FILES or self.write_bytes >= FLUSH_BYTES:
            self.flush()

    def flush(self) -> None:
        """Write the batch of planned writes, then do the planned removals.

        The two steps of a write (see :mod:`.manifest`): the new hashes go on
        record, committed, before any file of the batch changes; the files
        are written with :class:`AtomicBatch`; then their sizes and mtimes
        are recorded.  A run killed anywhere in between finds each file with
        its old or its new bytes, both newscrawl's by the record.

        No fsync per file, but not no sync at all.  A killed process needs
        none (what it wrote is in the page cache, and a rename is atomic).
        A power cut is another matter: the store would still have every
        article, and the next export re-verifies every file by size and mtime
        and hashes what differs, but a post renamed into place before its
        bytes reached the disk could come back empty, match neither hash of
        its record, be taken for an edit and be left alone for good (newscrawl
        never overwrites an edited file).  So :class:`AtomicBatch` writes the
        batch's files beside their targets, syncs the filesystem once (the
        manifest's too, with the record just committed) and only then renames
        them into place: no renamed file is ever empty or half-written.  A
        power cut then loses at most renames and what was recorded after
        them, which the next export finds by size and mtime, hashes, and puts
        right.  One sync per batch of up to :data:`FLUSH_FILES` files costs a
        tenth of one fsync per file (1.6 ms of wall time per post on the
        benchmark's disk).
        """
        if self.writes:
            for write in self.writes:
                self.manifest.set(write.rel, FileRecord(
                    write.digest, len(write.data), None, write.source, write.previous))
            self.manifest.commit()
            with AtomicBatch(also_sync=self.manifest.path) as batch:
                for write in self.writes:
                    batch.add(self.out_dir / write.rel, write.data)
                batch.commit()
            for write in self.writes:
                st = os.stat(os.path.join(self.root, write.rel))
                self.manifest.set(write.rel, FileRecord(
                    write.digest, st.st_size, st.st_mtime_ns, write.source))
                self.result.written += 1
            self.writes.clear()
            self.write_bytes = 0
        for rel in self.removals:
            (self.out_dir / rel).unlink(missing_ok=True)
            self.drop(rel)
            self.result.removed += 1
        self.removals.clear()
        self.manifest.commit()
