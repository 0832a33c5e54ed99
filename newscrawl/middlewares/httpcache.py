"""Conditional requests for listings: Scrapy's HTTP cache, told to revalidate every time.

Category pages, post pages and feeds are asked again on every run, but with
the validators of the last answer (``If-None-Match`` / ``If-Modified-Since``),
so an unchanged page costs the source a bodiless 304.  Scrapy's
``HttpCacheMiddleware`` does the work; this module gives it:

- :class:`RevalidatePolicy`, an ``RFC2616Policy`` that treats every cached
  answer as stale and always revalidates it.  Scrapy's policy would serve a
  page with only ``Last-Modified`` from the cache for a tenth of its age
  without asking (a heuristic freshness that would hide new articles for
  hours), and for an answer marked ``Cache-Control: no-cache`` it refetches
  without validators at all, so no 304 is ever possible.  It also keeps
  article answers out of the cache: the store is their cache, and
  ``--refresh`` must really fetch them again.  A 5xx answer is not replaced
  by the cached page either: the failure is retried and reported like any
  other.
- :class:`RevalidatingCacheMiddleware`, Scrapy's ``HttpCacheMiddleware``
  less its "error recovery": on a download error (the source down, a refused
  connection, a timeout) Scrapy answers with the cached page, so a run while
  the source is unreachable would re-read last run's listings and end as a
  success.  Here the error goes on to the retry middleware and the run
  report, like any other failure.
- :class:`ArchiveCacheStorage`, which keeps each answer as one JSON file under
  ``<archive>/.newscrawl/httpcache``, written atomically.  Scrapy's
  ``FilesystemCacheStorage`` writes an answer as several files one after the
  other; a run killed between them can leave the new ``ETag`` beside the old
  body, which the next run would then revalidate (304) and keep for good.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from time import time
from typing import Any
from urllib.parse import urlsplit

from scrapy import Spider
from scrapy.downloadermiddlewares.httpcache import HttpCacheMiddleware
from scrapy.extensions.httpcache import RFC2616Policy
from scrapy.http import Request, Response
from scrapy.settings import BaseSettings
from scrapy.utils.response import response_from_dict

from newscrawl.archive import Archive
from newscrawl.archive.atomic import write_atomic
from newscrawl.sources import eastmoney as source


def is_article_request(request: Request) -> bool:
    return urlsplit(request.url).path.endswith(source.ARTICLE_PATH)


class RevalidatingCacheMiddleware(HttpCacheMiddleware):
    """Scrapy's HTTP cache middleware that never hides a download error behind a cached page."""

    def process_exception(
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> Request | Response | None:
        request.meta.pop("cached_response", None)
        return None


class RevalidatePolicy(RFC2616Policy):
    """Cache listings only, and revalidate every cached listing on every request."""

    def should_cache_request(self, request: Request) -> bool:
        if is_article_request(request):
            return False
        return super().should_cache_request(request)

    def is_cached_response_fresh(self, cachedresponse: Response, request: Request) -> bool:
        last_modified = cachedresponse.headers.get(b"Last-Modified")
        if last_modified:
            request.headers[b"If-Modified-Since"] = last_modified
        etag = cachedresponse.headers.get(b"ETag")
        if etag:
            request.headers[b"If-None-Match"] = etag
        return False

    def is_cached_response_valid(
        self, cachedresponse: Response, response: Response, request: Request
    ) -> bool:
        return response.status == 304


class ArchiveCacheStorage:
    """Cached answers as one atomically written JSON file each, inside the archive.

    Settings: ``HTTPCACHE_DIR`` (relative to ``<archive>/.newscrawl``, where the
    archive is ``NEWSCRAWL_OUT_DIR``; default ``httpcache``) and
    ``HTTPCACHE_EXPIRATION_SECS`` (0: entries never expire).
    """

    def __init__(self, settings: BaseSettings) -> None:
        self.cachedir = Archive.from_settings(settings).httpcache_dir(settings["HTTPCACHE_DIR"])
        self.expiration_secs = settings.getint("HTTPCACHE_EXPIRATION_SECS")

    def open_spider(self, spider: Spider) -> None:
        assert spider.crawler is not None
        self._fingerprinter = spider.crawler.request_fingerprinter

    def close_spider(self, spider: Spider) -> None:
        pass

    def _path(self, request: Request) -> Path:
        key = self._fingerprinter.fingerprint(request).hex()
        return self.cachedir / key[:2] / f"{key}.json"

    def retrieve_response(self, spider: Spider, request: Request) -> Response | None:
        path = self._path(request)
        try:
            entry = json.loads(path.read_bytes())
            timestamp = float(entry["timestamp"])
            data = {
                "url": entry["url"],
                "status": int(entry["status"]),
                "headers": {
                    name.encode("latin-1"): [v.encode("latin-1") for v in values]
                    for name, values in entry["headers"].items()
                },
                "body": base64.b64decode(entry["body"]),
            }
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError):
            return None  # unreadable: fetched afresh, and replaced
        if 0 < self.expiration_secs < time() - timestamp:
            return None
        request.meta["cache_timestamp"] = timestamp
        return response_from_dict(data)

    def store_response(self, spider: Spider, request: Request, response: Response) -> None:
        entry: dict[str, Any] = {
            "timestamp": time(),
            "request_url": request.url,
            "url": response.url,
            "status": response.status,
            "headers": {
                name.decode("latin-1"): [v.decode("latin-1") for v in values]
                for name, values in response.headers.items()
            },
            "body": base64.b64encode(response.body).decode("ascii"),
        }
        write_atomic(self._path(request), json.dumps(entry).encode("utf-8"))
