"""``export_archive``: the whole Jekyll archive from the store, touching only what changed.

The store is the source of truth: every stored article becomes its post in
``_posts/`` (or ``old_post/`` once older than the retention window), every
category slug its page, and the fixed files of the site are put in place.
Deleting any of these files and exporting again brings back identical bytes.

Three rules shape the code:

- a file whose bytes would not change is not written (its mtime stays);
- a file that newscrawl did not write, or that was edited since, is never
  overwritten or deleted: it is skipped and reported (see :mod:`.manifest`);
- an unchanged archive is not read back nor re-rendered: a post whose record
  in the manifest says it was made from the same article content by the same
  renderer, and whose size and mtime are as newscrawl left them, is done.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import stat
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from newscrawl import source
from newscrawl.exporters import jekyll
from newscrawl.exporters.jekyll import DEFAULT_SITE_URL, post_filename, render_post
from newscrawl.exporters.site.manifest import FileRecord, Manifest, sha256
from newscrawl.exporters.site.pages import (
    category_page,
    category_relpath,
    config_yml,
    is_safe_slug,
    parse_site_url,
    static_files,
)
from newscrawl.fsutil import write_if_changed
from newscrawl.items import Article
from newscrawl.pipelines.dates import BEIJING
from newscrawl.store import Store, StoredSummary, state_dir

POSTS_DIR = "_posts"
OLD_POSTS_DIR = "old_post"
LOCK_FILE = "export.lock"


#: A post file of article CODE: ``<YYYY-MM-DD>-<CODE>.md`` (and the first
#: generator's dateless ``-<CODE>.md``).
_POST_NAME = re.compile(r"^(?:\d{4}-\d{2}-\d{2})?-(?P<code>.+)\.md$")

_MISSING, _OURS, _FOREIGN, _EDITED, _NOT_A_FILE = (
    "missing", "ours", "foreign", "edited", "not a file",
)
_REASONS = {
    _FOREIGN: "exists and was not written by newscrawl",
    _EDITED: "edited since newscrawl wrote it",
    _NOT_A_FILE: "exists and is not a regular file",
}


@dataclass(frozen=True)
class Skipped:
    """A file newscrawl wanted to write (or remove) and left alone, with why."""

    path: str
    reason: str

    def line(self) -> str:
        return f"skipped {self.path}: {self.reason}"


@dataclass
class ExportResult:
    """What one export did; paths are relative to the archive directory."""

    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    #: Posts in ``_posts/`` and in ``old_post/`` after the export.
    posts: int = 0
    old_posts: int = 0
    #: Problems that are not about one file (e.g. an unreadable manifest).
    warnings: list[str] = field(default_factory=list)
    elapsed: float = 0.0

    def summary_line(self) -> str:
        return (
            f"newscrawl: export: {len(self.written)} written, {self.unchanged} unchanged, "
            f"{len(self.removed)} removed, {len(self.skipped)} skipped "
            f"({self.posts} posts, {self.old_posts} in {OLD_POSTS_DIR}/) in {self.elapsed:.1f}s"
        )

    def warning_lines(self) -> list[str]:
        return [*self.warnings, *(skipped.line() for skipped in self.skipped)]


def beijing_today() -> date:
    return datetime.now(BEIJING).date()


def is_old(day: date, today: date, keep_days: int | None) -> bool:
    """True when a post of ``day`` is older than ``keep_days`` days (None or 0: never)."""
    return keep_days is not None and keep_days > 0 and (today - day).days > keep_days


def render_key(site_url: str) -> str:
    """A short key of everything a post's bytes depend on besides the article.

    That is the site URL and the code of the renderer (``render_post`` and the
    date formatting it uses): when either changes, every post is rendered
    again and compared, instead of being trusted as unchanged.
    """
    digest = hashlib.sha256(site_url.encode("utf-8"))
    for module_name in (jekyll.__name__, jekyll.format_date.__module__):
        module = sys.modules[module_name]
        try:
            digest.update(Path(module.__file__ or "").read_bytes())
        except OSError:
            digest.update(module_name.encode())
    return digest.hexdigest()[:16]


@contextmanager
def export_lock(out_dir: Path) -> Iterator[None]:
    """One export at a time per archive (a crawl's and a user's may overlap)."""
    folder = state_dir(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / LOCK_FILE, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def export_archive(
    store: Store,
    out_dir: Path,
    site_url: str = DEFAULT_SITE_URL,
    keep_days: int | None = None,
    today: date | None = None,
) -> ExportResult:
    """Write the archive in ``out_dir`` from ``store``: posts, category pages, site files.

    ``keep_days``: posts older than that many days (by their +0800 date,
    against ``today`` in Beijing) go to ``old_post/``; None or 0 keeps every
    post in ``_posts/``.  ``keep_days`` is remembered in the manifest (see
    :func:`remembered_keep_days`).

    Raises ValueError for a bad site URL or a negative ``keep_days``, and
    OSError when the archive cannot be written.
    """
    started = time.monotonic()
    parse_site_url(site_url)
    if keep_days is not None and keep_days < 0:
        raise ValueError(f"keep_days must be 0 or more, not {keep_days}")
    out_dir = Path(out_dir)
    with export_lock(out_dir):
        export = _Export(store, out_dir, site_url, keep_days or None,
                         today or beijing_today(), Manifest.load(out_dir))
        result = export.run()
    result.elapsed = time.monotonic() - started
    return result


def remembered_keep_days(out_dir: Path) -> int | None:
    """The ``keep_days`` of the archive's last export: the default of the next one.

    The retention window is a property of the archive: once set with
    ``newscrawl export --keep-days N``, the exports at the end of crawls and
    fetches apply it too, instead of moving old posts back to ``_posts/``.
    """
    keep_days = Manifest.load(out_dir).options.get("keep_days")
    return keep_days if isinstance(keep_days, int) and keep_days > 0 else None


@dataclass
class _Write:
    """A planned write.  Only the digest and size are kept, not the bytes: the
    bytes are rendered again when written, so that an export of many new posts
    holds one post in memory at a time, not all of them."""

    rel: str
    make: Callable[[], bytes]
    digest: str
    size: int
    source: str
    previous: str | None


@dataclass
class _Seen:
    """The state of one existing path, as far as it had to be looked at."""

    state: str
    stat: os.stat_result | None = None
    digest: str | None = None


class _Export:
    def __init__(self, store: Store, out_dir: Path, site_url: str, keep_days: int | None,
                 today: date, manifest: Manifest) -> None:
        self.store = store
        self.out_dir = out_dir
        self.root = os.fspath(out_dir)
        self.site_url = site_url
        self.keep_days = keep_days
        self.today = today
        self.manifest = manifest
        self.key = render_key(site_url)
        self.result = ExportResult()
        if manifest.problem:
            self.result.warnings.append(manifest.problem)
        self.wanted: set[str] = set()
        #: Paths that are dealt with (kept, moved from) and so are not stale.
        self.handled: set[str] = set()
        self.writes: list[_Write] = []
        self.removals: list[str] = []
        self.seen: dict[str, _Seen] = {}

    # -- what exists ---------------------------------------------------

    def look(self, rel: str) -> _Seen:
        """Whether ``rel`` is missing, newscrawl's own, someone else's, or edited."""
        if rel in self.seen:
            return self.seen[rel]
        record = self.manifest.files.get(rel)
        try:
            st = (self.out_dir / rel).stat()
        except FileNotFoundError:
            seen = _Seen(_MISSING)
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
                    if digest != record.sha256:
                        record.source = ""
                    record.sha256, record.previous = digest, None
                    record.size, record.mtime_ns = st.st_size, st.st_mtime_ns
                    self.manifest.changed = True
                    seen = _Seen(_OURS, st, digest)
                else:
                    seen = _Seen(_EDITED, st, digest)
        self.seen[rel] = seen
        return seen

    def scan_posts(self) -> dict[str, list[str]]:
        """The existing post files of both post folders, by article code."""
        by_code: dict[str, list[str]] = {}
        for folder in (POSTS_DIR, OLD_POSTS_DIR):
            try:
                entries = list(os.scandir(self.out_dir / folder))
            except (FileNotFoundError, NotADirectoryError):
                continue
            for entry in entries:
                match = _POST_NAME.match(entry.name)
                if match:
                    by_code.setdefault(match["code"], []).append(f"{folder}/{entry.name}")
        return by_code

    # -- planning ------------------------------------------------------

    def skip(self, rel: str, reason: str) -> None:
        self.result.skipped.append(Skipped(rel, reason))

    def want(self, rel: str, make: Callable[[], bytes], source: str = "") -> bool:
        """Plan ``rel`` to hold ``make()``; False when it is left alone (skipped)."""
        self.wanted.add(rel)
        record = self.manifest.files.get(rel)
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
        data = make()
        digest = sha256(data)
        if seen.state == _MISSING:
            self.writes.append(_Write(rel, make, digest, len(data), source, None))
            return True
        if seen.state == _FOREIGN:
            assert seen.stat is not None
            if seen.stat.st_size == len(data):
                seen.digest = sha256((self.out_dir / rel).read_bytes())
        if seen.digest == digest:
            # Already exactly what newscrawl would write: (re)claim it, keep its mtime.
            assert seen.stat is not None
            new = FileRecord(digest, seen.stat.st_size, seen.stat.st_mtime_ns, source)
            if record != new:
                self.manifest.set(rel, new)
            self.result.unchanged += 1
            return True
        if seen.state == _OURS:
            self.writes.append(_Write(rel, make, digest, len(data), source, seen.digest))
            return True
        self.skip(rel, _REASONS[seen.state])
        return False

    def plan_posts(self, summaries: list[StoredSummary]) -> None:
        existing = self.scan_posts()
        for summary in summaries:
            if not source.is_valid_code(summary.code):
                self.skip(f"{POSTS_DIR}/{summary.code!r}", "unsafe article code")
                continue
            stub = Article(code=summary.code, share_url="", date=summary.date)
            old = is_old(jekyll.post_date(stub).date(), self.today, self.keep_days)
            rel = f"{OLD_POSTS_DIR if old else POSTS_DIR}/{post_filename(stub)}"
            if old:
                self.result.old_posts += 1
            else:
                self.result.posts += 1
            make = self.post_maker(summary.code)
            others = [other for other in existing.get(summary.code, ()) if other != rel]
            self.handled.update(others)
            blockers = [other for other in others if not self.is_own_copy(other, make)]
            if blockers:
                # Someone's own copy of this post: write no second one beside it.
                self.wanted.add(rel)
                self.skip(rel, f"{blockers[0]} ({self.look(blockers[0]).state}) holds this "
                               "post; not written beside it")
                continue
            self.want(rel, make, f"{self.key}:{summary.content_hash}")
            # The post has moved (retention window, corrected date): drop the old copy.
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
        data = make()
        assert seen.stat is not None
        if seen.stat.st_size != len(data):
            return False
        if sha256((self.out_dir / rel).read_bytes()) != sha256(data):
            return False
        self.manifest.set(rel, FileRecord(sha256(data), seen.stat.st_size, seen.stat.st_mtime_ns))
        self.seen[rel] = _Seen(_OURS, seen.stat, sha256(data))
        return True

    def post_maker(self, code: str) -> Callable[[], bytes]:
        """Renders the post of ``code`` each time it is asked for (nothing is kept)."""

        def make() -> bytes:
            article = self.store.get(code)
            if article is None:
                raise LookupError(f"article {code} vanished from the store during the export")
            return render_post(article, self.site_url)
        return make

    def plan_site(self, summaries: list[StoredSummary]) -> None:
        newest_media: dict[str, str] = {}
        for summary in summaries:  # newest first: the first media seen is the newest
            newest_media.setdefault(summary.slug, summary.media)
        for slug, media in newest_media.items():
            if not is_safe_slug(slug):
                self.skip(f"category/{slug!r}.html", "unsafe category slug")
                continue
            self.want(category_relpath(slug).as_posix(),
                      lambda slug=slug, media=media: category_page(slug, media))
        self.want("_config.yml", lambda: config_yml(self.site_url))
        for rel, data in static_files().items():
            self.want(rel, lambda data=data: data)

    def plan_stale(self) -> None:
        """Files newscrawl wrote that the archive no longer has: removed if untouched."""
        for rel in sorted(self.manifest.files):
            if rel in self.wanted or rel in self.handled:
                continue
            state = self.look(rel).state
            if state == _OURS:
                self.removals.append(rel)
            elif state == _MISSING:
                self.manifest.drop(rel)
            else:
                # From now on it is someone else's file: say so once, then forget it.
                self.skip(rel, f"no longer exported, but {_REASONS[state]}: left in place")
                self.manifest.drop(rel)

    # -- doing ---------------------------------------------------------

    def run(self) -> ExportResult:
        summaries = list(self.store.summaries())
        self.plan_posts(summaries)
        self.plan_site(summaries)
        self.plan_stale()
        try:
            self.write_all()
            self.remove_all()
        finally:
            self.manifest.set_options(site_url=self.site_url, keep_days=self.keep_days)
            self.manifest.save()
        return self.result

    def write_all(self) -> None:
        if not self.writes:
            return
        # Record first, so that a run killed mid-way still knows these files as its own.
        for write in self.writes:
            self.manifest.set(write.rel, FileRecord(
                write.digest, write.size, None, write.source, write.previous))
        self.manifest.save()
        for write in self.writes:
            path = self.out_dir / write.rel
            data = write.make()
            write_if_changed(path, data)
            st = path.stat()
            record = self.manifest.files[write.rel]
            if len(data) != write.size or sha256(data) != write.digest:
                # Rendered differently than planned (the store changed under us):
                # the manifest records what was really written.
                record.sha256 = sha256(data)
            record.size, record.mtime_ns, record.previous = st.st_size, st.st_mtime_ns, None
            self.manifest.changed = True
            self.result.written.append(write.rel)

    def remove_all(self) -> None:
        for rel in self.removals:
            (self.out_dir / rel).unlink(missing_ok=True)
            self.manifest.drop(rel)
            self.result.removed.append(rel)
