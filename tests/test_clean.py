"""Tests of body cleaning: the source's junk goes, the article stays, nothing hostile survives."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from newscrawl.cleaning import ALLOWED_TAGS, clean_html, has_visible_content
from newscrawl.items import Article
from newscrawl.pipelines.clean import CleanHtmlPipeline
from newscrawl.runner import project_settings

pytestmark = pytest.mark.unit

GOLDEN_POST = Path(__file__).resolve().parent / "resources" / "golden_post.md"


def golden_body() -> str:
    """The body of the golden post: after the front matter, up to the share link."""
    text = GOLDEN_POST.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    front_matter_end = text.index("\n---\n", 4) + len("\n---\n")
    rest = text[front_matter_end:]
    return rest[: rest.index("\n\n<http")]


GOLDEN = golden_body()

# The patterns of SOURCE.md §3, one paragraph each (text invented).
HIDDEN_P = '<p style="display:none;height:1px;overflow:hidden;"><br /></p>'
STOCK_BLOCK = (
    '<!-- EM_StockImg_Start --><p style="text-align:center;">'
    '<a href="http://quote.example/r/1.600000" class="EmImageRemark">'
    '<img src="http://kline.example/GetPic.aspx?nid=1.600000&imageType=k" /></a></p>'
    "<!-- EM_StockImg_End -->"
)
QUOTE_WIDGET = (
    '<p style="text-align:center;">'
    '<a href="http://quote.example/r/1.600000" class="EmImageRemark">'
    '<img src="http://kline.example/GetPic.aspx?nid=1.600000&imageType=k" /></a></p>'
)
KEYTIP_P = (
    '<p>\u3000\u3000某某<span id="stock_1.600000">'
    '<a href="http://quote.example/r/1.600000" class="keytip" data-code="1,600000">某公司</a>'
    '</span><span id="quote_1.600000"></span>宣布……</p>'
)
SECTOR_P = (
    '<p>据<span web="1" href="http://quote.example/r/90.BK0001" class="em_stock_key_common" '
    'data-code="90,BK0001">某板块</span>人士表示……</p>'
)
INFO_P = (
    '<p><span id="Info.3321"><a href="http://data.example/bbsj/" class="infokey">业绩</a>'
    "</span>增长</p>"
)
CENTER_IMG = (
    '<center><img src="https://img.example/D123_w800h555.jpg" alt="Image" width="552" '
    'style="border:#d1d1d1 1px solid;" /></center>'
)
MEDIA_P = '<p class="em_media">（文章来源：某某报）</p>'


def visible_text(html: str) -> str:
    """The text a reader sees, white space (ideographic too) squeezed out."""
    return "".join(BeautifulSoup(html, "lxml").get_text().split())


def replace_once(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


# --- The golden body -------------------------------------------------------------


def test_golden_body_is_what_the_test_thinks_it_is() -> None:
    assert GOLDEN.startswith("<p>12月26-28日，中国移动")
    assert GOLDEN.endswith('<p class="em_media">（文章来源：人民邮电报）</p>')
    assert GOLDEN.count("<strong>") == 19


def test_golden_body_comes_out_byte_for_byte_unchanged() -> None:
    assert clean_html(GOLDEN) == GOLDEN


def make_dirty_golden() -> str:
    """The golden body as the source's editor would send it: every pattern of SOURCE.md §3."""
    dirty = GOLDEN
    # Ideographic indentation at the start of every paragraph, and newlines between them.
    dirty = dirty.replace("<p>", "<p>\u3000\u3000").replace("</p><p", "</p>\n<p")
    # A hidden paragraph first, a comment, and an inline style on a paragraph.
    dirty = (
        '<p style="display:none;height:1px;overflow:hidden;"><br /></p>\n<!-- editor -->\n'
        + dirty
    )
    dirty = replace_once(
        dirty, "<p>\u3000\u3000韩夏在讲话中", '<p style="text-indent:2em;">\u3000\u3000韩夏在讲话中'
    )
    # A stock chart block between two paragraphs.
    dirty = replace_once(
        dirty,
        "</p>\n<p>\u3000\u3000杨杰作了题为",
        "</p>\n<!-- EM_StockImg_Start --><p style=\"text-align:center;\">"
        '<a href="http://quote.eastmoney.com/unify/r/1.600941" class="EmImageRemark">'
        '<img src="http://webquotepic.eastmoney.com/GetPic.aspx?nid=1.600941&imageType=k" />'
        "</a></p><!-- EM_StockImg_End -->\n<p>\u3000\u3000杨杰作了题为",
    )
    # A stock keyword link with its empty quote placeholder.
    dirty = replace_once(
        dirty,
        "，中国移动深入学习",
        '，<span id="stock_1.600941"><a href="http://quote.eastmoney.com/unify/r/1.600941" '
        'class="keytip" data-code="1,600941">中国移动</a></span>'
        '<span id="quote_1.600941"></span>深入学习',
    )
    # A sector keyword span.
    dirty = replace_once(
        dirty,
        "奋勇当先做强做优做大数字经济，以优异成绩",
        '奋勇当先做强做优做大<span web="1" href="http://quote.eastmoney.com/unify/r/90.BK0001" '
        'class="em_stock_key_common" data-code="90,BK0001">数字经济</span>，以优异成绩',
    )
    # A data-topic keyword link.
    dirty = replace_once(
        dirty,
        "利润规模创历史新高",
        '<span id="Info.3321"><a href="http://data.eastmoney.com/bbsj/" class="infokey">'
        "利润</a></span>规模创历史新高",
    )
    # A script between paragraphs, an event handler and an inline style on a bold run.
    dirty = replace_once(
        dirty,
        "</p>\n<p>\u3000\u3000杨杰指出，今年以来",
        '</p>\n<script type="text/javascript">var s = "<p>x</p>";</script>\n'
        "<p>\u3000\u3000杨杰指出，今年以来",
    )
    dirty = replace_once(
        dirty,
        "<strong>一是畅通社会信息",
        '<strong style="color:#333" onclick="track()">一是畅通社会信息',
    )
    return dirty + "\n"


