"""The post writer (``render_post``) and the validation pipeline, on items, no network."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from scrapy.exceptions import DropItem

from newscrawl.formats.jekyll.escape import plain_text
from newscrawl.formats.jekyll.post import Unpublishable, check_post, render_post, yaml_double_quoted
from newscrawl.items import Article
from newscrawl.pipelines.validate import DuplicateArticle, ValidatePipeline
from newscrawl.settings import NEWSCRAWL_SITE_URL as SITE_URL

pytestmark = pytest.mark.unit

BEIJING = timezone(timedelta(hours=8))


def article(**fields: object) -> Article:
    values: dict[str, object] = {
        "code": "NW202112282228838683",
        "share_url": "http://finews.zning.xyz/html_News/NewsShare.html?infoCode=NW202112282228838683",
        "title": "标题",
        "media": "人民邮电报",
        "body": "<p>正文</p>",
        "date": datetime(2021, 12, 28, 19, 34, 54, tzinfo=BEIJING),
        "slug": "renminyoudianbao",
        "tag": "人民邮电报新闻",
    }
    values.update(fields)
    return Article(**values)  # type: ignore[arg-type]


def front_matter(post: bytes) -> dict[str, object]:
    text = post.decode("utf-8")
    return yaml.safe_load(text.split("\n---\n", 1)[0][4:])


@pytest.mark.parametrize(
    "title",
    ['他说"涨了"\\跌了: #1', "- 开头是横线", "[开头] 是括号", "📈 股市 🚀", "{a: b}", "'单引号'",
     "null", "yes", "123", "*锚点", "&锚", "!标签", "%指令", "@符号", "`反引号`", "｜全角｜"],
)
def test_front_matter_reads_back_any_title(title: str) -> None:
    assert front_matter(render_post(article(title=title), SITE_URL))["title"] == title


def test_a_plain_title_keeps_the_golden_form() -> None:
    assert b'\ntitle: "\xe6\xa0\x87\xe9\xa2\x98"\n' in render_post(article(), SITE_URL)


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=60).filter(lambda t: plain_text(t)))
def test_front_matter_reads_back_every_title(title: str) -> None:
    """Newlines, tabs and whitespace runs are single spaces; controls and noncharacters go."""
    expected = " ".join(title.split())
    written = front_matter(render_post(article(title=title), SITE_URL))["title"]
    assert written == plain_text(title)
    if expected.isprintable():
        assert written == expected


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_double_quoted_scalars_read_back(text: str) -> None:
    assert yaml.safe_load(yaml_double_quoted(text)) == text


def test_a_tag_with_spaces_stays_one_tag() -> None:
    front = front_matter(render_post(article(tag="21世纪经济报道 21财经APP新闻",
                                             media="21世纪经济报道 21财经APP"), SITE_URL))
    assert front["tags"] == ["21世纪经济报道 21财经APP新闻"]


def test_the_date_is_written_at_plus_0800_whatever_its_zone() -> None:
    utc = datetime(2021, 12, 28, 11, 34, 54, tzinfo=timezone.utc)
    post = render_post(article(date=utc), SITE_URL)
    assert b"\ndate: 2021-12-28 19:34:54 +0800\n" in post


def test_brackets_in_the_media_name_do_not_break_the_link() -> None:
    post = render_post(article(media="某[报]"), SITE_URL)
    assert "[返回某\\[报\\]新闻](//finews.withounder.com/category/renminyoudianbao.html)" in (
        post.decode("utf-8")
    )


@pytest.mark.parametrize("code", ["../../etc/passwd", "a/b", "", "x" * 65, "NW 1", "a.md",
                                  None, 12])
def test_codes_that_could_escape_the_archive_are_rejected(code: object) -> None:
    with pytest.raises(DropItem, match="invalid article code"):
        ValidatePipeline().process_item(article(code=code))


@pytest.mark.parametrize(("field", "reason"), [("title", "empty title"), ("body", "empty body")])
def test_empty_title_or_body_is_rejected(field: str, reason: str) -> None:
    with pytest.raises(DropItem, match=reason):
        ValidatePipeline().process_item(article(**{field: " \n\t"}))


def test_the_same_article_twice_in_one_run_passes_once() -> None:
    pipeline = ValidatePipeline()
    assert pipeline.process_item(article()).code == "NW202112282228838683"
    with pytest.raises(DuplicateArticle):
        pipeline.process_item(article())
    assert pipeline.process_item(article(code="OTHER1")).code == "OTHER1"


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [("title", ["标题"], "title is a list, not text"),
     ("title", {"zh": "标题"}, "title is an object, not text"),
     ("title", True, "title is a boolean, not text"),
     ("title", 12345, "title is a number, not text"),
     ("body", ["<p>正文</p>"], "body is a list, not text"),
     ("media", 1.5, "media is a number, not text"),
     ("digest", {"a": 1}, "digest is an object, not text")],
)
def test_a_field_of_the_wrong_json_type_is_rejected_not_stored_as_its_repr(
    field: str, value: object, reason: str
) -> None:
    with pytest.raises(DropItem, match=f"^{reason}$"):
        ValidatePipeline().process_item(article(**{field: value}))


def test_lone_surrogates_from_json_escapes_are_dropped() -> None:
    item = ValidatePipeline().process_item(
        article(title="孤立\ud800代理", body="<p>\udfff正文</p>"))
    assert (item.title, item.body) == ("孤立代理", "<p>正文</p>")


def test_a_title_of_controls_only_is_empty() -> None:
    with pytest.raises(DropItem, match="empty title"):
        ValidatePipeline().process_item(article(title="\x00\x1b\ufffe"))


def test_markup_in_the_media_name_stays_text() -> None:
    post = render_post(article(media='<img src="x" onerror="alert(1)">*a*_b_`c`$$d$$|e&f'),
                       SITE_URL)
    assert post.decode("utf-8").endswith(
        '[返回&lt;img src=\\"x\\" onerror=\\"alert(1)\\"&gt;\\*a\\*\\_b\\_\\`c\\`\\$\\$d\\$\\$\\|e'
        "&amp;f新闻](//finews.withounder.com/category/renminyoudianbao.html)"
        "｜[返回首页](//finews.withounder.com/)"
    )


@pytest.mark.parametrize(
    ("url", "written"),
    [("http://h/x?infoCode=A&q=\"><script>alert(1)</script>",
      "http://h/x?infoCode=A&q=%22%3E%3Cscript%3Ealert(1)%3C/script%3E"),
     ("HTTP://h/x?a=1\n<b> c|d\\e'f`g{h}", "http://h/x?a=1%0A%3Cb%3E%20c%7Cd%5Ce%27f%60g%7Bh%7D"),
     ("https://h/%E4%B8%AD?x=%zz&y=中", "https://h/%E4%B8%AD?x=%25zz&y=%E4%B8%AD"),
     ("http://h/\u202e\x00\ud800", "http://h/%E2%80%AE%00%ED%A0%80")],
)
def test_the_share_link_is_percent_encoded_inside_its_autolink(url: str, written: str) -> None:
    assert f"\n\n<{written}>\n\n".encode() in render_post(article(share_url=url), SITE_URL)


@pytest.mark.parametrize("url", ["javascript:alert(1)//html_News/NewsShare.html?infoCode=A",
                                 "data:text/html,<script>alert(1)</script>", "//h/x", "/x",
                                 "http:///x", "ftp://h/x", " http://h/x"])
def test_a_share_link_that_is_not_http_is_unpublishable(url: str) -> None:
    with pytest.raises(Unpublishable, match="share link is not an http"):
        render_post(article(share_url=url), SITE_URL)
    with pytest.raises(Unpublishable):
        check_post(article(share_url=url))


@pytest.mark.parametrize("fields", [{"slug": "a b"}, {"slug": "../x"}, {"slug": ""},
                                    {"media": "\x00"}, {"title": " "},
                                    {"date": datetime(999, 1, 1, tzinfo=BEIJING)},
                                    {"date": datetime(1, 1, 1, tzinfo=BEIJING)}])
def test_what_no_post_can_hold_is_unpublishable(fields: dict[str, object]) -> None:
    with pytest.raises(Unpublishable):
        render_post(article(**fields), SITE_URL)
    with pytest.raises(Unpublishable):
        check_post(article(**fields))


def test_noncharacters_and_controls_leave_the_front_matter_readable() -> None:
    post = render_post(article(title="涨\ufffe了\uffff\x00\x85 \ud800跌", media="某\ufffe报",
                               tag="某\ufffe报新闻", body="<p>正\ufffe文\x00</p>"), SITE_URL)
    assert front_matter(post)["title"] == "涨了 跌"
    assert front_matter(post)["tags"] == "某报新闻"
    assert "<p>正文</p>" in post.decode("utf-8")


@pytest.mark.parametrize("text", ["a\ufffeb", "\uffff", "\ud800x", "\x85", "\u2028", "\ufeff"])
def test_double_quoted_scalars_hold_what_yaml_cannot_read_raw(text: str) -> None:
    assert yaml.safe_load(yaml_double_quoted(text)) == text
