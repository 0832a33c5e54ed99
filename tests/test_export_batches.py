"""The export a page of articles and a batch of files at a time, and its SQLite manifest.

An export plans :data:`~newscrawl.archive.export.PAGE_SIZE` articles at
a time and writes at most ``FLUSH_FILES`` files at once, so that its memory
does not grow with the archive.  Pages and batches of a few files here put
every boundary in the middle of the cases: foreign files, other copies of a
post, stale records of deleted articles before, between and after the pages,
and runs killed (SIGKILL) between and inside batches.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import ROOT, clean_env
from test_site_export import BEIJING, article, export, mtimes, snapshot, store_articles

from newscrawl.archive import export as export_module
from newscrawl.archive.atomic import AtomicBatch
from newscrawl.archive.export import ExportResult, StoreRefused
from newscrawl.archive.lock import remove_leftover_temp_files
from newscrawl.archive.manifest import FileRecord, Manifest, _read_legacy
from newscrawl.archive.store import STORE_FILE, Store, state_dir
from newscrawl.formats.jekyll import JekyllFormat
from newscrawl.formats.jekyll.post import render_post
from newscrawl.items import Article
from newscrawl.settings import NEWSCRAWL_SITE_URL as SITE_URL

#: The site's files besides posts and category pages: _config.yml and the fixed ones.

DAY = date(2022, 1, 20)
post_code = JekyllFormat().code_of_post
SLUGS = (("zhengquanshibao", "证券时报"), ("zhongguojijinbao", "中国基金报"),
         ("diyicaijing", "第一财经"))


def code(index: int) -> str:
    return f"NW2022010{index:02d}000000000"


def numbered(index: int, title: str = "", day: date | None = None) -> Article:
    slug, media = SLUGS[index % len(SLUGS)]
    return article(code(index), day or DAY - timedelta(days=index), slug, media, title=title)


def post(index: int, folder: str = "_posts", day: date | None = None) -> str:
    return f"{folder}/{day or DAY - timedelta(days=index)}-{code(index)}.md"


def small(monkeypatch: pytest.MonkeyPatch, page: int = 2, files: int = 1) -> None:
    monkeypatch.setattr(export_module, "PAGE_SIZE", page)
    monkeypatch.setattr(export_module, "FLUSH_FILES", files)


def delete_articles(out: Path, *indexes: int) -> None:
    db = sqlite3.connect(state_dir(out) / STORE_FILE)
    try:
        db.executemany("DELETE FROM articles WHERE code = ?", [(code(i),) for i in indexes])
        db.commit()
    finally:
        db.close()


def counts(result: ExportResult) -> tuple[int, int, int, int, int, int]:
    return (result.written, result.unchanged, result.removed, len(result.skipped),
            result.posts, result.old_posts)


def boundaries_scenario(out: Path) -> list[tuple[tuple[int, ...], list[str]]]:
    """Three exports across page boundaries; each one's counts and warning lines."""
    # Foreign files in place before the first export: a hand-made post where
    # article 4's goes, a hand-made copy of article 5 under another date,
    # and an exact copy of article 6 (an older writer's) under another date.
    for rel, data in ((post(4), b"mine\n"),
                      (post(5, "old_post", date(2021, 1, 1)), b"my copy\n")):
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(data)
    copy = out / post(6, "old_post", date(2021, 1, 2))
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_bytes(render_post(numbered(6), SITE_URL))
    store_articles(out, *(numbered(i) for i in range(11)))
    results = [export(out, today=DAY)]
    # Articles deleted at the first code, inside the pages and at the last code:
    # their posts go, wherever their code falls.
    delete_articles(out, 0, 3, 10)
    # Article 7 changes, article 8 moves to another day.
    store_articles(out, numbered(7, title="改"), numbered(8, day=DAY - timedelta(days=30)))
    results.append(export(out, today=DAY))
    # A retention window: the older posts move to old_post/.
    results.append(export(out, today=DAY, keep_days=5))
    return [(counts(result), sorted(result.warning_lines())) for result in results]


