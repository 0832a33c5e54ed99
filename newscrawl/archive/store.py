"""The archive's store: every accepted article, in SQLite inside the archive directory.

The store, not the ``_posts/`` files, is the source of truth: the exporters
write posts from it, and a crawl asks it which articles are already known.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from newscrawl.items import Article

STATE_DIR = ".newscrawl"
STORE_FILE = "store.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    code TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    date TEXT NOT NULL,
    media TEXT NOT NULL,
    slug TEXT NOT NULL,
    tag TEXT NOT NULL,
    body TEXT NOT NULL,
    digest TEXT NOT NULL DEFAULT '',
    share_url TEXT NOT NULL,
    found_on TEXT NOT NULL DEFAULT '',
    fetched_at TEXT NOT NULL,
    content_hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_slug_date ON articles (slug, date);
"""

_COLUMNS = (
    "code", "title", "date", "media", "slug", "tag", "body", "digest",
    "share_url", "found_on", "fetched_at", "content_hash",
)


def state_dir(archive_dir: Path) -> Path:
    """Where newscrawl keeps its own files inside the archive (Jekyll ignores dot-folders)."""
    return archive_dir / STATE_DIR


def store_problem(archive_dir: Path) -> str | None:
    """Why the archive's store cannot be read, or None (also when there is none yet).

    Asked before a command touches the archive, so that a damaged store is
    one clear line instead of a crawl that fails half-way.  An empty file
    reads as an empty database: the export's own check
    (:func:`newscrawl.archive.export.check_store`) refuses it if the archive
    has posts.
    """
    path = state_dir(archive_dir) / STORE_FILE
    try:
        if path.stat().st_size == 0:
            return None
    except FileNotFoundError:
        return None
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30.0)
        try:
            tables = {row[0] for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            db.close()
    except sqlite3.Error as exc:
        return f"{path}: unreadable store ({exc}); restore it from a backup"
    if tables and "articles" not in tables:
        return f"{path}: not a newscrawl store (no articles table)"
    return None


def content_hash(article: Article) -> str:
    """A hash of what the archive shows of an article (not when it was fetched)."""
    assert article.date is not None
    payload = json.dumps(
        [article.code, article.title, article.date.isoformat(), article.media, article.slug,
         article.tag, article.body, article.share_url],
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class StoredSummary:
    """A stored article without its body: what planning an export needs.

    (``slots``: an export holds a page of these at a time, hundreds, not the
    whole archive; slots keep each small all the same.)
    """

    code: str
    date: datetime
    media: str
    slug: str
    tag: str
    content_hash: str


@dataclass(frozen=True)
class Upsert:
    """What storing an article did: ``new``, ``changed`` or ``unchanged``."""

    status: str
    hash: str


class Store:
    """A small SQLite store of accepted articles.

    One connection per process; every write is its own transaction, so a run
    killed at any moment leaves the store as it was after the last article.
    """

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, isolation_level=None, timeout=30.0)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    @classmethod
    def open(cls, archive_dir: Path) -> Store:
        return cls(state_dir(archive_dir) / STORE_FILE)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def upsert(self, article: Article) -> Upsert:
        """Store ``article``; an unchanged article is not rewritten."""
        digest = content_hash(article)
        row = self._db.execute(
            "SELECT content_hash FROM articles WHERE code = ?", (article.code,)
        ).fetchone()
        if row is not None and row[0] == digest:
            return Upsert("unchanged", digest)
        assert article.date is not None
        fetched = article.fetched_at or datetime.now().astimezone()
        values = (
            article.code, article.title, article.date.isoformat(), article.media,
            article.slug, article.tag, article.body, article.digest, article.share_url,
            article.found_on, fetched.isoformat(), digest,
        )
        placeholders = ", ".join("?" for _ in _COLUMNS)
        self._db.execute(
            f"INSERT OR REPLACE INTO articles ({', '.join(_COLUMNS)}) VALUES ({placeholders})",
            values,
        )
        return Upsert("new" if row is None else "changed", digest)

    def has(self, code: str) -> bool:
        return (
            self._db.execute("SELECT 1 FROM articles WHERE code = ?", (code,)).fetchone()
            is not None
        )

    def codes(self) -> set[str]:
        return {row[0] for row in self._db.execute("SELECT code FROM articles")}

    def count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM articles").fetchone()[0])

    def articles(self) -> Iterator[Article]:
        """Every stored article, newest first."""
        cursor = self._db.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM articles ORDER BY date DESC, code"
        )
        for row in cursor:
            yield _article_from_row(row)

    def summaries(self) -> Iterator[StoredSummary]:
        """Every stored article without its body, newest first.

        An export of an unchanged archive needs only these columns; reading
        every body (and rendering it) would cost seconds on a large archive.
        """
        cursor = self._db.execute(
            "SELECT code, date, media, slug, tag, content_hash FROM articles"
            " ORDER BY date DESC, code"
        )
        for code, date, media, slug, tag, digest in cursor:
            yield StoredSummary(code, datetime.fromisoformat(date), media, slug, tag, digest)

    def summaries_after(self, code: str | None, limit: int) -> list[StoredSummary]:
        """Up to ``limit`` summaries in order of code, those after ``code`` (None: the first).

        Paging by code (the primary key: each page is one index range) lets an
        export walk the archive a bounded page at a time, whatever its size,
        and meet the manifest's records of the same codes page by page.
        """
        where, args = ("WHERE code > ? ", (code, limit)) if code is not None else ("", (limit,))
        rows = self._db.execute(
            "SELECT code, date, media, slug, tag, content_hash FROM articles "
            f"{where}ORDER BY code LIMIT ?", args,
        ).fetchall()
        return [StoredSummary(code, datetime.fromisoformat(date), media, slug, tag, digest)
                for code, date, media, slug, tag, digest in rows]

    def newest_media(self) -> dict[str, str]:
        """Each category slug and the media of its newest article (by date, then code).

        The same choice as the first of :meth:`summaries` per slug, from the
        ``(slug, date)`` index: a skip-scan of the distinct slugs and one
        index probe each, instead of reading every row.
        """
        slugs = [row[0] for row in self._db.execute(
            "WITH RECURSIVE slugs(slug) AS ("
            " SELECT min(slug) FROM articles"
            " UNION ALL"
            " SELECT (SELECT min(slug) FROM articles WHERE slug > slugs.slug)"
            " FROM slugs WHERE slug IS NOT NULL)"
            " SELECT slug FROM slugs WHERE slug IS NOT NULL"
        )]
        newest: dict[str, str] = {}
        for slug in slugs:
            row = self._db.execute(
                "SELECT media FROM articles WHERE slug = ? ORDER BY date DESC, code LIMIT 1",
                (slug,),
            ).fetchone()
            if row is not None:
                newest[slug] = row[0]
        return newest

    def get(self, code: str) -> Article | None:
        row = self._db.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM articles WHERE code = ?", (code,)
        ).fetchone()
        return _article_from_row(row) if row else None


def _article_from_row(row: tuple[str, ...]) -> Article:
    record = dict(zip(_COLUMNS, row, strict=True))
    return Article(
        code=record["code"],
        share_url=record["share_url"],
        found_on=record["found_on"],
        title=record["title"],
        raw_date=record["date"],
        media=record["media"],
        body=record["body"],
        digest=record["digest"],
        date=datetime.fromisoformat(record["date"]),
        slug=record["slug"],
        tag=record["tag"],
        fetched_at=datetime.fromisoformat(record["fetched_at"]),
    )
