"""``export_archive`` and ``newscrawl export``: the archive from the store, and nothing else.

Articles are built here directly (no crawl): each test stores a few, exports,
and looks at the files.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import GOLDEN_CODE, GOLDEN_POST, GOLDEN_SHARE_URL, run_cli

from newscrawl.archive import Archive
from newscrawl.archive.export import ExportResult, export_archive
from newscrawl.archive.manifest import FileRecord, Manifest
from newscrawl.archive.store import Store, state_dir
from newscrawl.formats.jekyll import JekyllFormat
from newscrawl.items import Article
from newscrawl.settings import NEWSCRAWL_SITE_URL as SITE_URL

BEIJING = timezone(timedelta(hours=8))
GOLDEN_FILE = f"_posts/2021-12-28-{GOLDEN_CODE}.md"


def golden_article() -> Article:
    """The golden post's article, as the pipelines leave it."""
    text = GOLDEN_POST.read_text(encoding="utf-8")
    front, body = text.split("\n---\n", 1)
    meta = yaml.safe_load(front.removeprefix("---\n"))
    return Article(
        code=GOLDEN_CODE, share_url=GOLDEN_SHARE_URL, title=meta["title"], media="人民邮电报",
        body=body.split("\n\n", 1)[0], date=datetime(2021, 12, 28, 19, 34, 54, tzinfo=BEIJING),
        slug="renminyoudianbao", tag="人民邮电报新闻",
    )


def article(code: str, day: date, slug: str = "zhengquanshibao", media: str = "证券时报",
            title: str = "", body: str = "") -> Article:
    return Article(
        code=code, share_url=f"http://finews.zning.xyz/html_News/NewsShare.html?infoCode={code}",
        title=title or f"标题 {code}", media=media,
        body=body or f"<p>{code} 的正文。</p><p class=\"em_media\">（文章来源：{media}）</p>",
        date=datetime(day.year, day.month, day.day, 9, 30, tzinfo=BEIJING),
        slug=slug, tag=f"{media}新闻",
    )


def store_articles(out: Path, *articles: Article) -> None:
    with Store.open(out) as store:
        for item in articles:
            store.upsert(item)


def export(out: Path, **kwargs: Any) -> ExportResult:
    """An export of the site's files (the search index has tests of its own)."""
    with Store.open(out) as store:
        kwargs.setdefault("site_url", SITE_URL)
        return export_archive(store, out, search=False, **kwargs)


def snapshot(out: Path) -> dict[str, bytes]:
    """Every file of the archive but newscrawl's own state."""
    return {
        path.relative_to(out).as_posix(): path.read_bytes()
        for path in sorted(out.rglob("*"))
        if path.is_file() and ".newscrawl" not in path.relative_to(out).parts
    }


def mtimes(out: Path) -> dict[str, int]:
    return {rel: (out / rel).stat().st_mtime_ns for rel in snapshot(out)}


def written_since(out: Path, times: dict[str, int]) -> list[str]:
    """The files written since ``times`` were taken (after :func:`age_files`), sorted."""
    after = mtimes(out)
    return sorted(rel for rel in after if after[rel] != times.get(rel))


def age_files(out: Path, seconds: float = 3600) -> None:
    old = time.time() - seconds
    for rel in snapshot(out):
        os.utime(out / rel, (old, old))


def front_matter(data: bytes) -> dict[str, object]:
    return yaml.safe_load(data.decode("utf-8").split("---\n")[1])


DAY = date(2022, 1, 20)
ARTICLES = (
    golden_article(),
    article("NW202201102229143376", date(2022, 1, 10)),
    article("NW202201192229451160", date(2022, 1, 19), "anxinguojizhengquan-xianggang",
            "安信国际证券(香港)"),
)


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """An exported archive of three articles in three categories."""
    store_articles(tmp_path, *ARTICLES)
    result = export(tmp_path, today=DAY)
    assert not result.skipped and not result.warnings
    return tmp_path