def test_pages_and_batches_change_nothing_but_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = boundaries_scenario(tmp_path / "whole")
    small(monkeypatch)
    paged = boundaries_scenario(tmp_path / "paged")
    assert paged == whole
    assert snapshot(tmp_path / "paged") == snapshot(tmp_path / "whole")
    # What the scenario was meant to show, at every page boundary:
    first, second, third = whole
    # 9 posts, 3 category pages, 12 site files (7 fixed files, the build-time
    # plugin, the search page and its script, the home page and the two
    # rolling-news pages); article 6's copy: claimed, removed.
    assert first[0] == (9 + 3 + 12, 0, 1, 2, 11, 0)
    assert first[1] == sorted([
        f"skipped {post(4)}: exists and was not written by newscrawl",
        f"skipped {post(5)}: {post(5, 'old_post', date(2021, 1, 1))} (foreign) holds this "
        "post; not written beside it",
    ])
    # Written: 7 (changed), 8 (moved) and the home page that lists them;
    # unchanged: 1, 2, 6, 9, the three category pages (each keeps an article)
    # and the 11 other site files; removed: the posts of 0, 3 and 10 (the
    # first code, the middle, the last) and 8's old one; 4 and 5 skipped again.
    assert second[0][:4] == (3, 4 + 3 + 11, 4, 2)
    for index in (0, 3, 10):
        assert not (tmp_path / "paged" / post(index)).exists()
    # Older than 5 days: 6, 7, 8 and 9 (4 and 5 count, though skipped).
    assert third[0][4:] == (4, 4)
    assert (tmp_path / "paged" / post(6, "old_post")).exists()
    # Where Jekyll served a post moved to old_post/ without a permalink: a redirect page.
    assert (tmp_path / "paged" / post(6, "old_post").replace(".md", ".html")).exists()
    assert export(tmp_path / "paged", today=DAY, keep_days=5).written == 0


def test_each_new_post_is_rendered_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store_articles(tmp_path, *(numbered(i) for i in range(7)))
    rendered: list[str] = []

    def counting_render(fmt: JekyllFormat, item: Article, site_url: str, *args: object) -> bytes:
        rendered.append(item.code)
        return render_post(item, site_url, *args)  # type: ignore[arg-type]

    batches: list[int] = []
    real_flush = export_module._Export.flush

    def watching_flush(self: export_module._Export) -> None:
        batches.append(len(self.writes))
        real_flush(self)

    monkeypatch.setattr(JekyllFormat, "render_post", counting_render)
    monkeypatch.setattr(export_module._Export, "flush", watching_flush)
    small(monkeypatch, page=3, files=2)
    result = export(tmp_path, today=DAY)
    assert sorted(rendered) == [code(i) for i in range(7)]
    assert result.written == 7 + 3 + 12 and result.posts == 7
    # Never more than FLUSH_FILES files held at once.
    assert max(batches) <= 2 and sum(batches) == result.written


# -- killed exports ------------------------------------------------------

KILLED_EXPORT = textwrap.dedent("""
    import os, pathlib, signal, sys
    from datetime import date
    from newscrawl.archive import export as export_module
    from newscrawl.archive.manifest import Manifest
    from newscrawl.archive.store import Store
    from newscrawl.settings import NEWSCRAWL_SITE_URL as SITE_URL

    out, where, nth = pathlib.Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    export_module.PAGE_SIZE, export_module.FLUSH_FILES = 3, 2
    calls = 0

    def wrap(owner, name, before):
        real = getattr(owner, name)
        def wrapper(*args, **kwargs):
            global calls
            if before:
                calls += 1
                if calls == nth:
                    os.kill(os.getpid(), signal.SIGKILL)
            result = real(*args, **kwargs)
            if not before:
                calls += 1
                if calls == nth:
                    os.kill(os.getpid(), signal.SIGKILL)
            return result
        setattr(owner, name, wrapper)

    {"commit": lambda: wrap(Manifest, "commit", False),
     "rename": lambda: wrap(os, "replace", True),
     "flush": lambda: wrap(export_module._Export, "flush", False),
     "unlink": lambda: wrap(pathlib.Path, "unlink", True)}[where]()
    with Store.open(out) as store:
        export_module.export_archive(store, out, SITE_URL, keep_days=5, today=date(2022, 1, 20),
                                     search=False)
    sys.exit(3)
""")


