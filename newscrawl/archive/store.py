"""The archive's store: every accepted article, in SQLite inside the archive directory.

The store, not the ``_posts/`` files, is the source of truth: the exporters
write posts from it, and a crawl asks it which articles are already known.

One row per article (``articles``), and one per channel it came through
(``channels``: ``media``, ``emnews``), each of which gives it a post: an
article found both in the rolling-news list and on a media's pages is stored
once and has two posts.  A channel row names its post (``name``: the
article's code for its media post, the rolling-news entry's id for its
rolling-news post) and keeps what the entry said (``digest``, ``url_w``).
A channel row may wait for its article (seen in a list, the article not
fetched yet or rejected): it gives no post until the article is stored.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from newscrawl.items import EMNEWS, MEDIA, Article, Channel, channel_from_value

STATE_DIR = ".newscrawl"
STORE_FILE = "store.sqlite"
#: ``PRAGMA user_version`` of the store: 1 added ``channels``.
FORMAT = 1

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
CREATE TABLE IF NOT EXISTS channels (
    code TEXT NOT NULL,
    channel TEXT NOT NULL,
    name TEXT NOT NULL,
    digest TEXT NOT NULL DEFAULT '',
    url_w TEXT NOT NULL DEFAULT '',
    was_in_old_post INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (code, channel)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS channels_name ON channels (name, channel);
"""

#: Format 0 -> 1: every article of an older store came through a media list.
_MIGRATE_0_TO_1 = (
    "INSERT OR IGNORE INTO channels (code, channel, name) "
    f"SELECT code, '{MEDIA}', code FROM articles"
)

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


@dataclass(frozen=True, slots=True)
class PostSummary:
    """One post of the archive without the article's body: an article through one channel.

    ``name`` is the post's file name part (``_posts/<date>-<name>.md``);
    ``channel_hash`` covers what the channel adds to the post.
    """

    name: str
    channel: str
    code: str
    date: datetime
    media: str
    slug: str
    tag: str
    content_hash: str
    channel_hash: str
    was_in_old_post: bool


@dataclass(frozen=True, slots=True)
class ListedPost:
    """What a list of posts shows of one: its title and date, and what makes its URL."""

    name: str
    channel: str
    code: str
    date: datetime
    title: str
    slug: str


def _channel_hash(digest: str, url_w: str) -> str:
    return hashlib.sha256(f"{digest}\n{url_w}".encode()).hexdigest()[:16]


_POST_COLUMNS = (
    "c.name, c.channel, c.code, a.date, a.media, a.slug, a.tag, a.content_hash, c.digest, c.url_w,"
    " c.was_in_old_post"
)