def test_dirty_golden_cleans_back_to_the_golden_body() -> None:
    dirty = make_dirty_golden()
    assert dirty != GOLDEN
    assert clean_html(dirty) == GOLDEN


def test_dirty_golden_keeps_its_visible_text_less_the_widgets() -> None:
    dirty = make_dirty_golden()
    widgets = BeautifulSoup(dirty, "lxml")
    for junk in widgets.select('script, [style*="display:none"], .EmImageRemark'):
        junk.decompose()
    assert visible_text(clean_html(dirty)) == visible_text(str(widgets))


# --- One pattern at a time ---------------------------------------------------------


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        # hidden paragraphs, by style or attribute
        (HIDDEN_P + "<p>正文</p>", "<p>正文</p>"),
        ('<p style="DISPLAY : none ! IMPORTANT">隐藏</p><p>正文</p>', "<p>正文</p>"),
        ('<p style="visibility:hidden">隐藏</p><p>正文</p>', "<p>正文</p>"),
        ("<p hidden>隐藏</p><p>正文</p>", "<p>正文</p>"),
        ('<p>正<span style="display: none">隐</span>文</p>', "<p>正文</p>"),
        # stock chart block, with and without its markers
        ("<p>前</p>" + STOCK_BLOCK + "<p>后</p>", "<p>前</p><p>后</p>"),
        (
            "<!-- EM_StockImg_Start --><p><img src='http://kline.example/x.png'></p>"
            "<!-- EM_StockImg_End --><p>后</p>",
            "<p>后</p>",
        ),
        (QUOTE_WIDGET + "<p>正文</p>", "<p>正文</p>"),
        ('<p><img src="http://kline.example/GetPic.aspx?nid=1"></p><p>正文</p>', "<p>正文</p>"),
        # keyword links: the words stay
        (KEYTIP_P, "<p>某某某公司宣布……</p>"),
        (SECTOR_P, "<p>据某板块人士表示……</p>"),
        (INFO_P, "<p>业绩增长</p>"),
        ('<p><a href="http://q.example/" class="keytip">某公司</a>公告</p>', "<p>某公司公告</p>"),
        # quote placeholder, even when filled in
        ('<p>股价<span id="quote_1.600000">12.34 +1.2%</span>上涨</p>', "<p>股价上涨</p>"),
        # a centred picture becomes a paragraph; its width and style go
        (CENTER_IMG, '<p><img alt="Image" src="https://img.example/D123_w800h555.jpg"></p>'),
        # indentation: ideographic spaces, no-break spaces, blanks, also inside a bold start
        ("<p>\u3000\u3000正文</p>", "<p>正文</p>"),
        ("<p>&nbsp;&nbsp; \u3000正文</p>", "<p>正文</p>"),
        ("<p><strong>\u3000\u3000要点</strong>正文</p>", "<p><strong>要点</strong>正文</p>"),
        ("<p>正文\u3000\u3000中间</p>", "<p>正文\u3000\u3000中间</p>"),
        # the source line keeps its class, and only that class
        (MEDIA_P, MEDIA_P),
        ('<p class="em_media other" style="x">（来源）</p>', '<p class="em_media">（来源）</p>'),
        ('<p class="other">正文</p>', "<p>正文</p>"),
        # white space between paragraphs and empty paragraphs go
        ("\n<p>一</p>\n\n<p>二</p>\n", "<p>一</p><p>二</p>"),
        ("<p>一</p><p> </p><p><br></p><p>\u3000</p><p>二</p>", "<p>一</p><p>二</p>"),
        ("<p>一</p><p><span></span></p>", "<p>一</p>"),
        # white space next to blocks is layout; between inline elements one space stays
        ("<p>一</p>\n\n二\n<p>三</p>", "<p>一</p><p>二</p><p>三</p>"),  # no bare text at the top
        ("<ul>\n  <li> 甲 </li>\n</ul>", "<ul><li>甲</li></ul>"),
        ("<p><b>甲</b> \t <b>乙</b></p>", "<p><b>甲</b> <b>乙</b></p>"),
        ("<table>\n<tr>\n<td> 1 </td>\n</tr>\n</table>",
         "<table><tbody><tr><td>1</td></tr></tbody></table>"),
        # kept: structure, bold, links, pictures
        ("<p>一<br>二</p>", "<p>一<br>二</p>"),
        ("<h2>标题</h2><ul><li>甲</li></ul>", "<h2>标题</h2><ul><li>甲</li></ul>"),
        ("<blockquote><p>引文</p></blockquote>", "<blockquote><p>引文</p></blockquote>"),
        (
            "<table><tr><th>a</th></tr><tr><td>1</td></tr></table>",
            "<table><tbody><tr><th>a</th></tr><tr><td>1</td></tr></tbody></table>",
        ),
        ('<p><a href="https://example.com/a?b=1&amp;c=2">链接</a></p>',
         '<p><a href="https://example.com/a?b=1&amp;c=2">链接</a></p>'),
        ('<p><img src="//img.example/a.jpg"></p>', '<p><img src="//img.example/a.jpg"></p>'),
        ("<p><b>粗</b><i>斜</i><em>强</em></p>", "<p><b>粗</b><i>斜</i><em>强</em></p>"),
        # not kept: links that are not http(s), pictures without an acceptable source
        ('<p><a href="//example.com/">协议相对</a></p>', "<p>协议相对</p>"),
        ('<p><a href="/relative">相对</a></p>', "<p>相对</p>"),
        ('<p><a href="mailto:a@example.com">邮件</a></p>', "<p>邮件</p>"),
        ('<p><a>无链接</a></p>', "<p>无链接</p>"),
        ('<p>图<img src="/local.png"><img src="data:image/png;base64,AAAA"><img></p>', "<p>图</p>"),
        # unknown wrappers: divs with text become paragraphs, others dissolve
        ("<div>段落</div><div><p>已有段落</p></div>", "<p>段落</p><p>已有段落</p>"),
        ("<p><font color=red>红</font><u>下</u></p>", "<p>红下</p>"),
    ],
)
def test_cleans_each_pattern(dirty: str, clean: str) -> None:
    assert clean_html(dirty) == clean
    assert clean_html(clean) == clean


