"""Cleaning never drops text silently, its work is bounded, and it keeps up with
today's source (issues #11 and #13): through the cleaner and its pipeline."""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from hypothesis import given
from hypothesis import strategies as st
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from newscrawl.cleaning import clean_html
from newscrawl.cleaning.bounds import nesting_depth, tag_openings
from newscrawl.cleaning.visible import escaped_text_length
from newscrawl.items import Article
from newscrawl.pipelines.clean import CleanHtmlPipeline
from newscrawl.runner import project_settings

pytestmark = pytest.mark.unit

RESOURCES = Path(__file__).resolve().parent / "resources" / "cleaning"


def shown(html: str) -> str:
    """The text a reader sees, white space (ideographic too) squeezed out."""
    return "".join(BeautifulSoup(html, "html.parser").get_text().split())


def pipeline(**settings: int) -> CleanHtmlPipeline:
    bounds = {name: value for name, value in project_settings().items()
              if name.startswith("NEWSCRAWL_MAX_")}
    return CleanHtmlPipeline.from_crawler(get_crawler(settings_dict={**bounds, **settings}))


def article(body: str) -> Article:
    return Article(code="NW1", share_url="http://h/x", body=body)


def cleaned_by_pipeline(body: str, **settings: int) -> str:
    return pipeline(**settings).process_item(article(body)).body


def rejection(body: str, **settings: int) -> str:
    with pytest.raises(DropItem) as dropped:
        pipeline(**settings).process_item(article(body))
    return str(dropped.value)


# --- An unclosed element keeps what follows it ------------------------------------------


@pytest.mark.parametrize("tag", ["embed", "source", "track", "keygen", "image", "wbr", "bgsound"])
def test_an_unclosed_void_element_keeps_the_text_after_it(tag: str) -> None:
    body = f'<p>前文<{tag} src="http://x.example/a">其后的文字</p><p>下一段</p>'
    assert clean_html(body) == "<p>前文其后的文字</p><p>下一段</p>"
    assert cleaned_by_pipeline(body) == "<p>前文其后的文字</p><p>下一段</p>"


@pytest.mark.parametrize("tag", ["object", "iframe", "script", "style", "svg", "video", "form",
                                 "select", "textarea", "noscript", "template", "xmp"])
def test_an_unclosed_junk_element_keeps_everything_after_it(tag: str) -> None:
    body = f"<p>前文<{tag}>其后的文字</p><p>下一段</p><p>末段</p>"
    cleaned = cleaned_by_pipeline(body)
    assert shown(cleaned) == "前文其后的文字下一段末段"


@pytest.mark.parametrize("tag", ["object", "iframe", "script", "svg", "video"])
def test_a_closed_junk_element_still_goes_with_its_content(tag: str) -> None:
    body = f"<p>前文<{tag}>部件</{tag}>后文</p><p>下一段</p>"
    assert cleaned_by_pipeline(body) == "<p>前文后文</p><p>下一段</p>"


def test_an_end_tag_inside_a_script_does_not_close_anything_else() -> None:
    body = '<p>前文<script>document.write("<object>")</script>后文</p><p>下一段</p>'
    assert cleaned_by_pipeline(body) == "<p>前文后文</p><p>下一段</p>"


# --- An article that would shrink is rejected, with figures -------------------------------


@pytest.mark.parametrize("body", [
    # libxml2 ends the document at </html>; a browser shows what follows
    "<p>正文第一段</p></html><p>这一段在结束标记之后</p>",
    # a paragraph inside <svg> leaves the drawing in HTML5; libxml2 keeps it inside
    "<p>正文<svg><p>这一段跳出了图形</p></svg></p>",
])
def test_an_article_that_would_lose_text_is_rejected_with_its_figures(body: str) -> None:
    reason = rejection(body)
    assert re.fullmatch(r"cleaning would lose \d+ of \d+ characters of visible text", reason)
    lost, total = map(int, re.findall(r"\d+", reason))
    assert 0 < lost < total


def test_what_the_junk_rules_remove_is_no_loss() -> None:
    body = ('<p style="display:none">隐藏的段落文字</p>'
            "<!-- EM_StockImg_Start --><p>行情图说明文字</p><!-- EM_StockImg_End -->"
            '<p><span id="quote_1.600000">12.30</span>正文</p>'
            "<p>\u3000\u3000在东方财富看资讯行情，选东方财富证券一站式开户交易&gt;&gt;</p>"
            '<p><a href="https://acttg.eastmoney.com/pub/x">下载APP</a></p>'
            "<p>正文<script>var x = 1;</script>结束</p>")
    assert cleaned_by_pipeline(body) == "<p>正文</p><p>正文结束</p>"


# --- Bounds ------------------------------------------------------------------------------