def test_posts_are_golden_and_the_site_is_complete(archive: Path) -> None:
    assert (archive / GOLDEN_FILE).read_bytes() == GOLDEN_POST.read_bytes()
    files = snapshot(archive)
    for rel in ("_config.yml", "index.html", "feed.xml", "_layouts/default.html",
                "_layouts/post.html", "_layouts/category.html", "assets/css/archive.css",
                "_plugins/newscrawl_build_time.rb",
                "_posts/2022-01-10-NW202201102229143376.md",
                "_posts/2022-01-19-NW202201192229451160.md"):
        assert rel in files, rel
    config = yaml.safe_load(files["_config.yml"])
    assert config["timezone"] == "Asia/Shanghai"
    assert config["url"] == "//finews.withounder.com" and config["baseurl"] == ""
    assert ".newscrawl" in config["exclude"]
    # Jekyll's default permalink, the live archive's: /<category>/YYYY/MM/DD/<name>.html.
    assert "permalink" not in config
    assert config["excerpt_separator"] == ""  # no excerpts: no copy of every body in memory
    assert sorted(rel for rel in files if rel.startswith("category/")) == [
        "category/anxinguojizhengquan-xianggang.html",
        "category/renminyoudianbao.html",
        "category/zhengquanshibao.html",
    ]
    assert "site.categories[page.category]" in files["_layouts/category.html"].decode()
    assert "(GMT+8, Asia/Shanghai, CST)" in files["_layouts/post.html"].decode()


def test_category_pages_carry_their_own_media(tmp_path: Path) -> None:
    # Newest first: the category's title is its newest article's media.
    store_articles(
        tmp_path,
        golden_article(),
        article("NW202201042228960048", date(2022, 1, 4), "zhongguogangtiexiehui", "中国钢铁协会"),
        article("NW202112312228932019", date(2021, 12, 31), "zhongguogangtiexiehui", "钢铁协会"),
        article("NW202112312228932020", date(2021, 12, 31), "a-b", 'A "B"\n  C'),
    )
    export(tmp_path)
    pages = {
        path.name: front_matter(path.read_bytes())
        for path in (tmp_path / "category").iterdir()
    }
    assert pages == {
        "renminyoudianbao.html": {"layout": "category", "title": "人民邮电报新闻",
                                  "category": "renminyoudianbao"},
        "zhongguogangtiexiehui.html": {"layout": "category", "title": "中国钢铁协会新闻",
                                       "category": "zhongguogangtiexiehui"},
        "a-b.html": {"layout": "category", "title": 'A "B" C新闻', "category": "a-b"},
    }


def test_deleted_files_come_back_identical(archive: Path) -> None:
    before = snapshot(archive)
    for rel in before:
        if rel.startswith(("_posts/", "category/")) or rel == "index.html":
            (archive / rel).unlink()
    result = export(archive, today=DAY)
    assert snapshot(archive) == before
    assert result.written == 3 + 3 + 1  # posts, category pages, home page
    assert not result.skipped and not result.removed


