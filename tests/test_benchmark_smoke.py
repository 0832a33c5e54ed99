"""The benchmark runs end to end and writes every figure (a smoke run: no timing is asserted)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from newscrawl.settings import CONCURRENT_ITEMS
from tests.conftest import ROOT, clean_env

TOOLS = {"newscrawl", "bare Scrapy", "asyncio crawler", "naive"}
STAGES = {"decode", "validate", "dates", "clean", "slug", "store", "render", "export"}


def test_benchmark_quick_run_writes_all_figures(tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    run = subprocess.run(
        [sys.executable, "benchmarks/run.py", "--quick", "--articles", "60",
         "--naive-limit", "10", "--repeat", "2", "--work", str(tmp_path / "work"),
         "--results", str(results)],
        capture_output=True, text=True, cwd=ROOT, env=clean_env(), timeout=900,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    figures = json.loads(results.read_text(encoding="utf-8"))

    runs = {(r["tool"], r["latency_ms"]): r for r in figures["runs"]}
    expected_runs = {(tool, ms) for tool in TOOLS for ms in (0, 50)}
    # The bare spider with newscrawl's CONCURRENT_ITEMS, for the CPU comparison.
    same_items = f"bare Scrapy, CONCURRENT_ITEMS {CONCURRENT_ITEMS}"
    expected_runs.add((same_items, 0))
    if shutil.which("redis-server"):  # newscrawl as two workers on one Redis, too
        expected_runs.add(("newscrawl, 2 Redis workers", 50))
    assert set(runs) == expected_runs
    for (tool, ms), r in runs.items():
        expected = 10 if (tool, ms) == ("naive", 50) else 60
        assert r["articles"] == r["article_requests"] == expected, (tool, ms, r)
        assert r["articles_per_s"] > 0 and r["cpu_ms_per_article"] > 0 and r["peak_rss_mb"] > 0
    assert set(runs[("newscrawl", 0)]["phase_peak_mb"]) == {"crawl", "export"}
    for tool in ("newscrawl", "bare Scrapy", same_items, "asyncio crawler"):  # --repeat 2
        trials = runs[(tool, 0)]["cpu_ms_runs"]
        assert len(trials) == 2 and runs[(tool, 0)]["cpu_ms_per_article"] == pytest.approx(
            min(trials), abs=0.001)
    assert runs[("newscrawl", 50)]["cpu_ms_runs"] == [
        pytest.approx(runs[("newscrawl", 50)]["cpu_ms_per_article"], abs=0.001)]
    # 4 per latency (against naive and bare: articles/s, CPU), 1 against bare with the same
    # CONCURRENT_ITEMS, 2 against asyncio, 2 of the empty crawl, 2 per Redis run.
    assert len(figures["ratios"]) == 13 + 2 * (len(expected_runs) - 9)
    startup = figures["startup"]
    assert set(startup) == {"newscrawl", "bare Scrapy", "asyncio crawler"}
    assert all(len(f["cpu_s_runs"]) == 2 and f["cpu_s"] > 0 for f in startup.values())
    if shutil.which("jekyll"):  # the archive of 6 and of 60 posts, built by jekyll
        jekyll = figures["jekyll"]
        assert [size["posts"] for size in jekyll["sizes"]] == [6, 60]
        for size in jekyll["sizes"]:
            [build] = size["builds"]
            assert build["mode"] == "plugins" and build["site_files"] > size["posts"]
        assert set(jekyll["ratios"]) == {"plugins 60/6"}
    assert figures["settings"]["concurrent_items"] == CONCURRENT_ITEMS
    assert set(figures["stages"]["us_per_article"]) == STAGES
    assert figures["stages"]["articles"] == 60
    assert "cleaning" in figures["cprofile"]["share"]
    assert figures["export"]["posts"] == 60 and figures["export"]["wall_s"] > 0
    assert {t["target"].split(":")[0] for t in figures["targets"]} >= {"50 ms", "0 ms"}
    assert figures["machine"]["nproc"] and figures["machine"]["scrapy"]
    assert "| target | value | met |" in run.stdout
