"""What the archive's first generator served, that must keep answering (SOURCE.md §6).

Its category slugs came from a pinyin table that ignores context, and some
kept spaces and parentheses; newscrawl writes the corrected slug, and the
old category page and the old post URLs become redirect pages to the new
ones.  Posts it had moved out of ``_posts/`` were served by Jekyll at
``/old_post/<file name>.html``.
"""

from __future__ import annotations

from datetime import date, datetime

from newscrawl.formats.jekyll.post import permalink

OLD_POSTS_DIR = "old_post"

#: Category slugs the first generator published -> the slug newscrawl writes for the
#: same media.  (A slug with a space was two categories to Jekyll: ``/a/b/YYYY/…``.)
SLUG_CORRECTIONS: dict[str, str] = {
    # 央行网站: 行 read xing
    "yangxingwangzhan": "yanghangwangzhan",
    # 中国银行, 中国银行保险报: 银行 read yinxing
    "zhongguoyinxing": "zhongguoyinhang",
    "zhongguoyinxingbaoxianbao": "zhongguoyinhangbaoxianbao",
    # 重庆日报: 重 read zhong
    "zhongqingribao": "chongqingribao",
    # spaces and parentheses kept from the media name
    "21shijijingjibaodao 21caijingAPP": "21shijijingjibaodao21caijingAPP",
    "anxinguojizhengquan(xianggang)": "anxinguojizhengquanxianggang",
}


def former_slugs(slug: str) -> list[str]:
    """The first generator's slugs that newscrawl corrected to ``slug``."""
    return [old for old, new in SLUG_CORRECTIONS.items() if new == slug]


def old_post_url(day: date | datetime, name: str) -> str:
    """Where Jekyll served a post that the first generator had moved to ``old_post/``."""
    return f"/{OLD_POSTS_DIR}/{day:%Y-%m-%d}-{name}.html"


def former_post_urls(slug: str, day: date | datetime, name: str) -> list[str]:
    """The URLs a media post of category ``slug`` had under the slugs corrected to it."""
    return [permalink(old, day, name) for old in former_slugs(slug)]


def former_category_page(old_slug: str) -> str:
    """The first generator's category page of ``old_slug`` (``category/<old slug>.html``)."""
    return f"category/{old_slug}.html"