def test_example_of_source_md_section_3() -> None:
    dirty = "\n".join([HIDDEN_P, STOCK_BLOCK, KEYTIP_P, SECTOR_P, INFO_P, CENTER_IMG, MEDIA_P])
    assert clean_html(dirty + "\n") == (
        "<p>某某某公司宣布……</p><p>据某板块人士表示……</p><p>业绩增长</p>"
        '<p><img alt="Image" src="https://img.example/D123_w800h555.jpg"></p>' + MEDIA_P
    )


def test_stock_block_markers_need_not_be_siblings() -> None:
    dirty = (
        "<p>前文<!-- EM_StockImg_Start --><a class=x href='http://q.example/'>行情</a></p>"
        "<p><img src='http://k.example/k.png'><!-- EM_StockImg_End -->后文</p>"
    )
    assert clean_html(dirty) == "<p>前文</p><p>后文</p>"


def test_stock_block_start_without_end_removes_no_text() -> None:
    assert clean_html("<!-- EM_StockImg_Start --><p>正文</p>") == "<p>正文</p>"


def test_empty_and_blank_inputs() -> None:
    assert clean_html("") == ""
    assert clean_html(" \n\t") == ""
    assert clean_html("<!-- only a comment -->") == ""
    assert clean_html('<p style="display:none">x</p>') == ""


