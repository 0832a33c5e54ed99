"""The archive's full-text search: Pagefind bundles built from the store, not from Jekyll's output.

Pagefind (its *extended* binary, which segments Chinese) turns HTML pages
into a static index that the browser fetches a chunk at a time.  Each post
becomes a small HTML page, in a scratch folder at the path of the post's URL
on the site (so Pagefind's result URL is the post's), carrying its title,
date and media as metadata, the media as a filter, the date as a sort key
and the visible text of its cleaned body.

Pagefind cannot update an index: it builds one whole, holding every page
in memory (about half a megabyte per post of 3,000 characters while it
writes; see ``benchmarks/README.md``).  So the archive's index is cut in
shards, one per month of post dates, a month of more than
:data:`SHARD_POSTS` posts in parts of that many in date order.  A shard's name
carries a digest of its posts' URLs and contents: an export rebuilds only
the shards whose digest changed (a scheduled run that adds today's posts
rebuilds the current month's last part), and memory is bounded by the size
of a shard.  The search page merges the shards (Pagefind's ``mergeIndex``),
listed newest first in ``pagefind/shards.json``.

A shard is built in ``.newscrawl/search-build/`` and renamed into
``pagefind/`` under its new name; ``shards.json`` is then replaced
atomically, and only then are the shards it no longer lists removed: a
reader sees the old index or the new one, never a half-written one.  Only
folders recorded in ``.newscrawl/search.json`` (written by newscrawl) are
ever removed.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath

from newscrawl.archive.atomic import write_atomic
from newscrawl.archive.store import Store, StoredSummary, state_dir
from newscrawl.pipelines.dates import BEIJING

SEARCH_DIR = "pagefind"
SHARDS_FILE = "shards.json"
STATE_FILE = "search.json"
BUILD_DIR = "search-build"
LANGUAGE = "zh"
#: Posts per shard at most: Pagefind's memory while it builds one (see the docstring).
SHARD_POSTS = 2_000
#: Bump when the pages given to Pagefind change: every shard is rebuilt.
PAGE_FORMAT = "2"


class SearchUnavailable(RuntimeError):
    """Search cannot be built here (the reason is the message)."""


@dataclass(frozen=True, slots=True)
class SearchPost:
    """What decides a post's place in the index: its URL, date, code and content."""

    url: str
    date: datetime
    code: str
    content_hash: str


@dataclass
class SearchResult:
    """What one update of the index did."""

    shards: int = 0
    rebuilt: list[str] = field(default_factory=list)
    removed: int = 0
    posts: int = 0
    elapsed: float = 0.0

    def summary(self) -> str:
        return f"search index: {len(self.rebuilt)} of {self.shards} parts rebuilt"


def pagefind_binary() -> Path:
    """The Pagefind binary of the ``pagefind[extended]`` package, or SearchUnavailable."""
    try:
        from pagefind.service import get_executable
    except ImportError as exc:
        raise SearchUnavailable(
            "the pagefind package is not installed (pip install 'newscrawl[search]')") from exc
    binary = get_executable()
    if binary is None:
        raise SearchUnavailable(
            "no Pagefind binary found (pip install 'newscrawl[search]')")
    return binary


def pagefind_version(binary: Path) -> str:
    """``pagefind 1.5.2``: part of every shard's digest (shards of two versions do not mix)."""
    result = subprocess.run([os.fspath(binary), "--version"], capture_output=True, text=True,
                            timeout=60, check=False)
    if result.returncode != 0:
        raise SearchUnavailable(f"{binary} --version failed: {result.stderr.strip()[:200]}")
    return result.stdout.strip()


