"""Body cleaning on libxml2's tree (lxml): the places where a plain port from
BeautifulSoup goes wrong.

lxml holds text as an element's ``.text`` and ``.tail``, makes comments and
processing instructions elements, refuses some characters and names that
libxml2 accepts, stops building its tree at 256 levels, and serialises URLs
and list items its own way.  Each case below came out differently (or not at
all) from a naive lxml port; the expected outputs are those the
BeautifulSoup implementation gave.
"""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from newscrawl.cleaning import clean_html

pytestmark = pytest.mark.unit


def cleans_to(dirty: str, clean: str) -> None:
    assert clean_html(dirty) == clean
    assert clean_html(clean) == clean


# --- Removing an element keeps the text after it (its tail), in order ----------------


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        # lxml's remove() takes the tail along: the text after the script would go
        ("<p>前<script>x</script>后</p>", "<p>前后</p>"),
        # several removals in one paragraph, each tail where it stood
        ('<p>a<!--c-->b<span hidden>h</span>c<img src="javascript:x">d</p>', "<p>abcd</p>"),
        # a junk element first in its parent: its tail becomes the parent's text
        ('<p><span id="quote_1">12.3</span>正文</p>', "<p>正文</p>"),
        # ... and after an element: that element's tail
        ('<p><b>粗</b><span id="quote_1"></span>正文</p>', "<p><b>粗</b>正文</p>"),
        # a removed element at the top level, article text after it
        ("<script>x</script>正文", "<p>正文</p>"),
    ],
)
def test_the_tail_of_a_removed_element_stays_in_place(dirty: str, clean: str) -> None:
    cleans_to(dirty, clean)


def test_dissolved_elements_keep_their_text_and_tails_in_order() -> None:
    cleans_to(
        '<p><a class="keytip" href="http://q.example/">某公司</a>公告<font>红</font>字</p>',
        "<p>某公司公告红字</p>",
    )


# --- Comments and processing instructions are elements in lxml -----------------------


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("<p>前<!-- c -->后</p>", "<p>前后</p>"),
        # a comment between text and white space: the white space is one space
        ("<p>甲<!-- c -->  <b>乙</b></p>", "<p>甲 <b>乙</b></p>"),
        # libxml2 reads a processing instruction as a comment: it goes, the text stays
        ("<p>前<?php echo 1; ?>后</p>", "<p>前后</p>"),
        ("<?xml-stylesheet href='x'?><p>正文</p>", "<p>正文</p>"),
    ],
)
def test_comments_and_processing_instructions_go_their_neighbours_stay(
    dirty: str, clean: str
) -> None:
    cleans_to(dirty, clean)


# --- Texts that lxml would join stay apart, as BeautifulSoup's strings were ------------


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        # white space alone in a list goes as a whole; joined to "k" it would stay
        ("<ol> <li hidden>x</li>k</ol>", "<ol>k</ol>"),
        ("<ol> <!-- c -->k</ol>", "<ol>k</ol>"),
        ("<table><tr> <!-- c -->k<td>1</td></tr></table>",
         "<p>k</p><table><tbody><tr><td>1</td></tr></tbody></table>"),
        # a text of only white space is one space (or newline) wherever it stands
        ("<p>a<span>  </span>b</p>", "<p>a b</p>"),
        ("<p>a<span>\t</span>b</p>", "<p>a b</p>"),
        ("<p>&Tab;<b>x</b>&NewLine;&NewLine;<b>y</b></p>", "<p><b>x</b>\n<b>y</b></p>"),
        # ... but not inside <pre>
        ("<pre>  a  <span>   </span> b</pre>", "<p>a      b</p>"),
        # a <!DOCTYPE> in the body ends a text, though it is no node of libxml2's tree
        ("<p><b>x</b> \n <!DOCTYPE html>y</p>", "<p><b>x</b>\ny</p>"),
    ],
)
def test_white_space_is_settled_as_before(dirty: str, clean: str) -> None:
    cleans_to(dirty, clean)