# --- Hostile input -------------------------------------------------------------------

HOSTILE = [
    "<script>alert(1)</script><p>正文</p>",
    "<p>正文<script>document.write('<p>x</p>')</script></p>",
    '<a href="javascript:alert(1)">j</a>',
    '<a href="jav&#x09;ascript:alert(1)">j</a>',
    '<a href="jav&#x0A;ascript:alert(1)">j</a>',
    '<a href="&#106;&#97;vascript:alert(1)">j</a>',
    '<a href="  JaVaScRiPt:alert(1)">j</a>',
    '<a href="javascript&colon;alert(1)">j</a>',
    '<a href="vbscript:msgbox(1)">v</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD4=">d</a>',
    '<img src="javascript:alert(1)">',
    '<img src=x onerror="alert(1)">',
    '<img src="http://ok.example/a.png" onerror="alert(1)" onload=alert(1)>',
    '<p onclick="alert(1)" onmouseover=alert(1) ONFOCUS="x">正文</p>',
    "<svg onload=alert(1)><p>x</p></svg>",
    "<svg><script>alert(1)</script></svg>",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<iframe src="http://evil.example/"></iframe><iframe srcdoc="<script>alert(1)</script>">',
    '<object data="http://evil.example/x.swf"></object><embed src="http://evil.example/x">',
    '<form action="http://evil.example/"><input name=a><button>go</button></form>',
    "<style>p{background:url(javascript:alert(1))}</style>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<a href="http://ok.example/" target=_blank rel="opener">l</a>',
    "<p><b><i>unclosed",
    "<p>a<div>b</p>c</div>",
    "</p></div></b>",
    "<<p>>",
    '<a href="http://ok.example/"><a href="http://ok.example/">nested</a></a>',
    "<xmp><script>alert(1)</script></xmp>",
    "<textarea><script>alert(1)</script></textarea>",
    '<base href="javascript:alert(1)//"><a href="x">l</a>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<template><script>alert(1)</script></template>",
    "\x00<p>nul\x00 char</p>\x0b",
    "\ud800<p>lone surrogate</p>",
]


def assert_safe(html: str) -> None:
    """Nothing executable and nothing outside the allow-list in ``html``."""
    assert "<script" not in html.lower()
    for tag_text in re.findall(r"<[^>]*>", html):
        assert not re.search(r"\son\w*\s*=", tag_text, re.IGNORECASE), tag_text
        assert "javascript:" not in "".join(tag_text.lower().split()), tag_text
    for tag in BeautifulSoup(html, "html.parser").find_all(True):
        assert tag.name in ALLOWED_TAGS, tag.name
        for name, value in tag.attrs.items():
            assert name in {"href", "src", "alt", "class"}, name
            if name in ("href", "src"):
                assert re.match(r"(https?:)?//", value, re.IGNORECASE), value
            if name == "class":
                assert (tag.name, value) == ("p", ["em_media"])


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_input_never_survives(hostile: str) -> None:
    cleaned = clean_html(hostile)
    assert_safe(cleaned)
    assert clean_html(cleaned) == cleaned


def test_hostile_examples_keep_their_harmless_text() -> None:
    assert clean_html(HOSTILE[0]) == "<p>正文</p>"
    assert clean_html('<a href="jav&#x09;ascript:alert(1)">j</a>') == "<p>j</p>"
    assert clean_html(HOSTILE[13]) == "<p>正文</p>"
    assert clean_html("<p><b><i>unclosed") == "<p><b><i>unclosed</i></b></p>"
    assert clean_html(HOSTILE[24]) == '<p><a href="http://ok.example/">l</a></p>'


