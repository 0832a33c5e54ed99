"""Cleaning time of a normal body and of a 100,000-level body, side by side.

Each body goes through the cleaning pipeline (``CleanHtmlPipeline`` with the
project's settings: its bounds included) as a crawl sends it, and the CPU
time (``time.process_time_ns``) per body is the best of several rounds.

- ``normal``: the bodies of the bundled replica's ordinary articles (2-7 KB
  of the source's junk-laden HTML each), per body;
- ``deep``: ``<p>开头</p>`` and 100,000 nested ``<div>`` around a line of text
  (1.1 MB), which took about 50 s to clean before the bounds; with the
  default bounds (``deep``), and with room for its size so that its depth
  is what refuses it (``deep, 2 MB bound``);
- ``deep, unclosed``: the same without end tags (0.5 MB).

    python benchmarks/cleaning.py [--rounds N]

Prints one line per body kind (µs per body, what became of it) and the ratio
of the deep body's time to the normal one's.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scrapy.exceptions import DropItem  # noqa: E402
from scrapy.utils.test import get_crawler  # noqa: E402

from newscrawl.items import Article  # noqa: E402
from newscrawl.pipelines.clean import CleanHtmlPipeline  # noqa: E402
from newscrawl.replica.server import DEFAULT_DATA_DIR  # noqa: E402
from newscrawl.runner import project_settings  # noqa: E402

LEVELS = 100_000


def normal_bodies() -> list[str]:
    """The bodies of the replica's ordinary articles (edge cases left out)."""
    bodies = []
    for path in sorted((DEFAULT_DATA_DIR / "articles").glob("*.json")):
        data = json.loads(path.read_text("utf-8"))
        body = data.get("text") or data.get("content")
        if isinstance(body, str) and "2299" not in path.stem:
            bodies.append(body)
    return bodies


def clean_once(pipeline: CleanHtmlPipeline, body: str) -> str:
    """What became of the body: ``cleaned`` or the reject's reason."""
    try:
        pipeline.process_item(Article(code="NW1", share_url="http://h/x", body=body))
    except DropItem as dropped:
        return f"rejected: {dropped}"
    return "cleaned"


def best_us(function: Callable[[], object], rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time_ns()
        function()
        best = min(best, (time.process_time_ns() - started) / 1000)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds per body kind (best kept)")
    args = parser.parse_args()
    settings = project_settings()
    bounds = {name: settings[name] for name in settings if name.startswith("NEWSCRAWL_")}
    pipeline = CleanHtmlPipeline.from_crawler(get_crawler(settings_dict=bounds))
    # The closed 100,000-level body is larger than the default size bound:
    # this pipeline lets it through to the nesting bound.
    roomy = CleanHtmlPipeline.from_crawler(get_crawler(settings_dict={
        **bounds, "NEWSCRAWL_MAX_BODY_CHARS": 2_000_000}))
    deep = "<p>开头</p>" + "<div>" * LEVELS + "深处的文字" + "</div>" * LEVELS
    kinds = {
        "normal": (pipeline, normal_bodies()),
        "deep": (pipeline, [deep]),
        "deep, 2 MB bound": (roomy, [deep]),
        "deep, unclosed": (pipeline, ["<p>开头</p>" + "<div>" * LEVELS + "深处的文字"]),
    }
    results: dict[str, float] = {}
    for kind, (cleaner, bodies) in kinds.items():
        total = best_us(
            lambda cleaner=cleaner, bodies=bodies: [clean_once(cleaner, b) for b in bodies],
            args.rounds)
        results[kind] = total / len(bodies)
        outcome = clean_once(cleaner, bodies[0]) if len(bodies) == 1 else "cleaned"
        size = statistics.median(len(b) for b in bodies)
        print(f"{kind:17s} {results[kind]:12,.0f} µs/body  ({len(bodies)} bodies, "
              f"median {size:,.0f} characters): {outcome}")
    for kind in list(kinds)[1:]:
        print(f"{kind} / normal: {results[kind] / results['normal']:.1f}x")


if __name__ == "__main__":
    main()
