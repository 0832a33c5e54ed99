"""Parsing a body with libxml2 (lxml) as BeautifulSoup did, one parser per thread,
and writing the tree back as HTML.
"""

from __future__ import annotations

import html as html_lib
import re
import secrets
import threading

from lxml import etree

from newscrawl.cleaning.elements import PRESERVED
from newscrawl.cleaning.text import CONTROL_RE, settled_text
from newscrawl.cleaning.tree import DISSOLVED, Element

_LOCAL = threading.local()

_TOO_DEEP = etree.ErrorTypes.ERR_RESOURCE_LIMIT


_DOCTYPE_RE = re.compile(r"<!doctype", re.IGNORECASE)

#: Where an element of :data:`PRESERVED` may start.
_PRESERVED_RE = re.compile(r"<(?:pre|textarea)", re.IGNORECASE)


def _parser() -> etree.HTMLParser:
    """This thread's libxml2 HTML parser, as BeautifulSoup's lxml builder set it
    up (and without a table of ``id`` attributes, which nothing looks up).

    One per thread: a parser fed and closed in two calls is not to be shared.
    """
    parser: etree.HTMLParser | None = getattr(_LOCAL, "parser", None)
    if parser is None:
        parser = _LOCAL.parser = etree.HTMLParser(collect_ids=False)
    return parser


def parse_document(html: str, *, settle: bool = False) -> tuple[list[Element], bool]:
    """The document libxml2 reads in ``html``: its top-level nodes in order, and
    whether its texts are settled already (:func:`settled_text`).

    The top-level nodes are usually one ``<html>`` element with the comments
    libxml2 puts around it; content after an explicit ``</html>`` makes
    another ``<html>`` (BeautifulSoup saw them all).

    The texts are settled (as BeautifulSoup read them: :func:`settled_text`)
    when ``settle`` asks for it, and always when the body holds a character
    reference (the only source of control characters now) or a ``<pre>``
    (the only place where white space is not settled).  Otherwise
    :func:`settle_white_space` settles them where it matters, which spares
    a pass over every text.

    The parser is fed as BeautifulSoup's lxml builder fed it (``feed``
    takes a ``str`` with an XML declaration, where ``fromstring`` refuses
    it).  Two documents are built from the parser's events instead
    (:class:`TreeBuilder`): one nested deeper than libxml2's tree builder
    goes (256 levels: it drops the rest of the document), and one with a
    ``<!DOCTYPE>`` in it, which ends a text for BeautifulSoup but is no
    node of libxml2's tree.
    """
    if _DOCTYPE_RE.search(html) is None:
        parser = _parser()
        parser.feed(html)
        try:
            root = parser.close()
        except etree.ParseError:
            return [], True
        if not any(error.type == _TOO_DEEP for error in parser.feed_error_log):
            if root is None:
                return [], True
            top = [*reversed(list(root.itersiblings(preceding=True))), root,
                   *root.itersiblings()]
            settle = settle or "&#" in html or _PRESERVED_RE.search(html) is not None
            if settle:
                for node in top:
                    if isinstance(node.tag, str):
                        settle_texts(node)
            return top, settle
    builder = TreeBuilder()
    events = etree.HTMLParser(target=builder, collect_ids=False)
    events.feed(html)
    return [events.close()], True


class TreeBuilder:
    """Builds a document from libxml2's parser events, as BeautifulSoup did
    (:func:`parse_document`).

    The top-level nodes go into one ``x-document`` element (lxml allows no
    second root).  Each text is settled as BeautifulSoup settled it
    (:func:`settled_text`), and two texts that come to stand side by side (a
    ``<!DOCTYPE>`` between them) stay apart, as they did.  lxml's setters
    validate what libxml2's builder does not: a tag name like ``o:p``
    becomes ``x-invalid`` (an unknown element, dissolved like the original
    would be), attributes with such names go, and control characters in
    attribute values go (see :meth:`start`).
    """

    def __init__(self) -> None:
        self.document: Element = etree.Element("x-document")
        self._open: list[Element] = [self.document]
        self._last: Element | None = None  # the last closed child of the open element
        self._data: list[str] = []
        self._preserved = 0  # open <pre> and <textarea> elements

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self._flush()
        try:
            element = etree.Element(tag)
        except ValueError:
            element = etree.Element("x-invalid")
        for name, value in attrib.items():
            if CONTROL_RE.search(value):
                if name in ("href", "src"):
                    continue  # refused either way
                # alt loses them either way; elsewhere they only make a value
                # unlike any the rules look for, as U+FFFD does.
                value = CONTROL_RE.sub("" if name == "alt" else "\ufffd", value)
            try:
                element.set(name, value)
            except ValueError:
                continue
        self._open[-1].append(element)
        self._open.append(element)
        self._last = None
        if element.tag in PRESERVED:
            self._preserved += 1

    def end(self, tag: str) -> None:
        self._flush()
        if len(self._open) > 1:
            self._last = self._open.pop()
            if self._last.tag in PRESERVED:
                self._preserved -= 1

    def data(self, data: str) -> None:
        self._data.append(data)

    def comment(self, text: str) -> None:
        self._flush()
        if "--" in text or text.endswith("-"):
            text = ""  # lxml refuses it; no marker looks like that
        comment = etree.Comment(text)
        self._open[-1].append(comment)
        self._last = comment

    def pi(self, target: str, data: str | None = None) -> None:
        self.comment("")  # removed with every comment

    def doctype(self, *args: object) -> None:
        self._flush()

    def close(self) -> Element:
        self._flush()
        return self.document

    def _flush(self) -> None:
        """Put the text read since the last event in its place."""
        if not self._data:
            return
        text = settled_text("".join(self._data), self._preserved > 0)
        self._data = []
        if not text or len(self._open) == 1:
            return  # nothing, or text outside the <html> element
        parent, owner = self._open[-1], self._last
        before = parent.text if owner is None else owner.tail
        if before:  # (a <!DOCTYPE> stood between them): kept apart, as they were
            boundary = etree.SubElement(parent, DISSOLVED)
            boundary.tail = text
            self._last = boundary
        elif owner is None:
            parent.text = text
        else:
            owner.tail = text


