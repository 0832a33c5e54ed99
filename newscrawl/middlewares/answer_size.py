"""The size bound of an answer, inflated size included, with a one-line reason.

Scrapy already stops a download past ``DOWNLOAD_MAXSIZE`` and stops
inflating a compressed answer past it (in 64 KiB steps, so a gzip bomb
costs at most that much memory), but says so in a long log line and fails
the request with a bare ``IgnoreRequest`` or ``DownloadCancelledError``,
which the crawl cannot tell from robots.txt or a shutdown.  This subclass of
Scrapy's ``HttpCompressionMiddleware`` turns both into
:class:`AnswerTooLarge`, whose message is the reason the summary shows.

Scrapy inflates into a buffer and stops only once the buffer is past the
bound: a bomb cost that buffer (8 MiB and its copies).  A gzip or deflate
answer is first inflated here chunk by chunk without keeping the output,
only counting it: a bomb is refused having held 64 KiB of it, and costs no
more memory than an ordinary article.
"""

from __future__ import annotations

import zlib
from typing import Any

from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.http import Request, Response

from newscrawl.middlewares.refused import Refused


class AnswerTooLarge(Refused):
    """An answer larger than ``DOWNLOAD_MAXSIZE``, on the wire or once inflated."""


def size_text(size: int) -> str:
    """``8 MiB``, ``512 KiB`` or ``300 bytes``: a size as a reader of the summary wants it."""
    for unit, factor in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= factor:
            return f"{size / factor:.3g} {unit}"
    return f"{size} bytes"


_CHUNK = 64 * 1024


def inflated_size(body: bytes, encoding: bytes, limit: int) -> int | None:
    """The size of a gzip or deflate ``body`` inflated, counted up to just past ``limit``.

    Holds at most one 64 KiB chunk of output.  None when ``body`` does not
    inflate (Scrapy's middleware then says why).
    """
    wbits = 31 if encoding in (b"gzip", b"x-gzip") else 15
    for bits in (wbits, -15):  # deflate: zlib-wrapped, or raw as some servers send it
        inflater = zlib.decompressobj(bits)
        size, data = 0, body
        try:
            while data and not inflater.eof:
                size += len(inflater.decompress(data, _CHUNK))
                if size > limit:
                    return size
                data = inflater.unconsumed_tail
        except zlib.error:
            if bits == -15 or encoding != b"deflate":
                return None
            continue
        return size
    return None


class BoundedCompressionMiddleware(HttpCompressionMiddleware):
    """Scrapy's decompression; a bound hit is an :class:`AnswerTooLarge` (module docstring)."""

    def _limit(self, request: Request) -> int:
        return int(request.meta.get("download_maxsize", self._max_size))

    def process_response(  # type: ignore[override]
        self, request: Request, response: Response, spider: Any = None
    ) -> Request | Response:
        encodings = [e.strip().lower() for e in b",".join(
            response.headers.getlist("Content-Encoding")).split(b",") if e.strip()]
        limit = self._limit(request)
        if limit and len(encodings) == 1 and encodings[0] in (b"gzip", b"x-gzip", b"deflate"):
            size = inflated_size(response.body, encodings[0], limit)
            if size is not None and size > limit:
                raise AnswerTooLarge(
                    f"answer larger than {size_text(limit)} once inflated "
                    f"({size_text(len(response.body))} compressed; DOWNLOAD_MAXSIZE)"
                )
        try:
            return super().process_response(request, response)
        except IgnoreRequest as exc:
            if getattr(exc.__cause__, "max_size", None) is None:
                raise
            raise AnswerTooLarge(
                f"answer larger than {size_text(self._limit(request))} once inflated "
                f"({size_text(len(response.body))} compressed; DOWNLOAD_MAXSIZE)"
            ) from exc

    def process_exception(
        self, request: Request, exception: Exception, spider: Any = None
    ) -> None:
        # Scrapy's download handler cancels the download past DOWNLOAD_MAXSIZE
        # (with a message when Content-Length announced it, without one when
        # the body grew past it); nothing else of newscrawl cancels downloads.
        text = str(exception)
        if isinstance(exception, DownloadCancelledError) and (
            not text or "max size" in text
        ):
            raise AnswerTooLarge(
                f"answer larger than {size_text(self._limit(request))} (DOWNLOAD_MAXSIZE); "
                "download stopped"
            ) from exception
