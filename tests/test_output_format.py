"""The export writes whatever output format is named: the Jekyll one is one implementation."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from test_site_export import article, snapshot, store_articles

from newscrawl.archive.export import export_archive
from newscrawl.archive.store import PostSummary, Store
from newscrawl.formats import OutputFormat, SiteFile, load_format
from newscrawl.items import Article, Channel

pytestmark = pytest.mark.unit


class PlainTextFormat(OutputFormat):
    """A second format, as a user would add one: one text file per article and an index."""

    name = "plain"
    post_folders = ("articles", "old")

    def check_site_url(self, site_url: str) -> None:
        if not site_url.startswith("https://"):
            raise ValueError(f"{site_url!r}: the plain format wants https://")

    def post_path(self, summary: PostSummary, old: bool, shared_name: bool = False) -> str:
        return f"{self.post_folders[old]}/{summary.name}.txt"

    def code_of_post(self, rel: str) -> str | None:
        folder, _, name = rel.partition("/")
        return name.removesuffix(".txt") if folder in self.post_folders else None

    def render_post(self, article: Article, site_url: str, channel: Channel | None = None,
                    moved: bool = False) -> bytes:
        return f"{article.title}\n{site_url}\n".encode()

    def renderer_files(self) -> tuple[str, ...]:
        return (__file__,)

    def site_files(self, store: Store, site_url: str) -> Iterator[SiteFile]:
        codes = " ".join(sorted(store.codes()))
        yield SiteFile("index.txt", lambda: codes.encode())


def test_the_export_writes_the_format_named_in_the_settings(tmp_path: Path) -> None:
    store_articles(tmp_path, article("A1", date(2022, 1, 1)), article("B2", date(2022, 1, 9)))
    output_format = load_format("plain", {"plain": PlainTextFormat})
    with Store.open(tmp_path) as store:
        result = export_archive(store, tmp_path, "https://news.example", keep_days=3,
                                today=date(2022, 1, 10), output_format=output_format,
                                search=True)
    assert snapshot(tmp_path) == {
        "old/A1.txt": "标题 A1\nhttps://news.example\n".encode(),
        "articles/B2.txt": "标题 B2\nhttps://news.example\n".encode(),
        "index.txt": b"A1 B2",
    }
    assert (result.posts, result.old_posts) == (1, 1)


def test_a_site_url_the_format_refuses_is_an_error_before_anything_is_written(
    tmp_path: Path,
) -> None:
    store_articles(tmp_path, article("A1", date(2022, 1, 1)))
    with Store.open(tmp_path) as store, pytest.raises(ValueError, match="wants https"):
        export_archive(store, tmp_path, "//news.example",
                       output_format=PlainTextFormat(), search=True)
    assert set(snapshot(tmp_path)) == set()


def test_an_unknown_format_name_is_one_clear_error() -> None:
    with pytest.raises(ValueError, match=r"unknown output format 'epub' \(known: jekyll\)"):
        load_format("epub")
