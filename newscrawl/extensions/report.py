"""The run's report: a progress line while it runs, a summary at the end, the rejects log.

Nothing is silently dropped: every rejected article (dropped by a pipeline)
and every failed fetch is appended to ``.newscrawl/rejects.jsonl`` in the
archive directory with its time, URL, code and reason, and listed in the
summary.  Such articles are not in the store, so the next run tries them again.
An article whose request ends in no callback (an exception in a pipeline or
in the spider) is a failure too: each
article the crawl asked for ends as exactly one of written, rejected or
failed.  A bound the crawl hit (pages of a listing, links of a page) is a
``limit`` line of the summary.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from itemadapter import ItemAdapter
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from twisted.internet import task
from twisted.python.failure import Failure

from newscrawl import signals as newscrawl_signals
from newscrawl.archive import Archive
from newscrawl.pipelines.validate import DuplicateArticle
from newscrawl.spiders.base import ARTICLE_KEY
from newscrawl.text import printable

logger = logging.getLogger(__name__)

@dataclass
class Problem:
    """A rejected or failed article or page, with its one-line reason."""

    kind: str  # "rejected" or "failed"
    url: str
    code: str | None
    reason: str

    def line(self) -> str:
        """One line, whatever the source put in the code, URL or reason (see :func:`printable`)."""
        if not self.code:  # a page, not an article: its URL says it all
            return printable(f"{self.kind} {self.url}: {self.reason}")
        return printable(f"{self.kind} {self.code}: {self.reason} ({self.url})")


@dataclass
class RunSummary:
    pages: int = 0
    written: int = 0
    unchanged: int = 0
    duplicates: int = 0
    problems: list[Problem] = field(default_factory=list)
    #: Bounds hit, as ``(URL, reason)``, each once.
    limits: list[tuple[str, str]] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    finish_reason: str = ""
    #: Why the export at the end of the run failed ("" when it did not).
    export_error: str = ""

    @property
    def rejected(self) -> list[Problem]:
        return [p for p in self.problems if p.kind == "rejected"]

    @property
    def failed(self) -> list[Problem]:
        return [p for p in self.problems if p.kind == "failed"]

    def counts(self) -> str:
        # Articles reach the archive's files only through the export at the end:
        # when it failed, they are stored, not written.
        stored = "stored, not exported" if self.export_error else "written"
        return (
            f"{self.pages} pages, {self.written} {stored}, "
            f"{self.unchanged} unchanged, {len(self.rejected)} rejected, "
            f"{len(self.failed)} failed"
        )

    def progress_line(self) -> str:
        """While the crawl runs: plainly a progress report, not the summary."""
        elapsed = time.monotonic() - self.started
        return f"newscrawl: crawling for {elapsed:.0f}s, so far {self.counts()}"

    def summary_lines(self) -> list[str]:
        """The end of the run: its counts, then every problem, one line each."""
        elapsed = time.monotonic() - self.started
        lines = [f"newscrawl: {self.counts()} in {elapsed:.1f}s"]
        lines.extend(f"  {problem.line()}" for problem in self.problems)
        lines.extend("  " + printable(f"limit {url}: {reason}") for url, reason in self.limits)
        return lines

    def export_error_line(self) -> str:
        """The one line of a failed export ("" when it did not fail)."""
        if not self.export_error:
            return ""
        return printable(f"newscrawl: the archive could not be exported: {self.export_error}")


class RunReport:
    """Counts what a crawl does, logs progress, records rejects.

    Settings: ``NEWSCRAWL_OUT_DIR`` (the archive, which says where its rejects
    log is), ``NEWSCRAWL_PROGRESS_INTERVAL`` (seconds between progress lines;
    0 = none), ``NEWSCRAWL_REPORT_ENABLED``.
    """

    def __init__(self, rejects_path: Path, interval: float,
                 stream: TextIO | None = None) -> None:
        self.summary = RunSummary()
        self.rejects_path = rejects_path
        self.interval = interval
        self.stream = stream or sys.stderr
        self._loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunReport:
        settings = crawler.settings
        if not settings.getbool("NEWSCRAWL_REPORT_ENABLED"):
            raise NotConfigured
        report = cls(
            Archive.from_settings(settings).rejects_path,
            settings.getfloat("NEWSCRAWL_PROGRESS_INTERVAL"),
        )
        crawler.signals.connect(report.archive_wrote, signal=newscrawl_signals.archive_wrote)
        crawler.signals.connect(report.response_received, signal=signals.response_received)
        crawler.signals.connect(report.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(report.fetch_failed, signal=newscrawl_signals.fetch_failed)
        crawler.signals.connect(report.export_failed, signal=newscrawl_signals.export_failed)
        crawler.signals.connect(report.limit_reached, signal=newscrawl_signals.limit_reached)
        crawler.signals.connect(report.item_error, signal=signals.item_error)
        crawler.signals.connect(report.spider_error, signal=signals.spider_error)
        crawler.signals.connect(report.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(report.spider_closed, signal=signals.spider_closed)
        return report

    def spider_opened(self, spider: Spider) -> None:
        self.summary.started = time.monotonic()
        if self.interval > 0:
            self._loop = task.LoopingCall(self._progress)
            self._loop.start(self.interval, now=False)

    def _progress(self) -> None:
        print(self.summary.progress_line(), file=self.stream, flush=True)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self.summary.finish_reason = reason
        if self._loop is not None and self._loop.running:
            self._loop.stop()

    def response_received(self, response: Response, request: Any, spider: Spider) -> None:
        self.summary.pages += 1

    def archive_wrote(self, code: str, status: str) -> None:
        if status == "unchanged":
            self.summary.unchanged += 1
        else:
            self.summary.written += 1

    def item_dropped(
        self, item: Any, response: Response | None, exception: BaseException, spider: Spider
    ) -> None:
        if isinstance(exception, DuplicateArticle):
            self.summary.duplicates += 1
            return
        adapter = ItemAdapter(item)
        self._record(
            Problem(
                "rejected",
                str(adapter.get("share_url") or (response.url if response else "")),
                adapter.get("code"),
                str(exception),
            )
        )

    def fetch_failed(self, url: str, code: str | None, reason: str) -> None:
        self._record(Problem("failed", url, code, reason))

    def export_failed(self, reason: str) -> None:
        self.summary.export_error = reason
    def limit_reached(self, url: str, reason: str) -> None:
        if (url, reason) not in self.summary.limits:
            self.summary.limits.append((url, reason))
            logger.info("limit %s: %s", url, reason)

    def item_error(
        self, item: Any, response: Response | None, spider: Spider, failure: Failure
    ) -> None:
        """An exception in a pipeline: the article is a failure, not lost."""
        adapter = ItemAdapter(item)
        url = str(adapter.get("share_url") or (response.url if response else ""))
        reason = f"could not be archived: {_exception_line(failure.value)}"
        self._record(Problem("failed", url, adapter.get("code"), reason))

    def spider_error(self, failure: Failure, response: Response, spider: Spider) -> None:
        """An exception in a spider callback: its article or page is a failure."""
        article = response.meta.get(ARTICLE_KEY) if response.request is not None else None
        reason = f"could not be read: {_exception_line(failure.value)}"
        if article:
            self._record(Problem("failed", article["share_url"], article["code"], reason))
        else:
            self._record(Problem("failed", response.url, None, reason))

    def _record(self, problem: Problem) -> None:
        self.summary.problems.append(problem)
        logger.info(problem.line())
        record = {
            "time": datetime.now().astimezone().isoformat(timespec="seconds"),
            "kind": problem.kind,
            "url": problem.url,
            "code": problem.code,
            "reason": problem.reason,
        }
        self.rejects_path.parent.mkdir(parents=True, exist_ok=True)
        # A lone surrogate from the source becomes its JSON escape, not an error.
        with self.rejects_path.open("a", encoding="utf-8", errors="backslashreplace") as handle:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def _exception_line(exc: BaseException) -> str:
    """``Type: message`` of an exception, on one line and short."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}"[:300] if text else type(exc).__name__