def test_an_unchanged_archive_is_neither_rendered_nor_written(
    archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before, times = snapshot(archive), mtimes(archive)

    def no_render(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("an unchanged post was rendered again")

    monkeypatch.setattr(JekyllFormat, "render_post", no_render)
    manifest = Manifest.path_for(archive)
    manifest_mtime = manifest.stat().st_mtime_ns
    result = export(archive, today=DAY)
    assert result.written == 0 and result.removed == 0 and result.skipped == []
    assert result.unchanged == len(before)
    assert mtimes(archive) == times
    assert manifest.stat().st_mtime_ns == manifest_mtime


def test_touched_files_keep_their_mtime(archive: Path) -> None:
    # A checkout or a copy changes mtimes but not contents: nothing is rewritten.
    age_files(archive)
    times = mtimes(archive)
    result = export(archive, today=DAY)
    assert result.written == 0 and not result.skipped
    assert mtimes(archive) == times
    # ... and the manifest has learnt the new mtimes: the next export is the fast one.
    assert export(archive, today=DAY).written == 0


def test_a_changed_article_rewrites_its_post_and_the_lists_showing_it(archive: Path) -> None:
    age_files(archive)
    times = mtimes(archive)
    changed = article("NW202201102229143376", date(2022, 1, 10), title="更正后的标题")
    store_articles(archive, changed)
    result = export(archive, today=DAY)
    assert result.written == 2
    assert written_since(archive, times) == [
        "_posts/2022-01-10-NW202201102229143376.md", "index.html"]
    assert "更正后的标题" in (archive / "index.html").read_text(encoding="utf-8")
    post = archive / "_posts/2022-01-10-NW202201102229143376.md"
    assert front_matter(post.read_bytes())["title"] == "更正后的标题"


def test_another_site_url_rewrites_every_post_and_the_config(archive: Path) -> None:
    age_files(archive)
    times = mtimes(archive)
    result = export(archive, site_url="https://news.example.org/archive/", today=DAY)
    assert result.written == 6
    assert written_since(archive, times) == sorted([
        "_config.yml", GOLDEN_FILE, "_posts/2022-01-10-NW202201102229143376.md",
        "_posts/2022-01-19-NW202201192229451160.md",
        # The lists link under the base path.
        "index.html", "emnews/index.html",
    ])
    config = yaml.safe_load((archive / "_config.yml").read_bytes())
    assert (config["url"], config["baseurl"]) == ("https://news.example.org", "/archive")
    post = (archive / GOLDEN_FILE).read_text(encoding="utf-8")
    assert post.endswith(
        "(https://news.example.org/archive/category/renminyoudianbao.html)"
        "｜[返回首页](https://news.example.org/archive/)"
    )


def test_a_bad_site_url_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    store_articles(tmp_path, golden_article())
    for bad in ("ftp://host", "finews.withounder.com", "http://", "//host/a?b=1"):
        with pytest.raises(ValueError):
            export(tmp_path, site_url=bad)
    assert snapshot(tmp_path) == {}


def test_keep_days_moves_old_posts_out_of_posts_and_back(archive: Path) -> None:
    age_files(archive)
    times = mtimes(archive)
    result = export(archive, keep_days=9, today=DAY)
    # 2022-01-10 is 10 days before 2022-01-20: older than 9 days.  Each moved
    # post keeps its URL, and /old_post/<file>.html (where Jekyll would serve a
    # page of old_post/) is a redirect page to it.
    assert (result.written, result.removed) == (4, 2)
    assert written_since(archive, times) == [
        "old_post/2021-12-28-NW202112282228838683.html",
        "old_post/2021-12-28-NW202112282228838683.md",
        "old_post/2022-01-10-NW202201102229143376.html",
        "old_post/2022-01-10-NW202201102229143376.md",
    ]
    assert not (archive / GOLDEN_FILE).exists()
    assert sorted(p.name for p in (archive / "_posts").iterdir()) == [
        "2022-01-19-NW202201192229451160.md",
    ]
    golden_url = "/renminyoudianbao/2021/12/28/NW202112282228838683.html"
    assert (archive / "old_post/2021-12-28-NW202112282228838683.md").read_bytes() == (
        GOLDEN_POST.read_bytes().replace(
            b"\n---\n", f"\npermalink: {golden_url}\n---\n".encode(), 1))
    assert f'url=//finews.withounder.com{golden_url}"'.encode() in (
        archive / "old_post/2021-12-28-NW202112282228838683.html").read_bytes()
    assert (result.posts, result.old_posts) == (1, 2)
    # The window is the archive's: remembered for the exports of later runs.
    assert Archive(archive).remembered_keep_days() == 9
    # A day later, with a window of 10 days, 2022-01-10 is still old; nothing moves.
    assert export(archive, keep_days=10, today=DAY + timedelta(days=1)).written == 0
    # Without a window every post is back in _posts/, and in one place only.
    result = export(archive, keep_days=0, today=DAY)
    assert result.written == 2 and result.removed == 4
    assert not (archive / "old_post").exists() or not list((archive / "old_post").iterdir())
    assert (archive / GOLDEN_FILE).read_bytes() == GOLDEN_POST.read_bytes()
    assert Archive(archive).remembered_keep_days() is None


def test_files_newscrawl_did_not_write_are_left_alone(tmp_path: Path) -> None:
    mine = {
        "index.html": b"<h1>my own home page</h1>\n",
        GOLDEN_FILE: b"---\nlayout: post\ntitle: my version\n---\nmine\n",
        "CNAME": b"news.example.org\n",
        "about.md": b"---\nlayout: default\n---\nabout\n",
    }
    for rel, data in mine.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(data)
    store_articles(tmp_path, *ARTICLES)
    result = export(tmp_path, today=DAY)
    assert sorted(s.path for s in result.skipped) == ["_posts/2021-12-28-NW202112282228838683.md",
                                                      "index.html"]
    assert all("not written by newscrawl" in s.reason for s in result.skipped)
    for rel, data in mine.items():
        assert (tmp_path / rel).read_bytes() == data
    # Moving the post elsewhere does not put a second copy beside the hand-made one.
    result = export(tmp_path, keep_days=1, today=DAY)
    assert (tmp_path / GOLDEN_FILE).read_bytes() == mine[GOLDEN_FILE]
    assert not (tmp_path / "old_post/2021-12-28-NW202112282228838683.md").exists()
    assert any(s.path.startswith("old_post/2021-12-28") for s in result.skipped)


def test_edited_files_are_neither_overwritten_nor_removed(archive: Path) -> None:
    post = archive / "_posts/2022-01-10-NW202201102229143376.md"
    edited = post.read_bytes() + b"\n\nA note added by hand."
    post.write_bytes(edited)
    category = archive / "category/zhengquanshibao.html"
    category.write_bytes(category.read_bytes() + b"<p>edited</p>\n")
    category_bytes = category.read_bytes()
    # The article changes: its edited post is not overwritten.
    store_articles(archive, article("NW202201102229143376", date(2022, 1, 10), title="新标题"))
    result = export(archive, today=DAY)
    assert sorted(s.path for s in result.skipped) == [
        "_posts/2022-01-10-NW202201102229143376.md", "category/zhengquanshibao.html",
    ]
    assert all("edited since newscrawl wrote it" in s.reason for s in result.skipped)
    assert post.read_bytes() == edited
    # The article moves to another category: the edited old page stays (said once) ...
    store_articles(archive, article("NW202201102229143376", date(2022, 1, 10), "zhengquanbao",
                                    "证券报", title="新标题"))
    result = export(archive, today=DAY)
    assert "category/zhengquanshibao.html" in [s.path for s in result.skipped]
    assert category.read_bytes() == category_bytes
    assert (archive / "category/zhengquanbao.html").exists()
    # ... and is someone else's file from then on.
    result = export(archive, today=DAY)
    assert [s.path for s in result.skipped] == ["_posts/2022-01-10-NW202201102229143376.md"]


def test_stale_files_newscrawl_wrote_are_removed(archive: Path) -> None:
    store_articles(archive, article("NW202201102229143376", date(2022, 1, 11), "zhengquanbao",
                                    "证券报"))
    age_files(archive)
    times = mtimes(archive)
    result = export(archive, today=DAY)
    assert result.removed == 2 and not result.skipped
    assert not (archive / "_posts/2022-01-10-NW202201102229143376.md").exists()
    assert not (archive / "category/zhengquanshibao.html").exists()
    # Written: the moved post, its new category page and the home page; not the
    # pages of both remaining categories (the newest article's media did not change).
    assert written_since(archive, times) == [
        "_posts/2022-01-11-NW202201102229143376.md", "category/zhengquanbao.html", "index.html",
    ]
    assert result.written == 3


def test_an_interrupted_export_still_knows_its_files(
    archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    changed = {f"_posts/{day:%Y-%m-%d}-{code}.md": article(code, day, title=f"改 {code}")
               for code, day in (("NW202201102229143376", date(2022, 1, 10)),
                                 ("NW202201192229451160", date(2022, 1, 19)))}
    store_articles(archive, *changed.values())
    real_replace = os.replace
    renamed: list[str] = []

    def rename_one_then_die(src: str, dst: str | Path) -> None:
        # The batch's files are on disk as temporary files; one is renamed into place.
        if renamed:
            raise KeyboardInterrupt
        renamed.append(Path(dst).relative_to(archive).as_posix())
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", rename_one_then_die)
    with pytest.raises(KeyboardInterrupt):
        export(archive, today=DAY)
    monkeypatch.undo()
    assert len(renamed) == 1
    assert not list(archive.rglob("*.tmp"))
    result = export(archive, today=DAY)
    assert result.skipped == []
    assert result.written == 2  # the post not renamed into place, and the home page
    for rel in changed:
        assert front_matter((archive / rel).read_bytes())["title"].startswith("改 ")


def test_an_unreadable_manifest_makes_every_file_someone_elses(archive: Path) -> None:
    path = Manifest.path_for(archive)
    path.write_bytes(b"{not json")
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    before = snapshot(archive)
    result = export(archive, today=DAY)
    assert result.warnings and "unreadable manifest" in result.warnings[0]
    # Identical files are recognised as newscrawl's output again; nothing is lost.
    assert result.skipped == [] and result.written == 0
    assert snapshot(archive) == before
    # Kept aside for whoever wants to look; a new manifest knows every file again.
    assert path.with_name(path.name + ".unreadable").read_bytes() == b"{not json"
    result = export(archive, today=DAY)
    assert not result.warnings and result.unchanged == len(before)


def test_an_unreadable_legacy_manifest_makes_every_file_someone_elses(archive: Path) -> None:
    Manifest.path_for(archive).unlink()
    legacy = Manifest.legacy_path_for(archive)
    legacy.write_bytes(b"{not json")
    before = snapshot(archive)
    result = export(archive, today=DAY)
    assert result.warnings and "unreadable manifest" in result.warnings[0]
    assert result.skipped == [] and result.written == 0
    assert snapshot(archive) == before
    assert not legacy.exists()
    assert not export(archive, today=DAY).warnings


def legacy_manifest(out: Path, **dumps: Any) -> None:
    """Turn the archive's manifest into the ``manifest.json`` an older newscrawl kept."""
    db = sqlite3.connect(Manifest.path_for(out))
    try:
        files = {rel: FileRecord(*fields).to_json() for rel, *fields in db.execute(
            "SELECT rel, sha256, size, mtime_ns, source, previous FROM files ORDER BY rel")}
        options = {name: json.loads(value) for name, value in db.execute(
            "SELECT name, value FROM options")}
    finally:
        db.close()
    for path in state_dir(out).glob(Manifest.path_for(out).name + "*"):
        path.unlink()
    data = {"format": 1, "options": options, "files": files}
    Manifest.legacy_path_for(out).write_text(json.dumps(data, **dumps), encoding="utf-8")


@pytest.mark.parametrize("dumps", [{"ensure_ascii": False, "separators": (",", ":")},
                                   {"indent": 2, "sort_keys": True}])
def test_a_legacy_manifest_is_imported(archive: Path, dumps: dict[str, Any]) -> None:
    # An archive of an older newscrawl: its post moved by a retention window,
    # one post edited by hand, and the window remembered in manifest.json.
    export(archive, keep_days=9, today=DAY)
    post = archive / "_posts/2022-01-19-NW202201192229451160.md"
    post.write_bytes(post.read_bytes() + b"\nmine\n")
    legacy_manifest(archive, **dumps)
    assert Archive(archive).remembered_keep_days() == 9
    before, times = snapshot(archive), mtimes(archive)
    result = export(archive, keep_days=Archive(archive).remembered_keep_days(), today=DAY)
    assert not Manifest.legacy_path_for(archive).exists()
    assert not result.warnings
    assert result.written == 0 and result.removed == 0
    assert [s.path for s in result.skipped] == ["_posts/2022-01-19-NW202201192229451160.md"]
    assert result.unchanged == len(before) - 1
    assert snapshot(archive) == before and mtimes(archive) == times
    assert Archive(archive).remembered_keep_days() == 9
    # Every record came over: without the window, the old posts move back.
    result = export(archive, keep_days=0, today=DAY)
    assert (result.written, result.removed) == (2, 4)  # and their redirect pages in old_post/ go


# -- through the CLI -----------------------------------------------------


def test_newscrawl_export_prints_one_summary_line(tmp_path: Path) -> None:
    store_articles(tmp_path, *ARTICLES)
    result = run_cli("export", "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n") == 1
    # 3 posts, 3 category pages, 12 site files.
    assert result.stdout.startswith("newscrawl: export: 18 written, 0 unchanged, 0 removed, "
                                    "0 skipped"), result.stdout
    assert (tmp_path / GOLDEN_FILE).read_bytes() == GOLDEN_POST.read_bytes()
    result = run_cli("export", "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "0 written, 18 unchanged" in result.stdout


def test_newscrawl_export_warns_about_skipped_files(tmp_path: Path) -> None:
    store_articles(tmp_path, *ARTICLES)
    (tmp_path / "index.html").write_text("mine\n")
    result = run_cli("export", "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "1 skipped" in result.stdout
    assert "skipped index.html: exists and was not written by newscrawl" in result.stderr
    assert (tmp_path / "index.html").read_text() == "mine\n"


def test_newscrawl_export_keep_days_is_remembered(tmp_path: Path) -> None:
    recent = datetime.now(BEIJING).date()
    store_articles(tmp_path, golden_article(), article("NW209901010000000001", recent))
    assert run_cli("export", "--out", tmp_path, "--keep-days", "30").returncode == 0
    assert (tmp_path / "old_post/2021-12-28-NW202112282228838683.md").exists()
    assert not (tmp_path / GOLDEN_FILE).exists()
    result = run_cli("export", "--out", tmp_path)
    assert result.returncode == 0 and "0 written" in result.stdout
    assert (tmp_path / "old_post/2021-12-28-NW202112282228838683.md").exists()
    assert run_cli("export", "--out", tmp_path, "--keep-days", "0").returncode == 0
    assert (tmp_path / GOLDEN_FILE).read_bytes() == GOLDEN_POST.read_bytes()


def test_newscrawl_site_url_is_remembered(tmp_path: Path) -> None:
    """A command without --site-url keeps the archive's: links do not quietly change."""
    store_articles(tmp_path, golden_article())
    site = "https://me.example/news"
    assert run_cli("export", "--out", tmp_path, "--site-url", site).returncode == 0
    post = (tmp_path / GOLDEN_FILE).read_bytes()
    assert f"]({site}/)".encode() in post
    result = run_cli("export", "--out", tmp_path)
    assert result.returncode == 0 and "0 written" in result.stdout, result.stdout
    assert (tmp_path / GOLDEN_FILE).read_bytes() == post
    assert 'baseurl: "/news"' in (tmp_path / "_config.yml").read_text()
    # Given again, another URL wins, and is remembered in turn.
    assert run_cli("export", "--out", tmp_path, "--site-url",
                   "//finews.withounder.com").returncode == 0
    assert (tmp_path / GOLDEN_FILE).read_bytes() == GOLDEN_POST.read_bytes()
    assert "0 written" in run_cli("export", "--out", tmp_path).stdout


@pytest.mark.parametrize("args", [["--keep-days", "-1"], ["--keep-days", "x"],
                                  ["--site-url", "ftp://x"]])
def test_newscrawl_export_bad_arguments(tmp_path: Path, args: list[str]) -> None:
    store_articles(tmp_path, golden_article())
    result = run_cli("export", "--out", tmp_path, *args)
    assert result.returncode == 2
    assert not (tmp_path / "_posts").exists()


def test_newscrawl_export_needs_an_archive(tmp_path: Path) -> None:
    result = run_cli("export", "--out", tmp_path / "nothing-here")
    assert result.returncode == 2
    assert "no newscrawl archive" in result.stderr
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    result = run_cli("export", "--out", not_a_dir)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1


def test_newscrawl_export_into_an_unwritable_archive(tmp_path: Path) -> None:
    store_articles(tmp_path, golden_article())
    (tmp_path / "_posts").write_text("a file where the posts folder should be")
    result = run_cli("export", "--out", tmp_path)
    assert result.returncode == 2
    assert "cannot write" in result.stderr
