"""Any string in any field of an article makes a post and a category page that hold no markup.

A property over arbitrary strings (and the pieces attacks are made of) in the
title, media name, share link, body and digest: the post and its category
page are rendered, their front matter is read back with ``yaml.safe_load``,
and the post's Markdown is converted to HTML by Kramdown itself, with the
options Jekyll gives it (one long-running ``ruby`` process for all examples),
then parsed with lxml: no script, no event handler, no script URL, and the
media name and share link come out as the text and the link they were.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import lxml.html
import pytest
import yaml
from conftest import require_tool
from html_scan import hostile_traces
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newscrawl.cleaning import clean_html
from newscrawl.formats.jekyll.escape import Unpublishable, autolink_url, plain_text
from newscrawl.formats.jekyll.pages import category_page
from newscrawl.formats.jekyll.post import render_post
from newscrawl.items import Article
from newscrawl.settings import NEWSCRAWL_SITE_URL as SITE_URL

BEIJING = timezone(timedelta(hours=8))
SHARE = "http://finews.zning.xyz/html_News/NewsShare.html?infoCode=NW202112282228838683"

#: Kramdown as Jekyll 4 runs it (its default ``kramdown`` options), reading
#: length-prefixed documents on stdin and answering length-prefixed HTML.
KRAMDOWN = r"""
require "kramdown"
require "kramdown-parser-gfm"
$stdin.binmode
$stdout.binmode
options = { input: "GFM", auto_ids: true, toc_levels: 1..6, entity_output: :as_char,
            smart_quotes: %w[lsquo rsquo ldquo rdquo], hard_wrap: false, guess_lang: true,
            footnote_nr: 1, show_warnings: false }
while (line = $stdin.gets)
  source = $stdin.read(line.to_i).force_encoding("UTF-8")
  html = Kramdown::Document.new(source, options).to_html.b
  $stdout.write("#{html.bytesize}\n", html)
  $stdout.flush
end
"""

#: What attacks are made of: markup, Markdown and Liquid syntax, quotes,
#: line breaks, characters YAML and XML cannot hold, bidi overrides.
PIECES = [
    "<script>alert(1)</script>", '<img src="x" onerror="alert(1)">', "<svg onload=alert(1)>",
    '"', "'", "<", ">", "&", "&lt;", "&#60;", "\\", "\n", "\r\n", "\t", "\x00", "\x1b",
    "\x85", "\u2028", "\ufeff", "\ufffe", "\uffff", "\ud800", "\u202e", "](javascript:alert(1))",
    "[", "]", "(", ")", "|", "*", "_", "`", "~~", "$$", "{:", "{{", "}}", "{%", "%}", "---",
    "...", "--", "#", ":", "- ", "!", "<http://x>", "javascript:", "data:", "%", "%3C", " ",
    "　", "涨", "📈",
]
hostile_text = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=8)),
                        max_size=12).map("".join)


class Kramdown:
    """A running Kramdown: Markdown in, HTML out."""

    def __init__(self, ruby: str) -> None:
        self.process = subprocess.Popen([ruby, "-e", KRAMDOWN], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE)

    def to_html(self, markdown: bytes) -> str:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(f"{len(markdown)}\n".encode() + markdown)
        self.process.stdin.flush()
        size = int(self.process.stdout.readline())
        return self.process.stdout.read(size).decode("utf-8")

    def close(self) -> None:
        self.process.kill()
        self.process.wait()


@pytest.fixture(scope="module")
def kramdown() -> Iterator[Kramdown]:
    converter = Kramdown(require_tool("ruby"))
    try:
        if "<em>" not in converter.to_html(b"*a*"):
            pytest.fail("kramdown does not convert Markdown")
    except ValueError:
        pytest.skip("ruby has no kramdown (Debian's jekyll brings it)")
    yield converter
    converter.close()


def front_matter(text: str) -> dict[str, object]:
    assert text.startswith("---\n")
    front, _, rest = text[4:].partition("\n---\n")
    assert rest is not None
    return yaml.safe_load(front)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=hostile_text, media=hostile_text, share=hostile_text, body=hostile_text,
       digest=hostile_text)
def test_any_field_makes_a_post_and_a_page_without_markup(
    kramdown: Kramdown, title: str, media: str, share: str, body: str, digest: str,
) -> None:
    share_url = SHARE + "&q=" + share
    article = Article(
        code="NW202112282228838683", share_url=share_url, title=title, media=media,
        body=clean_html(body), digest=digest,
        date=datetime(2021, 12, 28, 19, 34, 54, tzinfo=BEIJING),
        slug="renminyoudianbao", tag=media + "新闻",
    )
    try:
        post = render_post(article, SITE_URL)
    except Unpublishable as exc:
        # Only what no post can show: a title or media name with no text at all.
        assert not plain_text(title) or not plain_text(media), exc
        return
    text = post.decode("utf-8")  # raises on anything that is not UTF-8
    front = front_matter(text)
    assert front["title"] == plain_text(title)
    assert front["tags"] in (plain_text(media + "新闻"), [plain_text(media + "新闻")])

    page = category_page("renminyoudianbao", media).decode("utf-8")
    assert front_matter(page)["title"] == plain_text(media) + "新闻"

    markdown = text[4:].partition("\n---\n")[2]
    doc = lxml.html.fromstring(f"<div>{kramdown.to_html(markdown.encode('utf-8'))}</div>")
    assert hostile_traces(doc) == []
    shares = [a for a in doc.iter("a") if "NewsShare" in (a.get("href") or "")]
    assert [a.get("href") for a in shares][-1:] == [autolink_url(share_url)]
    back = [" ".join(a.text_content().split()) for a in doc.iter("a")
            if a.get("href", "").endswith("/category/renminyoudianbao.html")]
    assert back[-1:] == [" ".join(f"返回{plain_text(media)}新闻".split())]


def test_hostile_text_reaches_kramdown(kramdown: Kramdown) -> None:
    """The check above can see an attack: unescaped, the same media name is live markup."""
    html = kramdown.to_html('[返回<img src="x" onerror="alert(1)">新闻](/c.html)'.encode())
    assert hostile_traces(lxml.html.fromstring(f"<div>{html}</div>")) != []