def plan_shards(posts: Iterable[SearchPost], shard_posts: int) -> dict[str, list[SearchPost]]:
    """The shards of the index by name (``YYYY-MM-NNN``): a month's posts, in parts of at most
    ``shard_posts`` in order of date and code (a month's new posts change only its last part)."""
    by_month: dict[str, list[SearchPost]] = {}
    for post in posts:
        by_month.setdefault(f"{post.date:%Y-%m}", []).append(post)
    shards: dict[str, list[SearchPost]] = {}
    for month, members in by_month.items():
        members.sort(key=lambda post: (post.date, post.code))
        for part, start in enumerate(range(0, len(members), shard_posts)):
            shards[f"{month}-{part:03d}"] = members[start:start + shard_posts]
    return shards


def shard_folder(name: str, posts: list[SearchPost], version: str) -> str:
    """The folder of a shard: its name and a digest of what it indexes and how."""
    digest = hashlib.sha256(f"{version}\n{PAGE_FORMAT}\n".encode())
    for post in posts:
        digest.update(f"{post.url}\t{post.content_hash}\n".encode())
    return f"{name}-{digest.hexdigest()[:12]}"


#: Han characters (the CJK blocks that news text uses).
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN_EDGE = re.compile(f"(?<=[{_HAN}])|(?=[{_HAN}])")
_TAG = re.compile(r"(<[^>]*>)")
#: Zero-width space: splits words for Pagefind, invisible in the result's excerpt.
_SPLIT = "\u200b"


def split_han(text: str) -> str:
    """``text`` with each Han character a word of its own (see :func:`search_page`)."""
    return _HAN_EDGE.sub(_SPLIT, text)


def search_page(title: str, date: datetime, media: str, body_html: str) -> str:
    """The HTML page Pagefind indexes for one post.

    Title, date and media become the result's metadata (the search page shows
    them), the media a filter, the date the sort key; the words indexed are
    those of the title and the cleaned body.

    Each Han character is indexed as a word of its own, and the search page
    looks a query up as the exact sequence of its characters: a substring
    search.  Pagefind's own way, words cut by jieba at indexing and by the
    browser's ``Intl.Segmenter`` in the query, misses posts whenever the two
    cut differently: Chromium cuts 基站 into 基 and 站, which then must both
    start words of the post, and a post whose only 站 is inside 基站 is not
    found.
    """
    body = "".join(part if part.startswith("<") else split_han(part)
                   for part in _TAG.split(body_html))
    title_html = html.escape(title)
    return (
        '<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8">'
        f"<title>{title_html}</title></head><body><article data-pagefind-body>"
        f'<h1 data-pagefind-meta="title[data-title]" data-title="{title_html}" '
        f'data-pagefind-weight="5">{split_han(title_html)}</h1>'
        f'<p data-pagefind-ignore><span data-pagefind-meta="日期" '
        f'data-pagefind-sort="date[data-sort]" data-sort="{date:%Y-%m-%dT%H:%M:%S}">'
        f"{date:%Y-%m-%d %H:%M}</span> "
        f'<span data-pagefind-meta="媒体" data-pagefind-filter="媒体">{html.escape(media)}'
        f"</span></p>{body}</article></body></html>"
    )


