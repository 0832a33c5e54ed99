"""Build the replica's golden article from the archive's golden post.

The golden post (``tests/resources/golden_post.md``, the repository's copy of
``../shared/seed/000_71ee601c13832b85.txt``) is the archive's byte-exact
rendering of one article. This script takes its body and weaves in the
editor junk of SOURCE.md §3, so that a correct cleaner, fed the replica's
JSON for that article, gives back the golden body exactly. Every insertion
is either removed whole by the cleaner (hidden paragraph, stock chart,
script, newlines between paragraphs, inline style, ideographic indentation)
or is markup around a word that stays (keyword links), so no visible word of
the text changes.

Run once (from anywhere: paths are resolved from this file); its output is
committed::

    python -m tools.make_golden

``--check`` compares instead of writing (exit 1 on a difference).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

CODE = "NW202112282228838683"
TITLE = "中国移动2022年工作会议提出：加快构筑创世界一流“力量大厦” 奋勇当先做强做优做大数字经济"
SHOWTIME = "2021-12-28 19:34:54"
MEDIA = "人民邮电报"
DIGEST = (
    "【中国移动2022年工作会议】12月26-28日，中国移动深入学习贯彻落实"
    "党的十九届六中全会精神暨2022年工作会议以线上线下结合方式召开。"
)

REPO_ROOT = Path(__file__).resolve().parents[1]
#: The repository's copy of the golden post (tests/test_golden_fixture.py keeps
#: it equal to ../shared/seed/000_71ee601c13832b85.txt where that exists).
SEED = REPO_ROOT / "tests" / "resources" / "golden_post.md"
OUT_DIR = REPO_ROOT / "newscrawl" / "replica" / "data" / "articles"

# The junk, exactly as the source's editor writes it (SOURCE.md §3).
HIDDEN = '<p style="display:none;height:1px;overflow:hidden;"><br /></p>'
CHART = (
    "<!-- EM_StockImg_Start -->"
    '<p style="text-align:center;"><a href="http://quote.example/unify/r/1.600941"'
    ' class="EmImageRemark"><img src="http://kline.example/GetPic.aspx?nid=1.600941'
    '&imageType=k" border="0" /></a></p>'
    "<!-- EM_StockImg_End -->"
)
KEYTIP = (
    '<span id="stock_1.600941"><a href="http://quote.example/unify/r/1.600941"'
    ' class="keytip" data-code="1,600941">中国移动</a></span><span id="quote_1.600941"></span>'
)
COMMON = (
    '<span web="1" href="http://quote.example/unify/r/90.BK0714"'
    ' class="em_stock_key_common" data-code="90,BK0714">5G</span>'
)
INFOKEY = (
    '<span id="Info.3321"><a href="http://data.example/bbsj/" class="infokey">营业收入</a></span>'
)
SCRIPT = '<script type="text/javascript">var emStockCodes = ["1.600941"];</script>'
STYLED_P = '<p style="text-align:justify;">'
INDENT = "\u3000\u3000"


def golden_body(seed_text: str) -> str:
    """The HTML between the front matter and the blank line before the share link."""
    match = re.match(r"---\n.*?\n---\n(.*?)\n\n<http", seed_text, re.DOTALL)
    if match is None:
        raise ValueError("seed file does not have the archive post's shape")
    return match.group(1)


def _replace_once(text: str, old: str, new: str) -> str:
    if old not in text:
        raise ValueError(f"{old!r} not found")
    return text.replace(old, new, 1)


def weave(body: str) -> str:
    """The golden body with SOURCE.md §3 junk woven in (see the module docstring)."""
    paragraphs = re.split(r"(?<=</p>)(?=<p)", body)
    if "".join(paragraphs) != body or len(paragraphs) != 10:
        raise ValueError("unexpected golden body structure")
    p = list(paragraphs)
    # Paragraph 0: indentation and the stock keyword link around the first 中国移动.
    p[0] = _replace_once(p[0], "<p>", "<p>" + INDENT)
    p[0] = _replace_once(p[0], "中国移动", KEYTIP)
    # Paragraph 1: an inline style and the board keyword span around "5G".
    p[1] = _replace_once(p[1], "<p>", STYLED_P)
    p[1] = _replace_once(p[1], "持续打造5G", "持续打造" + COMMON)
    # Indentation on some more paragraphs.
    for i in (2, 5, 7):
        p[i] = _replace_once(p[i], "<p>", "<p>" + INDENT)
    # Paragraph 6: the data keyword link around 营业收入.
    p[6] = _replace_once(p[6], "营业收入增速", INFOKEY + "增速")
    pieces = [HIDDEN, p[0], CHART, *p[1:5], SCRIPT, *p[5:]]
    return "\n".join(pieces)


def article(seed_text: str) -> dict[str, Any]:
    """The golden article as the source's JSON endpoint answers it."""
    return {
        "title": TITLE,
        "showtime": SHOWTIME,
        "medianame": MEDIA,
        "digest": DIGEST,
        "text": weave(golden_body(seed_text)),
    }


def render(seed_text: str) -> str:
    return json.dumps(article(seed_text), ensure_ascii=False, indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--seed", type=Path, default=SEED, help="golden post (default: %(default)s)"
    )
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="articles directory")
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)
    text = render(args.seed.read_text(encoding="utf-8"))
    target = args.out / f"{CODE}.json"
    if args.check:
        same = target.exists() and target.read_text(encoding="utf-8") == text
        print(f"{target}: {'up to date' if same else 'DIFFERS'}")
        return 0 if same else 1
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
