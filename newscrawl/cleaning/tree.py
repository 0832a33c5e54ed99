"""Editing libxml2's tree (lxml) without losing or joining text.

lxml holds text as an element's ``.text`` (up to its first child) and
``.tail`` (after its end tag): removing an element hands its tail to the
previous sibling or the parent (:func:`remove_keeping_tail`), and two texts
that BeautifulSoup kept apart stay apart (:func:`keeps_apart`).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TypeAlias

from lxml import etree

from newscrawl.cleaning.sanitize import ALLOWED_TAGS
from newscrawl.cleaning.text import has_text, is_blank

Element: TypeAlias = etree._Element

#: A piece of text in lxml's model: its owner, and whether it is the owner's
#: tail (the text after it) rather than its text (the text at its start).
Slot: TypeAlias = tuple[Element, bool]

#: The name given to an element that is to be dissolved (kept content, no tag):
#: renaming is O(1) where moving its content out is not, and nh3 drops the tag
#: of every element outside the allow-list.
DISSOLVED = "span"


def dissolve(element: Element) -> None:
    """Mark ``element`` to be dissolved into its content: renaming is O(1) where
    moving its content out is not, and nh3 drops the tag."""
    element.tag = DISSOLVED
    element.attrib.clear()


def keeps_apart(before: str | None, after: str) -> bool:
    """Whether two texts that come to stand side by side must stay apart.

    BeautifulSoup kept them as two strings.  White space alone in a list or
    a table's structure goes as a whole string (``<ol> <x hidden></x>k</ol>``
    is ``<ol>k</ol>``), and a string of white space only is one space or
    newline (:func:`settled_text`, done as late as :func:`settle_white_space`).
    lxml would join them into one text, so an empty element (which nh3
    drops) stays between them unless both are more than white space, or
    both are white space other than ASCII.
    """
    if not before:
        return False
    if has_text(before) != has_text(after):
        return True
    return is_blank(before) or is_blank(after)


def remove_keeping_tail(element: Element) -> None:
    """Remove ``element`` with its content; the text after it (its tail) stays in place.

    (lxml's ``remove`` takes the tail along.)
    """
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    if tail:
        previous = element.getprevious()
        before = parent.text if previous is None else previous.tail
        if keeps_apart(before, tail):
            boundary = etree.Element(DISSOLVED)
            boundary.tail = tail
            parent.replace(element, boundary)  # each keeps its own tail
            return
        if previous is None:
            parent.text = (before or "") + tail
        else:
            previous.tail = (before or "") + tail
    parent.remove(element)


def put_text_before(element: Element, text: str | None) -> None:
    """Put ``text`` right before ``element``: into the previous sibling's tail or
    the parent's text, or behind a boundary (:func:`keeps_apart`)."""
    if not text:
        return
    previous = element.getprevious()
    parent = element.getparent()
    if parent is None:
        return
    before = parent.text if previous is None else previous.tail
    if keeps_apart(before, text):
        boundary = etree.Element(DISSOLVED)
        boundary.tail = text
        element.addprevious(boundary)
    elif previous is None:
        parent.text = (before or "") + text
    else:
        previous.tail = (before or "") + text


def get_slot(slot: Slot) -> str | None:
    owner, is_tail = slot
    return owner.tail if is_tail else owner.text


def set_slot(slot: Slot, text: str | None) -> None:
    owner, is_tail = slot
    if is_tail:
        owner.tail = text
    else:
        owner.text = text


def flat_items(container: Element) -> list[Element | tuple[Element, bool, str]]:
    """What ``container`` holds as the sanitiser will leave it, in order: kept
    elements, and the non-empty texts around them as ``(owner, is_tail, text)``;
    dissolved elements (outside the allow-list) are replaced by their content."""
    items: list[Element | tuple[Element, bool, str]] = []
    if container.text:
        items.append((container, False, container.text))
    stack = [(container, iter(container))]
    while stack:
        owner, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if stack and owner.tail:
                items.append((owner, True, owner.tail))
            continue
        if child.tag in ALLOWED_TAGS:
            items.append(child)
            if child.tail:
                items.append((child, True, child.tail))
        else:
            if child.text:
                items.append((child, False, child.text))
            stack.append((child, iter(child)))
    return items


def unwrap(element: Element) -> None:
    """Replace ``element`` with its content (text, children, tail) in its parent."""
    parent = element.getparent()
    if parent is None:
        return
    children = list(element)
    tail = element.tail or ""
    lead = element.text or ""
    if children:
        last = children[-1]
        last.tail = (last.tail or "") + tail
    else:
        lead += tail
    element.tail = None
    if lead:
        previous = element.getprevious()
        if previous is None:
            parent.text = (parent.text or "") + lead
        else:
            previous.tail = (previous.tail or "") + lead
    for child in children:
        element.addprevious(child)  # with its tail
    parent.remove(element)


def shown_length(text: str | None) -> int:
    """How many characters of ``text`` a reader sees: all but white space."""
    return len("".join(text.split())) if text else 0


def shown_inside(element: Element, hidden: Collection[str]) -> int:
    """How many characters of text ``element`` holds (its tail aside) that a
    reader sees: no white space, nothing in a comment or in an element of
    ``hidden``."""
    count = 0
    walker = etree.iterwalk(element, events=("start", "end"))
    for event, node in walker:
        if event == "start":
            if not isinstance(node.tag, str) or node.tag in hidden:
                walker.skip_subtree()
            else:
                count += shown_length(node.text)
        elif node is not element:
            count += shown_length(node.tail)
    return count