def build_shard(binary: Path, pages: Iterable[tuple[str, str]], target: Path,
                scratch: Path) -> None:
    """Index ``(url, page html)`` pairs into the Pagefind bundle ``target`` (must not exist).

    The pages are written under ``scratch`` at their URL's path, Pagefind
    writes the bundle beside them, and the bundle is renamed to ``target``
    (same filesystem: the archive's) only once complete.
    """
    site, bundle = scratch / "site", scratch / "bundle"
    for url, page in pages:
        path = site / PurePosixPath(url).relative_to("/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page, encoding="utf-8")
    result = subprocess.run(
        [os.fspath(binary), "--site", os.fspath(site), "--output-path", os.fspath(bundle),
         "--force-language", LANGUAGE, "--silent"],
        capture_output=True, text=True, check=False,
    )
    if result.returncode != 0 or not (bundle / "pagefind-entry.json").is_file():
        message = " ".join((result.stderr or result.stdout).split())[:300]
        raise RuntimeError(f"pagefind failed on {target.name} (exit {result.returncode}): "
                           f"{message}")
    os.rename(bundle, target)


def _read_state(path: Path) -> list[str]:
    """The folders newscrawl put in ``pagefind/`` (and has not removed): the only ones it may."""
    try:
        folders = json.loads(path.read_text(encoding="utf-8")).get("folders", [])
    except (OSError, ValueError, AttributeError):
        return []
    return [f for f in folders if isinstance(f, str) and f and "/" not in f and f[0] != "."]


def _write_json(path: Path, value: object) -> None:
    write_atomic(path, json.dumps(value, ensure_ascii=False, indent=1).encode("utf-8") + b"\n")


def update_search_index(
    out_dir: Path,
    state_folder: Path,
    posts: Iterable[SearchPost],
    page_of: Callable[[SearchPost], str],
    shard_posts: int,
) -> SearchResult:
    """Bring ``out_dir/pagefind/`` up to date with ``posts``, rebuilding only changed shards.

    ``page_of`` gives the page Pagefind indexes for a post (:func:`search_page`);
    it is called only for the posts of shards that are rebuilt.  Raises
    SearchUnavailable when Pagefind is not installed, RuntimeError when it fails.
    """
    started = time.monotonic()
    binary = pagefind_binary()
    version = pagefind_version(binary)
    result = SearchResult()
    shards = plan_shards(posts, shard_posts)
    wanted = {name: shard_folder(name, members, version) for name, members in shards.items()}
    result.shards, result.posts = len(wanted), sum(len(m) for m in shards.values())
    index_dir = out_dir / SEARCH_DIR
    state_path = state_folder / STATE_FILE
    ours = _read_state(state_path)
    scratch_root = state_folder / BUILD_DIR
    shutil.rmtree(scratch_root, ignore_errors=True)
    index_dir.mkdir(parents=True, exist_ok=True)
    for name, folder in sorted(wanted.items(), reverse=True):
        if folder in ours and (index_dir / folder / "pagefind-entry.json").is_file():
            continue
        # Recorded before it exists: a crash leaves a folder newscrawl may remove later.
        ours = [*ours, folder] if folder not in ours else ours
        _write_json(state_path, {"folders": ours})
        shutil.rmtree(index_dir / folder, ignore_errors=True)
        scratch_root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=scratch_root) as scratch:
            build_shard(binary, ((post.url, page_of(post)) for post in shards[name]),
                        index_dir / folder, Path(scratch))
        result.rebuilt.append(name)
    listed = [f"{wanted[name]}/" for name in sorted(wanted, reverse=True)]
    shards_path = index_dir / SHARDS_FILE
    try:
        current = json.loads(shards_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        current = None
    if current != {"bundles": listed}:
        _write_json(shards_path, {"bundles": listed})
    keep = set(wanted.values())
    for folder in ours:
        if folder not in keep:
            shutil.rmtree(index_dir / folder, ignore_errors=True)
            result.removed += 1
    _write_json(state_path, {"folders": sorted(keep)})
    shutil.rmtree(scratch_root, ignore_errors=True)
    result.elapsed = time.monotonic() - started
    return result


def index_store(store: Store, out_dir: Path, url_of: Callable[[StoredSummary], str],
                shard_posts: int = SHARD_POSTS) -> SearchResult:
    """The archive's index from ``store``: every stored article at the URL ``url_of`` gives."""
    posts = []
    for summary in store.summaries():
        try:
            url, date = url_of(summary), summary.date.astimezone(BEIJING)
        except (ValueError, OverflowError):
            continue  # a date no post can have: the export skips it too, and says so
        posts.append(SearchPost(url, date, summary.code, summary.content_hash))

    def page_of(post: SearchPost) -> str:
        article = store.get(post.code)
        if article is None:
            raise LookupError(f"article {post.code} vanished from the store during the export")
        return search_page(article.title, post.date, article.media, article.body)

    return update_search_index(out_dir, state_dir(out_dir), posts, page_of, shard_posts)