# --- What libxml2 takes and lxml's setters refuse ------------------------------------


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        # U+FFFF is text to both parsers; lxml refuses to set a text holding it
        ("<p>a\uffffb<span hidden>x</span>c</p>", "<p>a\uffffbc</p>"),
        # a control character from a character reference, in a text that gets joined
        ("<p>a&#1;b<script></script>c</p>", "<p>abc</p>"),
        # lxml's fromstring() refuses a str with an encoding declaration
        ('<?xml version="1.0" encoding="utf-8"?><p>正文</p>', "<p>正文</p>"),
    ],
)
def test_text_lxml_would_refuse(dirty: str, clean: str) -> None:
    cleans_to(dirty, clean)


# --- The document around the body ----------------------------------------------------


def test_content_after_an_empty_html_element_is_the_body() -> None:
    """libxml2 puts it in a second <html> next to the first."""
    cleans_to("<html></html><p>正文</p>", "<p>正文</p>")


def test_content_after_the_first_body_is_not_the_body() -> None:
    cleans_to("<p>x</p></body></html>\n<p>y</p>", "<p>x</p>")


def test_a_stock_chart_block_may_end_in_another_html_element() -> None:
    cleans_to(
        "<p>前<!-- EM_StockImg_Start -->图</p></html><p>中<!-- EM_StockImg_End -->后</p>",
        "<p>前</p>",
    )


# --- Deep nesting: libxml2's tree builder stops at 256 levels -------------------------


@pytest.mark.parametrize("depth", [255, 256, 300, 3000])
def test_nothing_after_a_deeply_nested_block_is_lost(depth: int) -> None:
    dirty = "<div>" * depth + "深" + "</div>" * depth + "<p>后</p>"
    cleans_to(dirty, "<p>深</p><p>后</p>")


def test_a_stock_chart_block_deep_down_goes() -> None:
    depth = 300
    dirty = ("<b>" * depth + "深<!-- EM_StockImg_Start -->图<!-- EM_StockImg_End -->"
             + "</b>" * depth + "<p>后</p>")
    assert clean_html(dirty) == "<p>" + "<b>" * depth + "深" + "</b>" * depth + "</p><p>后</p>"


# --- Serialising: libxml2 writes HTML its own way ------------------------------------


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        # libxml2 percent-encodes what is not ASCII in href and src
        ('<p><a href="http://例子.example/路径">链接</a></p>',
         '<p><a href="http://例子.example/路径">链接</a></p>'),
        ('<p><img src="//img.example/图片.png" alt="图"></p>',
         '<p><img alt="图" src="//img.example/图片.png"></p>'),
        # and writes an empty <li> without </li>: what follows would move into it
        ("<ul><li><script>x</script></li><b>粗</b></ul>", "<ul><li></li><b>粗</b></ul>"),
    ],
)
def test_serialised_as_before(dirty: str, clean: str) -> None:
    cleans_to(dirty, clean)


def test_classes_are_split_at_any_white_space_as_before() -> None:
    """soupsieve matched ``a.keytip`` on BeautifulSoup's class list; XPath's
    ``normalize-space`` splits at ASCII white space only."""
    cleans_to('<p><a class="keytip\u3000x" href="http://q.example/">某</a></p>', "<p>某</p>")


# --- The module -----------------------------------------------------------------------


def test_clean_html_is_safe_to_call_from_threads() -> None:
    bodies = [f"<p>\u3000\u3000第{i}段<script>x</script>正文</p>\n<div>{i}</div>" * 20
              for i in range(40)]
    expected = [clean_html(body) for body in bodies]
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(clean_html, bodies * 5)) == expected * 5


def test_the_module_does_without_beautifulsoup() -> None:
    code = ("import sys, newscrawl.cleaning, newscrawl.pipelines.clean; "
            "sys.exit(1 if {'bs4', 'soupsieve'} & set(sys.modules) else 0)")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