def killed_scenario(out: Path) -> None:
    """An archive, then changes that make the next export write, move and remove posts."""
    store_articles(out, *(numbered(i) for i in range(9)))
    export(out, today=DAY)
    delete_articles(out, 2)
    store_articles(out, numbered(1, title="改"), numbered(4, title="改"), numbered(9),
                   numbered(10), numbered(11))


@pytest.mark.parametrize("where, nth", [
    ("commit", 1),   # the first batch on record, nothing written yet
    ("commit", 3),   # a later batch on record
    ("rename", 1),   # a batch of temporary files on disk, none renamed
    ("rename", 4),   # inside a later batch: some renamed, some not
    ("flush", 2),    # between batches
    ("unlink", 1),   # removing moved and stale posts
])
def test_an_export_killed_anywhere_then_a_normal_one_give_the_same_archive(
    tmp_path: Path, where: str, nth: int
) -> None:
    whole, killed = tmp_path / "whole", tmp_path / "killed"
    for out in (whole, killed):
        killed_scenario(out)
    export(whole, today=DAY, keep_days=5)
    process = subprocess.run(
        [sys.executable, "-c", KILLED_EXPORT, str(killed), where, str(nth)],
        env=clean_env(), cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert process.returncode == -signal.SIGKILL, process.stderr
    assert snapshot(killed) != snapshot(whole)  # killed half-way indeed
    # As every newscrawl command does first, under the archive's lock.
    remove_leftover_temp_files(killed)
    result = export(killed, today=DAY, keep_days=5)
    assert result.skipped == [] and result.warnings == []
    assert snapshot(killed) == snapshot(whole)
    # The manifest knows every file again: the next export is the fast one.
    times = mtimes(killed)
    again = export(killed, today=DAY, keep_days=5)
    assert (again.written, again.removed, again.skipped) == (0, 0, [])
    assert mtimes(killed) == times


# -- the manifest --------------------------------------------------------


def test_the_manifest_keeps_its_records_by_code(tmp_path: Path) -> None:
    records = {
        "_posts/2022-01-01-A1.md": FileRecord("a" * 64, 10, 123, "k:h"),
        "old_post/2021-01-01-A1.md": FileRecord("b" * 64, 11, None, "", "c" * 64),
        "_posts/-B2.md": FileRecord("d" * 64, 12, 2**62),
        "_posts/2022-01-01-C3.md": FileRecord("e" * 64, 13, 456),
        "category/x.html": FileRecord("f" * 64, 14, 789),
        "_posts/notes.txt": FileRecord("0" * 64, 15, 1),
    }
    with Manifest.open(tmp_path, post_code) as manifest:
        for rel, record in records.items():
            manifest.set(rel, record)
        manifest.set_options(site_url="//x", keep_days=3)
    assert not list(tmp_path.rglob("*.tmp"))
    with Manifest.open(tmp_path, post_code) as manifest:
        assert manifest.options == {"site_url": "//x", "keep_days": 3}
        assert len(manifest) == len(records)
        assert manifest.get("_posts/-B2.md") == records["_posts/-B2.md"]
        assert manifest.get("nothing") is None
        assert manifest.posts_between(None, None) == {
            rel: record for rel, record in records.items() if post_code(rel)}
        assert set(manifest.posts_between(None, "A1")) == {
            "_posts/2022-01-01-A1.md", "old_post/2021-01-01-A1.md"}
        assert set(manifest.posts_between("A1", "B2")) == {"_posts/-B2.md"}
        assert set(manifest.posts_between("B2", None)) == {"_posts/2022-01-01-C3.md"}
        assert set(manifest.others()) == {"category/x.html", "_posts/notes.txt"}
        manifest.drop("category/x.html")
    assert Manifest.read_options(tmp_path) == {"site_url": "//x", "keep_days": 3}
    with Manifest.open(tmp_path, post_code) as manifest:
        assert manifest.get("category/x.html") is None


def test_reading_the_options_creates_nothing(tmp_path: Path) -> None:
    assert Manifest.read_options(tmp_path) == {}
    assert not state_dir(tmp_path).exists()


def test_a_legacy_manifest_is_read_one_record_at_a_time() -> None:
    text = ('{"format":1,"options":{"keep_days":2},"files":{'
            '"_posts/2022-01-01-A1.md":{"sha256":"aa","size":1,"mtime_ns":5,"source":"k"},'
            '"index.html":{"sha256":"bb","size":2,"mtime_ns":null,"previous":"cc"}}}\n')
    seen: list[tuple[str, FileRecord]] = []
    assert _read_legacy(text, lambda rel, record: seen.append((rel, record))) == {
        "keep_days": 2}
    assert seen == [("_posts/2022-01-01-A1.md", FileRecord("aa", 1, 5, "k")),
                    ("index.html", FileRecord("bb", 2, None, "", "cc"))]
    assert _read_legacy(text, None) == {"keep_days": 2}
    # Keys in another order, whitespace, no files.
    assert _read_legacy(' { "files" : { } , "format" : 1 } ', seen.append) == {}
    for bad in ('{"format":2,"files":{}}', '{"format":1}', '{"format":1,"files":{}} x',
                '{"format":1,"files":{"a":{"size":1}}}', '[1]', '{"format":1,"files":{"a"}}'):
        with pytest.raises((ValueError, KeyError)):
            _read_legacy(bad, lambda rel, record: None)


def test_an_empty_store_removes_what_newscrawl_wrote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every record is in the last, open-ended page when the store has no articles.
    store_articles(tmp_path, *(numbered(i) for i in range(5)))
    export(tmp_path, today=DAY)
    delete_articles(tmp_path, *range(5))
    small(monkeypatch)
    with pytest.raises(StoreRefused):  # unless the articles were removed on purpose
        export(tmp_path, today=DAY)
    result = export(tmp_path, today=DAY, min_store_share=0)
    # Written: the home page, which listed them.
    assert (result.written, result.removed, result.posts) == (1, 5 + 3, 0)
    assert not list((tmp_path / "_posts").iterdir())
    with Store.open(tmp_path) as store:
        assert store.newest_media() == {}


def test_newest_media_is_that_of_the_newest_article(tmp_path: Path) -> None:
    store_articles(
        tmp_path,
        article("NW1", date(2022, 1, 3), "a", "A old"),
        article("NW3", date(2022, 1, 5), "a", "A tie, later code"),
        article("NW2", date(2022, 1, 5), "a", "A tie, first code"),
        article("NW4", date(2022, 1, 1), "b", "B"),
    )
    with Store.open(tmp_path) as store:
        assert store.newest_media() == {"a": "A tie, first code", "b": "B"}
        expected: dict[str, str] = {}
        for summary in store.summaries():
            expected.setdefault(summary.slug, summary.media)
        assert store.newest_media() == expected
        assert [s.code for s in store.summaries_after(None, 2)] == ["NW1", "NW2"]
        assert [s.code for s in store.summaries_after("NW2", 5)] == ["NW3", "NW4"]
        assert store.summaries_after("NW4", 5) == []
    assert BEIJING  # the articles' zone


# -- writing a batch of files --------------------------------------------


def test_an_atomic_batch_renames_every_file_after_one_sync(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_bytes(b"old")
    with AtomicBatch() as batch:
        batch.add(tmp_path / "a.md", b"new a")
        batch.add(tmp_path / "sub" / "b.md", b"new b")
        # Nothing visible before the commit.
        assert (tmp_path / "a.md").read_bytes() == b"old"
        assert not (tmp_path / "sub" / "b.md").exists()
        assert batch.commit() == [tmp_path / "a.md", tmp_path / "sub" / "b.md"]
    assert (tmp_path / "a.md").read_bytes() == b"new a"
    assert (tmp_path / "sub" / "b.md").read_bytes() == b"new b"
    assert oct((tmp_path / "a.md").stat().st_mode & 0o777) == oct(0o644)
    assert not list(tmp_path.rglob("*.tmp"))


def test_an_interrupted_atomic_batch_leaves_no_temporary_file(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_bytes(b"old")
    with pytest.raises(KeyboardInterrupt), AtomicBatch() as batch:
        batch.add(tmp_path / "a.md", b"new")
        raise KeyboardInterrupt
    assert (tmp_path / "a.md").read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["a.md"]