def _post_summary(row: tuple[str, ...]) -> PostSummary:
    name, channel, code, date, media, slug, tag, digest, quote, url_w, old = row
    return PostSummary(name, channel, code, datetime.fromisoformat(date), media, slug, tag,
                       digest, _channel_hash(quote, url_w), bool(old))


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
        self._migrate()

    def _migrate(self) -> None:
        """Create the tables, or bring an older store's up to :data:`FORMAT`, in one transaction."""
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version == FORMAT:
            return
        if version > FORMAT:
            raise sqlite3.DatabaseError(
                f"{self.path}: store format {version} is newer than this newscrawl's ({FORMAT})")
        self._db.execute("BEGIN IMMEDIATE")
        try:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    self._db.execute(statement)
            self._db.execute(_MIGRATE_0_TO_1)
            self._db.execute(f"PRAGMA user_version = {FORMAT}")
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

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
        """Store ``article`` and the channels it came through (none given: a media list).

        An unchanged article is not rewritten; one that is unchanged but came
        through a new channel counts as changed (it gets a new post).
        """
        digest = content_hash(article)
        channels = [channel_from_value(value) for value in article.channels] or [Channel(MEDIA)]
        row = self._db.execute(
            "SELECT content_hash FROM articles WHERE code = ?", (article.code,)
        ).fetchone()
        if row is not None and row[0] == digest:
            added = [self.add_channel(article.code, channel) for channel in channels]
            return Upsert("changed" if any(added) else "unchanged", digest)
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
        for channel in channels:
            self.add_channel(article.code, channel)
        return Upsert("new" if row is None else "changed", digest)

    def add_channel(self, code: str, channel: Channel) -> bool:
        """Record that article ``code`` came through ``channel``; True when that is news.

        The post's name stays the first one given (its URL is published);
        a rolling-news entry's digest and link are kept up to date.
        """
        if channel.kind not in (MEDIA, EMNEWS):
            raise ValueError(f"unknown channel {channel.kind!r}")
        name = channel.post_name(code)
        row = self._db.execute(
            "SELECT digest, url_w, was_in_old_post FROM channels WHERE code = ? AND channel = ?",
            (code, channel.kind),
        ).fetchone()
        if row is None:
            self._db.execute(
                "INSERT INTO channels (code, channel, name, digest, url_w, was_in_old_post)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (code, channel.kind, name, channel.digest, channel.url_w,
                 int(channel.was_in_old_post)),
            )
            return True
        values = (channel.digest or row[0], channel.url_w or row[1],
                  int(channel.was_in_old_post or row[2]))
        if values == tuple(row):
            return False
        self._db.execute(
            "UPDATE channels SET digest = ?, url_w = ?, was_in_old_post = ?"
            " WHERE code = ? AND channel = ?",
            (*values, code, channel.kind),
        )
        return True

    def channels(self, code: str) -> dict[str, Channel]:
        """The channels article ``code`` came through, by kind."""
        return {kind: Channel(kind, name if kind == EMNEWS else "", digest, url_w, bool(old))
                for kind, name, digest, url_w, old in self._db.execute(
                    "SELECT channel, name, digest, url_w, was_in_old_post FROM channels"
                    " WHERE code = ?", (code,))}

    def channel_keys(self) -> set[tuple[str, str]]:
        """``(code, channel)`` of every channel on record, for a crawl's "seen that way" test."""
        return {(code, kind) for code, kind in self._db.execute(
            "SELECT code, channel FROM channels")}

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
            article = _article_from_row(row)
            article.channels = list(self.channels(article.code).values())
            yield article

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

    def post_count(self) -> int:
        """How many post names the stored articles have (an article's media post and its
        rolling-news post have two, or one when the entry's id is the code)."""
        return int(self._db.execute(
            "SELECT COUNT(DISTINCT c.name) FROM channels c JOIN articles a ON a.code = c.code"
        ).fetchone()[0])

    def posts_after(self, name: str | None, limit: int) -> list[PostSummary]:
        """About ``limit`` posts in order of name, those after ``name`` (None: the first).

        The posts of an article's channels whose article is stored.  A page
        never splits the posts of one name (an article's media post and its
        rolling-news post may share it), so it may hold a few more than ``limit``.
        """
        where, args = ("WHERE c.name > ? ", (name, limit)) if name is not None else ("", (limit,))
        rows = self._db.execute(
            f"SELECT {_POST_COLUMNS} FROM channels c JOIN articles a ON a.code = c.code "
            f"{where}ORDER BY c.name, c.channel LIMIT ?", args,
        ).fetchall()
        if len(rows) == limit:
            last_name, last_channel = rows[-1][0], rows[-1][1]
            rows += self._db.execute(
                f"SELECT {_POST_COLUMNS} FROM channels c JOIN articles a ON a.code = c.code "
                "WHERE c.name = ? AND c.channel > ? ORDER BY c.channel",
                (last_name, last_channel),
            ).fetchall()
        return [_post_summary(row) for row in rows]

    def newest_posts(self, channel: str, slug: str | None = None,
                     limit: int | None = None) -> Iterator[ListedPost]:
        """The posts of ``channel`` (of category ``slug``), newest first (date, then name)."""
        where = "c.channel = ?" + (" AND a.slug = ?" if slug is not None else "")
        args: tuple[object, ...] = (channel,) if slug is None else (channel, slug)
        limit_clause = ""
        if limit is not None:
            limit_clause, args = " LIMIT ?", (*args, limit)
        cursor = self._db.execute(
            "SELECT c.name, c.channel, c.code, a.date, a.title, a.slug FROM articles a"
            f" JOIN channels c ON c.code = a.code WHERE {where}"
            f" ORDER BY a.date DESC, c.name DESC{limit_clause}", args,
        )
        for name, kind, code, date, title, article_slug in cursor:
            yield ListedPost(name, kind, code, datetime.fromisoformat(date), title, article_slug)

    def newest_media(self) -> dict[str, str]:
        """Each category slug with media posts and the media of its newest one (by date, then code).

        From the ``(slug, date)`` index: a skip-scan of the distinct slugs and
        one index probe each, instead of reading every row.  A slug whose
        articles all came only through the rolling-news list has no media
        post, so no category page.
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
                "SELECT a.media FROM articles a WHERE a.slug = ? AND EXISTS (SELECT 1 FROM"
                f" channels c WHERE c.code = a.code AND c.channel = '{MEDIA}')"
                " ORDER BY a.date DESC, a.code LIMIT 1",
                (slug,),
            ).fetchone()
            if row is not None:
                newest[slug] = row[0]
        return newest

    def get(self, code: str) -> Article | None:
        row = self._db.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM articles WHERE code = ?", (code,)
        ).fetchone()
        if row is None:
            return None
        article = _article_from_row(row)
        article.channels = list(self.channels(code).values())
        return article


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