def body_of(top: list[Element]) -> Element | None:
    """The first ``<body>`` of the document, as BeautifulSoup's ``soup.body``.

    (libxml2 puts it in ``<html>``: looked for there first.)
    """
    for node in top:
        if isinstance(node.tag, str):
            for child in node:
                if child.tag == "body":
                    return child
            if (body := next(node.iter("body"), None)) is not None:
                return body
    return None


def settle_texts(root: Element) -> None:
    """Settle every text of ``root`` as BeautifulSoup did (:func:`settled_text`)."""
    preserved = {d for p in root.iter(*PRESERVED) for d in p.iter()}
    for element in root.iter():
        if isinstance(element.tag, str) and element.text:
            element.text = settled_text(element.text, element in preserved) or None
        if element.tail:
            element.tail = settled_text(element.tail, element.getparent() in preserved) or None


class NoncharacterSwap:
    """U+FFFE and U+FFFF are text to HTML parsers but lxml refuses to set them.

    They are swapped for private use characters the body does not hold
    before parsing, and back in the serialised result.
    """

    def __init__(self, html: str) -> None:
        self.hidden: dict[int, str] = {}
        self.shown: dict[int, str] = {}
        if "\ufffe" not in html and "\uffff" not in html:
            return
        stand_ins = (chr(c) for c in range(0xE000, 0xF900) if chr(c) not in html)
        for character, stand_in in zip("\ufffe\uffff", stand_ins, strict=False):
            self.hidden[ord(character)] = stand_in
            self.shown[ord(stand_in)] = character

    def hide(self, html: str) -> str:
        return html.translate(self.hidden) if self.hidden else html

    def show(self, html: str) -> str:
        return html.translate(self.shown) if self.shown else html


# --- Serialising ---------------------------------------------------------------


#: libxml2's HTML serialiser percent-encodes these characters in ``href`` and
#: ``src`` (white space, controls, all that is not ASCII); nh3 would keep that.
_URL_ESCAPED_RE = re.compile(r"[^\x21-\x7e]")

#: Stands in for such a URL while libxml2 serialises; random, so no body holds it.
_URL_TOKEN = f"newscrawl-url-{secrets.token_hex(8)}-"


def serialize_contents(body: Element) -> str:
    """The HTML of what ``body`` holds.

    libxml2 writes every URL as it is except for the characters it
    percent-encodes (:data:`_URL_ESCAPED_RE`): such a URL is written through
    a stand-in, so nh3 reads the same URL BeautifulSoup wrote.
    """
    for item in body.iter("li"):
        if item.text is None and len(item) == 0:
            item.text = ""  # else libxml2 writes <li> without </li>, as it may
    urls: list[str] = []
    for element in body.iter("a", "img"):
        for name in ("href", "src"):
            url = element.get(name)
            if url is not None and _URL_ESCAPED_RE.search(url):
                element.set(name, f"{_URL_TOKEN}{len(urls)}")
                urls.append(url)
    body.attrib.clear()
    html = etree.tostring(body, encoding=str, method="html", with_tail=False)
    html = html.removeprefix("<body>").removesuffix("</body>")
    for index in reversed(range(len(urls))):  # 10 before 1
        html = html.replace(
            f'"{_URL_TOKEN}{index}"', f'"{html_lib.escape(urls[index], quote=True)}"'
        )
    return html
