"""Running newscrawl's spiders from Python: settings, one crawl, its summary."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scrapy import Spider
from scrapy.crawler import AsyncCrawlerProcess, Crawler
from scrapy.settings import Settings

from newscrawl.extensions.report import RunReport, RunSummary


def project_settings(overrides: Mapping[str, Any] | None = None) -> Settings:
    """newscrawl's settings (``newscrawl.settings``), with ``overrides`` on top.

    Works from any directory: it does not depend on ``scrapy.cfg``.
    """
    settings = Settings()
    settings.setmodule("newscrawl.settings", priority="project")
    if overrides:
        settings.update(dict(overrides), priority="cmdline")
    return settings


@dataclass
class CrawlResult:
    summary: RunSummary
    stats: dict[str, Any]
    error: str | None = None


def find_report(crawler: Crawler) -> RunReport | None:
    if crawler.extensions is None:
        return None
    for extension in crawler.extensions.middlewares:
        if isinstance(extension, RunReport):
            return extension
    return None


def run_crawl(
    spider_cls: type[Spider], settings: Settings, **spider_kwargs: Any
) -> CrawlResult:
    """Run one crawl to its end in this process (the reactor runs once per process)."""
    process = AsyncCrawlerProcess(settings)
    # The problems are reported by RunReport in one line each; Scrapy's own
    # traceback-sized log lines for the same faults would only repeat them.
    logging.getLogger("scrapy.downloadermiddlewares.robotstxt").setLevel(logging.CRITICAL)
    crawler = process.create_crawler(spider_cls)
    errors: list[str] = []

    def crawl_done(task: asyncio.Task[None]) -> None:
        exc = None if task.cancelled() else task.exception()
        if exc is not None:
            errors.append(" ".join(str(exc).split()) or type(exc).__name__)

    process.crawl(crawler, **spider_kwargs).add_done_callback(crawl_done)
    process.start()
    report = find_report(crawler)
    summary = report.summary if report else RunSummary()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    result = CrawlResult(summary, stats, errors[0] if errors else None)
    _finished.append(result)
    return result


#: The crawls this process ran (one, in practice), for the run log.
_finished: list[CrawlResult] = []


def finished_crawls() -> list[CrawlResult]:
    """The crawls run so far by this process, oldest first."""
    return list(_finished)
