"""What a reader sees of a body: whether it shows anything, and how much text.

Both read the body with nh3's HTML5 parser, the way a browser reads it, and
not with libxml2's tree that the cleaner works on: counting the text a
browser would show before cleaning and after it tells whether the cleaner
lost any (:func:`shown_characters`), whatever libxml2 made of the body.
"""

from __future__ import annotations

import html as html_lib
import re

import nh3

from newscrawl.cleaning.elements import NON_CONTENT_TAGS
from newscrawl.cleaning.text import has_text
from newscrawl.sources.eastmoney import JUNK_TAGS

IMG_RE = re.compile(r"<img\b", re.IGNORECASE)
#: Elements that libxml2 and HTML5 parsers read alike, text and all, and that
#: the cleaner never removes for their tag (as :func:`.bounds.tag_openings`).
_AGREED_OPENINGS = frozenset(
    f"{prefix}{name}" for prefix in ("<", "</")
    for name in ("p", "br", "span", "a", "strong", "b", "em", "i", "u", "img", "center", "div",
                 "font", "sup", "sub", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li",
                 "blockquote")
)
_RAW_TEXT_OPENINGS = frozenset({"<script", "</script", "<style", "</style"})
#: A comment opening inside a script or style, where HTML5 reads it its own way.
_RAW_TEXT_COMMENT_RE = re.compile(
    r"<(script|style)\b(?:(?!</\1).)*?<!--", re.IGNORECASE | re.DOTALL)
#: A tag as nh3 writes one.
_TAG_RE = re.compile(r'<(?:[^>"]|"[^"]*")*>')

#: The text of a body, without the content of the elements the cleaner removes
#: for their tag (script, style, form controls...: no reader sees it as text).
_TEXT_ONLY = nh3.Cleaner(
    tags=set(),
    clean_content_tags=set(JUNK_TAGS | NON_CONTENT_TAGS),
    attributes={},
    strip_comments=True,
)
#: The characters nh3 writes as references in text, and how many characters
#: longer each reference is than the character.
_REFERENCES = (("&amp;", 4), ("&lt;", 3), ("&gt;", 3), ("&quot;", 5))


def has_visible_content(html: str) -> bool:
    """Whether a body shows anything: some text that is not white space, or a picture.

    Cheap on purpose (it runs on every article): nh3 with no tags allowed
    leaves the text, which is unescaped and looked at; no tree is built.
    """
    if IMG_RE.search(html):
        return True
    return has_text(html_lib.unescape(nh3.clean(html, tags=set())))


def shown_characters(html: str) -> int:
    """How many characters of text a browser shows of ``html``: white space
    aside, and the content of elements removed for their tag aside."""
    return escaped_text_length(_TEXT_ONLY.clean(html))


def parsers_agree_on_text(html: str, openings: list[str]) -> bool:
    """Whether libxml2 and an HTML5 parser read the same text in ``html`` for
    sure: it holds only elements both read alike, none that the cleaner
    removes with its content, and only well-formed comments.

    Most bodies of the source are such, and for them counting the text with
    nh3 before cleaning (:func:`shown_characters`, a second parse) can only
    find what the junk rules removed.
    """
    if "<?" in html:
        return False
    if not _AGREED_OPENINGS.issuperset(openings):
        # A script or style read alike: closed as often as opened, no comment inside.
        others = set(openings) - _AGREED_OPENINGS
        if not others <= _RAW_TEXT_OPENINGS or _RAW_TEXT_COMMENT_RE.search(html):
            return False
        if any(openings.count(f"<{name}") != openings.count(f"</{name}")
               for name in ("script", "style")):
            return False
    comments = html.count("<!")
    return comments == 0 or (
        comments == html.count("<!--") == html.count("-->")
        and "<!-->" not in html and "<!--->" not in html and "--!>" not in html
    )


def shown_characters_of_clean(html: str) -> int:
    """:func:`shown_characters` of a body nh3 wrote: its tags are only taken
    out (nh3 quotes every attribute value and escapes ``<`` in text)."""
    return escaped_text_length(_TAG_RE.sub("", html))


def escaped_text_length(text: str) -> int:
    """The number of characters other than white space in ``text`` as nh3 writes
    it (``&amp;``, ``&lt;``, ``&gt;``, ``&quot;``, ``&nbsp;``), counted without
    unescaping it (this runs twice on every article)."""
    if "&" not in text:
        return len("".join(text.split()))
    text = text.replace("&nbsp;", " ")
    extra = sum(text.count(reference) * longer for reference, longer in _REFERENCES)
    return len("".join(text.split())) - extra