def test_a_body_nested_100000_levels_deep_is_rejected_with_its_reason() -> None:
    body = "<p>开头</p>" + "<div>" * 100_000 + "深处的文字" + "</div>" * 100_000
    assert rejection(body, NEWSCRAWL_MAX_BODY_CHARS=2_000_000) == (
        "body nests 100,000 levels deep, deeper than NEWSCRAWL_MAX_NESTING (1,000)")


def test_the_nesting_bound_is_a_setting() -> None:
    body = "<div>" * 30 + "文字" + "</div>" * 30
    assert cleaned_by_pipeline(body, NEWSCRAWL_MAX_NESTING=30) == "<p>文字</p>"
    assert "NEWSCRAWL_MAX_NESTING (29)" in rejection(body, NEWSCRAWL_MAX_NESTING=29)


def test_a_body_larger_than_its_bound_is_rejected_with_its_reason() -> None:
    body = "<p>" + "字" * 2000 + "</p>"
    assert rejection(body, NEWSCRAWL_MAX_BODY_CHARS=1000) == (
        "body of 2,007 characters is larger than NEWSCRAWL_MAX_BODY_CHARS (1,000)")


def test_stray_end_tags_make_no_room_for_deeper_nesting() -> None:
    body = "</div>" * 2000 + "<div>" * 1500 + "文字"
    assert nesting_depth(tag_openings(body)) == 1500


def test_paragraphs_list_items_and_void_elements_open_no_level() -> None:
    body = "<P>一<p>二<li>三<li>四<br><img src=x><hr>" * 500
    assert nesting_depth(tag_openings(body)) == 0


@given(st.lists(st.sampled_from([*"a<>&;\u00a0 \u3000字", "&amp;", "&nbsp;"])).map("".join))
def test_visible_characters_are_counted_as_unescaped(text: str) -> None:
    escaped = html_lib.escape(html_lib.unescape(text), quote=False).replace("\u00a0", "&nbsp;")
    assert escaped_text_length(escaped) == len("".join(html_lib.unescape(escaped).split()))


# --- Today's source (#13): promotion, &emsp;, white space before </p> ---------------------


def test_the_promotion_of_current_article_pages_goes() -> None:
    body = (RESOURCES / "current_page_promotion.html").read_text("utf-8")
    assert cleaned_by_pipeline(body) == (
        "<p>每经AI快讯，有投资者在投资者互动平台提问：海外市场波动，公司控股参股公司，比如凯傲，"
        "巴拉德，ceres，法拉蒂，对公司的业绩以及后续发展有怎样的影响？</p>"
        "<p>潍柴动力(000338.SZ)2月11日在投资者互动平台表示，巴拉德和锡里斯不纳入合并财务报表范围。</p>"
        '<p class="em_media">（文章来源：每日经济新闻）</p>'
    )


def test_white_space_before_the_end_of_a_paragraph_goes() -> None:
    body = (RESOURCES / "real_2022-01-07_trailing_space.html").read_text("utf-8")
    cleaned = cleaned_by_pipeline(body)
    assert "<p><strong>雪球类信托计划产品发行按下暂停键</strong></p>" in cleaned
    assert cleaned.endswith("<p><strong>影响有多大？</strong></p>")
    assert shown(cleaned) == shown(body)


def test_a_real_body_with_stock_blocks_cleans_to_its_text() -> None:
    body = (RESOURCES / "real_2022-02-11_stock_blocks.html").read_text("utf-8")
    cleaned = cleaned_by_pipeline(body)
    assert "GetPic.aspx" not in cleaned and "display:none" not in cleaned
    assert cleaned.startswith("<p>每经AI快讯，有投资者在投资者互动平台提问：")
    assert cleaned.endswith('<p class="em_media">（文章来源：每日经济新闻）</p>')
    assert shown(cleaned) == shown(body)


@pytest.mark.parametrize(("dirty", "clean"), [
    ("<p>&emsp;&emsp;正文</p>", "<p>正文</p>"),
    ("<p>\u2003\u2003正文\u2003</p>", "<p>正文</p>"),
    ("<p>正文 \u3000</p>", "<p>正文</p>"),
    ("<p>正文<b>加粗</b> </p>", "<p>正文<b>加粗</b></p>"),
    # a picture or a line break ends the white space to strip
    ('<p>正文 <img src="http://x.example/a.jpg"></p>', '<p>正文 <img src="http://x.example/a.jpg"></p>'),
    ("<p>正文 <br>后文 </p>", "<p>正文 <br>后文</p>"),
    # top-level text becomes a paragraph, without its trailing white space either
    ("正文\u3000\u3000", "<p>正文</p>"),
])
def test_indentation_and_trailing_white_space(dirty: str, clean: str) -> None:
    assert clean_html(dirty) == clean
    assert clean_html(clean) == clean