@pytest.mark.parametrize("depth", [500, 5000])
@pytest.mark.parametrize(
    ("opening", "closing"),
    [
        ("<div>", "</div>"),
        ("<p>", "</p>"),
        ("<b>", "</b>"),
        ("<blockquote>", "</blockquote>"),
        ('<span id="stock_1">', "</span>"),
        ('<a href="http://x.example/">', "</a>"),
        ("<table><tr><td>", "</td></tr></table>"),
        ("<svg onload=alert(1)>", "</svg>"),
        ("<i><b>", ""),  # misnested and unclosed
    ],
)
def test_deep_nesting_neither_crashes_nor_recurses_out(
    depth: int, opening: str, closing: str
) -> None:
    cleaned = clean_html(opening * depth + "深<script>alert(1)</script>" + closing * depth)
    assert_safe(cleaned)
    if "svg" not in opening:
        assert visible_text(cleaned) == "深"
    assert clean_html(cleaned) == cleaned


# --- Properties ------------------------------------------------------------------------

_TAGS = [
    "p", "div", "span", "b", "strong", "em", "i", "a", "img", "br", "center", "h1", "h2",
    "ul", "ol", "li", "table", "tbody", "tr", "td", "th", "caption", "blockquote", "pre",
    "script", "style", "iframe", "svg", "noscript", "form", "object", "embed", "hr", "font",
    "section", "dl", "dd", "textarea", "xmp", "title", "select", "math", "template", "o:p",
]
_ATTRIBUTES = [
    'style="display:none;height:1px"', 'style="VISIBILITY: hidden"', 'style="color:red"',
    "hidden", 'class="keytip"', 'class="infokey"', 'class="EmImageRemark"',
    'class="em_stock_key_common"', 'class="em_media"', 'class="em_media other"',
    'id="stock_1.600000"', 'id="quote_1.600000"', 'id="Info.3321"', 'data-code="1,600000"',
    'href="http://quote.example/r/1"', 'href="https://ok.example/x?a=1&amp;b=2"',
    'href="//proto.example/x"', 'href="javascript:alert(1)"', 'href="jav&#x09;ascript:alert(1)"',
    'href=" JaVaScRiPt:alert(1)"', 'href="/relative"', 'href="http://exa mple/"',
    'src="http://img.example/a.jpg"', 'src="//img.example/b.png"', 'src="javascript:alert(1)"',
    'src="http://kline.example/GetPic.aspx?nid=1&amp;imageType=k"', 'src="x.jpg"',
    'alt="Image"', 'alt="a &quot;quoted&quot; &lt;alt&gt;"', 'onclick="alert(1)"',
    "onload=alert(1)", 'onerror="alert(1)"', 'width="552"',
]
_TEXTS = [
    "某某", "\u3000\u3000", "\u3000\u3000缩进", "&nbsp;", " ", "\n", "\n\n", "text", "a&amp;b",
    "&lt;script&gt;", "“引号”", "\t", "\r\n", "x", "。",
]
_SPECIALS = [
    "<!-- EM_StockImg_Start -->", "<!-- EM_StockImg_End -->", "<!-- c -->", "<![CDATA[x]]>",
    "<script>alert(1)</script>", "<svg onload=alert(1)>", "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">j</a>', "</p>", "</div>", "</b>", "</a>", "</table>", "<",
    "<p", "<a href='", '"', "</script>", "<scr<script>ipt>",
]


@st.composite
def _element(draw: st.DrawFn, depth: int) -> str:
    tag = draw(st.sampled_from(_TAGS))
    attributes = "".join(" " + a for a in draw(st.lists(st.sampled_from(_ATTRIBUTES), max_size=3)))
    if tag in ("img", "br", "hr") or depth >= 4:
        return f"<{tag}{attributes}>"
    children = draw(st.lists(_node(depth + 1), max_size=4))
    closing = draw(st.sampled_from([f"</{tag}>", f"</{tag}>", ""]))  # sometimes unclosed
    return f"<{tag}{attributes}>{''.join(children)}{closing}"


def _node(depth: int) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(_TEXTS),
        st.text(max_size=4),
        st.sampled_from(_SPECIALS),
        _element(depth),
    )


