"""Settling white space and indentation so that an HTML5 parser keeps it as it is.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from newscrawl.cleaning.elements import BLOCKS, FLOW_CONTAINERS, STRUCTURE_CONTAINERS
from newscrawl.cleaning.sanitize import ALLOWED_TAGS
from newscrawl.cleaning.text import collapsed, has_text, is_blank
from newscrawl.cleaning.tree import Element, get_slot, set_slot
from newscrawl.sources.eastmoney import INDENT_CHARS, TRAILING_SPACE_CHARS

_ASCII_WHITE_SPACE = " \t\n\r"


def settle_white_space(body: Element, *, settled: bool) -> None:
    """Put white space between elements in the one form that parsing it again keeps.

    Works on runs of adjacent texts (adjacent once dissolved elements are
    gone, as nh3 will leave them), in the kept element (or the body) that
    holds them:

    - in flow containers (the top level, blockquote, li, cells), white space
      next to a block or to the container's edge is the source's layout,
      not content: it goes (a run of white space only goes entirely);
    - inside lists and table structure every white space text goes (an HTML5
      parser moves text out of tables but leaves white space in place);
    - any other run of only ASCII white space becomes one space, or one
      newline if it holds one, as it always did.

    (libxml2 itself drops white space at the start of the body, which the
    first rule covers.)  Texts not ``settled`` yet are settled here
    (:func:`settled_text`).  The indentation of each paragraph goes first
    (:func:`strip_indentation`), the white space before its end last
    (:func:`strip_trailing_space`).  One walk of the tree does it all: a
    container's runs are closed by its kept children and by its end.
    """
    # Per open container: its kind, its current run, the kept element before the run.
    stack: list[list[Any]] = []
    for event, element in etree.iterwalk(body, events=("start", "end")):
        tag = element.tag
        if event == "start":
            text = element.text
            if tag in ALLOWED_TAGS or element is body:
                if stack:  # an element of its container: it ends the run
                    container = stack[-1]
                    if container[1]:
                        _settle_run(container, tag in BLOCKS, settled)
                    container[2] = element
                stack.append([_KINDS.get(tag, _INLINE), [], None])
                if tag == "p" and (not text or text[0] in INDENT_CHARS):
                    stripped = text.lstrip(INDENT_CHARS) if text else ""
                    if stripped:  # (the common case, done here)
                        element.text = text = stripped
                    else:
                        text = strip_indentation(element, text)
            is_tail = False
        else:
            if tag in ALLOWED_TAGS or element is body:
                kind, run, _ = container = stack.pop()
                last_text = run[-1][2] if run else None
                # (A lone text in an inline container stays as it is unless it
                # is white space other than one space or newline.)
                if run and not (kind == _INLINE and len(run) == 1
                                and (not is_blank(run[0][2]) or run[0][2] in (" ", "\n"))):
                    _settle_run(container, True, settled)  # the container's edge ends it
                if element is body:
                    break
                if tag == "p" and (last_text is None or last_text[-1] in TRAILING_SPACE_CHARS):
                    strip_trailing_space(element)
            text = element.tail
            is_tail = True
        if not text:
            continue
        container = stack[-1]
        if container[0] == _STRUCTURE:
            if not has_text(text):
                set_slot((element, is_tail), None)
        else:
            container[1].append((element, is_tail, text))


_STRUCTURE, _FLOW, _INLINE = 0, 1, 2

_KINDS: dict[str, int] = {
    "body": _FLOW,
    **dict.fromkeys(STRUCTURE_CONTAINERS, _STRUCTURE),
    **dict.fromkeys(FLOW_CONTAINERS, _FLOW),
}


def _settle_run(container: list[Any], block_after: bool, settled: bool) -> None:
    """Settle the current run of ``container`` (``[kind, run, element before]``),
    ``block_after`` saying whether a block (or the container's edge) follows."""
    kind, run, before = container
    container[1] = []
    if kind == _FLOW and len(run) == 1:  # the common case: layout between blocks
        owner, is_tail, original = run[0]
        if not original.strip(_ASCII_WHITE_SPACE) and (
            block_after or before is None or before.tag in BLOCKS
        ):
            set_slot((owner, is_tail), None)
            return
    if len(run) == 1:
        original = run[0][2]
        text = original if settled or not is_blank(original) else collapsed(original)
    else:
        original = "".join(item[2] for item in run)
        text = original if settled else "".join(
            item[2] if not is_blank(item[2]) else collapsed(item[2]) for item in run
        )
    if kind == _FLOW:
        block_before = before is None or before.tag in BLOCKS
    else:
        block_before = block_after = False
    if block_before:
        text = text.lstrip(_ASCII_WHITE_SPACE)
    if block_after:
        text = text.rstrip(_ASCII_WHITE_SPACE)
    if (block_before or block_after) and not has_text(text):
        text = ""
    elif text and not text.strip(_ASCII_WHITE_SPACE):
        text = "\n" if "\n" in text or "\r" in text else " "
    if text == original:
        return
    for owner, is_tail, _ in run[1:]:
        set_slot((owner, is_tail), None)
    owner, is_tail, _ = run[0]
    set_slot((owner, is_tail), text or None)


def strip_indentation(paragraph: Element, text: str | None) -> str | None:
    """Remove ``　　``-style indentation from the start of a paragraph's text.

    ``text`` is the paragraph's own text (read already); what it becomes is returned.
    """
    if text:
        if text[0] not in INDENT_CHARS:
            return text
        stripped = text.lstrip(INDENT_CHARS)
        paragraph.text = stripped or None
        if stripped:
            return stripped
    # The texts inside, in document order, up to a line break or a picture.
    for event, element in etree.iterwalk(paragraph, events=("start", "end")):
        if element is paragraph:
            continue
        if event == "start":
            if element.tag in ("br", "img"):
                return None
            slot = (element, False)
        else:
            slot = (element, True)
        inner = get_slot(slot)
        if not inner:
            continue
        stripped = inner.lstrip(INDENT_CHARS)
        if stripped:
            if stripped != inner:
                set_slot(slot, stripped)
            return None
        set_slot(slot, None)
    return None


def strip_trailing_space(paragraph: Element) -> None:
    """Remove white space before ``</p>``: from the end of a paragraph's last
    texts, back to a line break or a picture."""
    if len(paragraph) == 0:  # (the common cases first)
        text = paragraph.text
        if text and text[-1] in TRAILING_SPACE_CHARS:
            paragraph.text = text.rstrip(TRAILING_SPACE_CHARS) or None
        return
    tail = paragraph[-1].tail
    if tail and tail[-1] not in TRAILING_SPACE_CHARS:
        return
    # The texts inside, in document order, after the last line break or picture.
    slots: list[tuple[Element, bool]] = [(paragraph, False)]
    for event, element in etree.iterwalk(paragraph, events=("start", "end")):
        if element is paragraph:
            continue
        if event == "start":
            if element.tag in ("br", "img"):
                slots.clear()
            else:
                slots.append((element, False))
        else:
            slots.append((element, True))
    for slot in reversed(slots):
        inner = get_slot(slot)
        if not inner:
            continue
        stripped = inner.rstrip(TRAILING_SPACE_CHARS)
        if stripped:
            if stripped != inner:
                set_slot(slot, stripped)
            return
        set_slot(slot, None)
