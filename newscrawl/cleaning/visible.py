"""What a reader sees of a body.
"""

from __future__ import annotations

import html as html_lib
import re

import nh3

from newscrawl.cleaning.text import has_text

IMG_RE = re.compile(r"<img\b", re.IGNORECASE)


def has_visible_content(html: str) -> bool:
    """Whether a body shows anything: some text that is not white space, or a picture.

    Cheap on purpose (it runs on every article): nh3 with no tags allowed
    leaves the text, which is unescaped and looked at; no tree is built.
    """
    if IMG_RE.search(html):
        return True
    return has_text(html_lib.unescape(nh3.clean(html, tags=set())))