html_ish = st.lists(_node(0), max_size=6).map("".join)

PROPERTY_SETTINGS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY_SETTINGS
@given(html_ish)
def test_property_cleaning_is_idempotent(html: str) -> None:
    cleaned = clean_html(html)
    assert clean_html(cleaned) == cleaned


@PROPERTY_SETTINGS
@given(html_ish)
def test_property_no_text_stands_outside_a_block(html: str) -> None:
    """Kramdown reads a top-level line of bare text as Markdown and escapes the
    HTML after it: every top-level node of a clean body is a block element."""
    body = BeautifulSoup(clean_html(html), "lxml").body
    for node in body.children if body is not None else []:
        assert getattr(node, "name", None) in {
            "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "blockquote", "table"
        }, repr(node)


@PROPERTY_SETTINGS
@given(html_ish)
def test_property_nothing_executable_survives(html: str) -> None:
    assert_safe(clean_html(html))


_PLAIN_TAGS = ["p", "div", "span", "b", "strong", "em", "i", "center", "font", "h2", "blockquote"]
_PLAIN_TEXTS = st.text(
    alphabet=st.characters(exclude_categories=["Cs", "Cc"], exclude_characters="<>&\ufeff"),
    max_size=6,
)


@st.composite
def _plain_element(draw: st.DrawFn, depth: int = 0) -> str:
    tag = draw(st.sampled_from(_PLAIN_TAGS))
    children = draw(
        st.lists(_PLAIN_TEXTS | (_plain_element(depth + 1) if depth < 3 else _PLAIN_TEXTS),
                 max_size=3)
    )
    return f"<{tag}>{''.join(children)}</{tag}>"


@PROPERTY_SETTINGS
@given(st.lists(_PLAIN_TEXTS | _plain_element(), max_size=5).map("".join))
def test_property_text_without_junk_is_kept(html: str) -> None:
    assert visible_text(clean_html(html)) == visible_text(html)


# --- The pipeline ----------------------------------------------------------------------


def make_pipeline(**settings: int) -> CleanHtmlPipeline:
    bounds = {name: value for name, value in project_settings().items()
              if name.startswith("NEWSCRAWL_MAX_")}
    return CleanHtmlPipeline.from_crawler(get_crawler(settings_dict={**bounds, **settings}))


def test_pipeline_cleans_the_body() -> None:
    item = Article(code="NW1", share_url="http://h/x", body=make_dirty_golden())
    result = make_pipeline().process_item(item)
    assert result is item
    assert item.body == GOLDEN


def test_pipeline_keeps_a_body_that_is_only_a_picture() -> None:
    item = Article(code="NW1", share_url="http://h/x", body='<center><img src="https://i.example/a.jpg"></center>')
    make_pipeline().process_item(item)
    assert item.body == '<p><img src="https://i.example/a.jpg"></p>'


@pytest.mark.parametrize(
    "body",
    [
        "",
        "\u3000\u3000",
        '<p style="display:none;height:1px;overflow:hidden;"><br /></p>',
        "<script>alert(1)</script>",
        '<!-- EM_StockImg_Start --><p><a class="EmImageRemark" href="http://q.example/">'
        '<img src="http://k.example/GetPic.aspx?nid=1"></a></p><!-- EM_StockImg_End -->',
        '<p><img src="javascript:alert(1)"></p><p>\u3000</p>',
    ],
)
def test_pipeline_drops_a_body_with_nothing_visible(body: str) -> None:
    item = Article(code="NW1", share_url="http://h/x", body=body)
    with pytest.raises(DropItem, match=r"^empty body after cleaning$"):
        make_pipeline().process_item(item)


def test_has_visible_content() -> None:
    assert has_visible_content("<p>字</p>")
    assert has_visible_content('<p><img src="https://i.example/a.jpg"></p>')
    assert not has_visible_content("<p> \u3000&nbsp;</p><br>")
    assert not has_visible_content("")


@PROPERTY_SETTINGS
@given(html_ish)
def test_property_visible_content_agrees_with_a_parsed_tree(html: str) -> None:
    """The cheap check says what a full parse of the clean body says."""
    cleaned = clean_html(html)
    soup = BeautifulSoup(cleaned, "lxml")
    expected = soup.find("img") is not None or bool(soup.get_text().strip())
    assert has_visible_content(cleaned) == expected
