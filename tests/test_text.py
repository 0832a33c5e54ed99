"""``printable``: what a hostile source puts in a printed line cannot end, move or reorder it."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newscrawl.text import printable

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "shown"),
    [("NW1\nnewscrawl: 0 failed", "NW1\\x0anewscrawl: 0 failed"), ("a\x00b", "a\\x00b"),
     ("gpj\u202e.exe", "gpj\\u202e.exe"), ("\x1b[2J", "\\x1b[2J"), ("a\u2028b", "a\\u2028b"),
     ("\u2066x\u2069", "\\u2066x\\u2069"), ("x\U000e0041", "x\\U000e0041"), ("a\rb", "a\\x0db")],
)
def test_controls_and_bidi_characters_are_shown_as_escapes(text: str, shown: str) -> None:
    assert printable(text) == shown


def test_ordinary_lines_are_unchanged() -> None:
    line = "rejected NW202112282228838683: 人民邮电报　全角 📈 (http://h/x?a=1&b=2)"
    assert printable(line) == line


@given(st.text())
def test_a_printed_line_is_one_line_without_invisible_controls(text: str) -> None:
    shown = printable(text)
    assert len(shown.splitlines()) <= 1
    assert not any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in shown)
