"""A hostile stand-in for the source: what an attacker or a broken server would send.

``python -m newscrawl.replica --hostile`` serves it on 127.0.0.1, next to an
"internal service" on another 127.0.0.1 port that a crawl must never reach.
The first two lines on stdout are ``replica: serving on URL`` and
``replica: internal service on URL``.  Tests start it as a subprocess and
crawl it through the real CLI (issue #11).

The source (its paths are the real source's, SOURCE.md §2):

- ``/category/hostile.html``: share links to every article of :data:`ATTACKS`;
  ``/web/webapi?type=45``: the same articles as a list feed;
- ``/NewsData/GetNewsText.do?id=CODE``: the answer named by ``CODE`` in
  :data:`ATTACKS` (redirects off the site, loops, meta refresh, a gzip
  bomb, JSON that Python's parser chokes on, ``Retry-After``), and an
  ordinary article for any other code;
- ``/category/endless.html?page=N``: always links page N+1 (and one article);
- ``/category/manylinks.html?count=N``: N share links (default 20,000);
- ``/category/refresh.html``: a meta refresh to the internal service;
- ``/category/offsite.html``, ``/category/selfloop.html``: a listing that
  redirects to the internal service, or to itself.

The internal service answers every request with an article titled
:data:`INTERNAL_TITLE`.  Both count what they receive: ``GET /__requests``
gives ``{"<path?query>": count}``, ``GET /__log`` the ``[time, path?query]``
of each request (for ``Retry-After``), ``GET /__reset`` clears both.

The gzip bomb is about 1 MB on the wire and inflates to :data:`BOMB_SIZE`
bytes; it is assembled from one precomputed deflate block repeated, so the
server never holds more than that block.
"""

from __future__ import annotations

import html
import json
import signal
import struct
import threading
import time
import zlib
from collections import Counter
from email.utils import formatdate
from functools import cache
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

SHARE_PATH = "/html_News/NewsShare.html"
ARTICLE_PATH = "/NewsData/GetNewsText.do"
FEED_PATH = "/web/webapi"
JSON_TYPE = "application/json; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"
TEXT_TYPE = "text/plain; charset=utf-8"

#: Title of every answer of the internal service: it must never reach the archive.
INTERNAL_TITLE = "INTERNAL SERVICE SECRET"
#: Title of an answer served only to a request that followed a redirect off the site.
OFFSITE_TITLE = "OFFSITE ANSWER"

#: Inflated size of the gzip bomb (about 1 MB compressed).
BOMB_SIZE = 1 << 30
_BOMB_CHUNK = 1 << 20
#: Bytes of the endless plain answer before the server gives up by itself.
ENDLESS_BODY_LIMIT = 2 << 30
#: Most links ``/category/manylinks.html?count=N`` serves (about 9 MB of page).
MAX_LINKS = 100_000
#: Depth of the deeply nested JSON answer (CPython's parser recurses per level).
DEEP_NESTING = 100_000
#: Digits of the long numbers: 400 (parsed, but no date), and 5000 (beyond
#: Python's default int-string limit of 4300 digits: the parser raises ValueError).
LONG_DIGITS = 400
HUGE_DIGITS = 5000
#: Seconds asked for by the ``Retry-After`` answers.
RETRY_AFTER = 2
RETRY_AFTER_LONG = 86_400

#: Article codes of the hostile answers, with what each one does.
ATTACKS: dict[str, str] = {
    "HX_OK_PLAIN": "an ordinary article",
    "HX_REDIRECT_SAMEHOST": "redirects to another path on the same host (followed)",
    "HX_REDIRECT_PORT": "redirects to the internal service on another 127.0.0.1 port",
    "HX_REDIRECT_HOST": "redirects to another host name (localhost) on the same port",
    "HX_REDIRECT_SCHEME": "redirects to https on the same host and port",
    "HX_REDIRECT_SELF": "redirects to itself",
    "HX_REDIRECT_OTHER": "redirects to another article's address (HX_OK_PLAIN) on the same host",
    "HX_REDIRECT_LOOP": "redirects to a second address that redirects back",
    "HX_META_REFRESH": "an HTML page whose meta refresh points at the internal service",
    "HX_GZIP_BOMB": "about 1 MB of gzip that inflates to 1 GiB",
    "HX_ENDLESS_BODY": "a body that never ends (no Content-Length)",
    "HX_LONE_SURROGATE": 'JSON with lone surrogates ("\\ud800") in its title',
    "HX_LONG_NUMBER": "a 400-digit number as its date",
    "HX_HUGE_NUMBER": "a 5000-digit number (beyond Python's int-string limit)",
    "HX_DEEP_NESTING": "100,000 levels of nested JSON arrays",
    "HX_RETRY_AFTER": f"503 with Retry-After: {RETRY_AFTER} once, then the article",
    "HX_RETRY_AFTER_DATE": "429 with Retry-After as an HTTP date once, then the article",
    "HX_RETRY_AFTER_LONG": f"503 with Retry-After: {RETRY_AFTER_LONG}, always",
}


def article(code: str, title: str | None = None) -> dict[str, Any]:
    """An ordinary article's JSON (the golden article's field names)."""
    return {
        "title": title or f"Hostile test article {code}",
        "showtime": "2022-01-25 10:00:00",
        "medianame": "测试报",
        "content": f"<p>Body of {html.escape(code)}.</p>",
        "digest": "",
    }


@cache
def gzip_bomb() -> tuple[bytes, bytes, int, bytes]:
    """``(head, block, count, tail)``: the bomb is ``head + block * count + tail``.

    Raw deflate with a full flush after each segment: the compressor starts
    afresh after a full flush, so every megabyte of ``A`` compresses to the
    same block, and the gzip header and trailer (CRC-32, size) are written here.
    """
    start = (
        '{"title": "bomb", "showtime": "2022-01-25 10:00:00", "medianame": "测试报", '
        '"content": "<p>'
    ).encode()
    end = b'</p>"}'
    chunk = b"A" * _BOMB_CHUNK
    count = (BOMB_SIZE - len(start) - len(end)) // _BOMB_CHUNK
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = deflate.compress(start) + deflate.flush(zlib.Z_FULL_FLUSH)
    block = deflate.compress(chunk) + deflate.flush(zlib.Z_FULL_FLUSH)
    again = deflate.compress(chunk) + deflate.flush(zlib.Z_FULL_FLUSH)
    if again != block:  # pragma: no cover - zlib's documented behaviour
        raise RuntimeError("deflate blocks differ after a full flush")
    tail = deflate.compress(end) + deflate.flush(zlib.Z_FINISH)
    crc = zlib.crc32(start)
    for _ in range(count):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(end, crc)
    size = len(start) + count * len(chunk) + len(end)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    trailer = struct.pack("<II", crc, size & 0xFFFFFFFF)
    return header + head, block, count, tail + trailer


class Recorder:
    """What a server received, for the tests; shared by its handler threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counts: Counter[str] = Counter()
        self.log: list[tuple[float, str]] = []
        self.seen: Counter[str] = Counter()  # per attack: answers given (stateful ones)

    def record(self, target: str) -> None:
        with self.lock:
            self.counts[target] += 1
            self.log.append((time.time(), target))

    def next_count(self, key: str) -> int:
        """How many times ``key`` was answered before this one."""
        with self.lock:
            count = self.seen[key]
            self.seen[key] += 1
            return count

    def reset(self) -> None:
        with self.lock:
            self.counts.clear()
            self.log.clear()
            self.seen.clear()


class HostileServer(ThreadingHTTPServer):
    """One of the two servers: the hostile source, or the internal service."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, internal: bool, port: int = 0) -> None:
        self.internal = internal
        self.recorder = Recorder()
        self.internal_port = 0  # set on the source: where its redirects point
        super().__init__(("127.0.0.1", port), HostileHandler)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients hang up on purpose (size limits): not worth a traceback


class HostileHandler(BaseHTTPRequestHandler):
    """Routes one request of either server (see the module docstring)."""

    server: HostileServer
    protocol_version = "HTTP/1.1"
    server_version = "newscrawl-hostile/1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    # ----------------------------------------------------------------- plumbing

    def _send(
        self, status: int, body: bytes, content_type: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _json(self, data: Any, status: int = HTTPStatus.OK) -> None:
        self._send(status, json.dumps(data, ensure_ascii=False).encode(), JSON_TYPE)

    def _raw_json(self, text: str) -> None:
        self._send(HTTPStatus.OK, text.encode(), JSON_TYPE)

    def _html(self, body: str) -> None:
        self._send(HTTPStatus.OK, body.encode(), HTML_TYPE)

    def _redirect(self, location: str, status: int = HTTPStatus.FOUND) -> None:
        self._send(status, b"", TEXT_TYPE, {"Location": location})

    @property
    def _origin(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"

    @property
    def _internal(self) -> str:
        return f"http://127.0.0.1:{self.server.internal_port}"

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        recorder = self.server.recorder
        if parts.path == "/__requests":
            with recorder.lock:
                self._json(dict(recorder.counts))
            return
        if parts.path == "/__log":
            with recorder.lock:
                self._json(recorder.log)
            return
        if parts.path == "/__reset":
            recorder.reset()
            self._json({"reset": True})
            return
        recorder.record(target)
        params = {k: v[0] for k, v in parse_qs(parts.query).items()}
        try:
            if self.server.internal:
                self._json(article("INTERNAL", INTERNAL_TITLE))
            else:
                self._route(parts.path, params)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    # ------------------------------------------------------------------ source

    def _route(self, path: str, params: dict[str, str]) -> None:
        if path == "/robots.txt":
            self._send(HTTPStatus.OK, b"User-agent: *\nDisallow:\n", TEXT_TYPE)
        elif path == ARTICLE_PATH:
            self._article(params.get("id", ""), params)
        elif path == FEED_PATH:
            entries = [{"title": code, "from": "测试报", "infocode": code,
                        "showtime": "2022-01-25 10:00:00"} for code in ATTACKS]
            self._json({"nodeList": entries})
        elif path == "/category/hostile.html":
            self._listing("hostile", [self._share(code) for code in ATTACKS])
        elif path == "/category/endless.html":
            self._endless(_number(params.get("page"), 1))
        elif path == "/category/manylinks.html":
            count = min(_number(params.get("count"), 20_000), MAX_LINKS)
            self._listing("manylinks", [self._share(f"HX_LINK_{n}") for n in range(count)])
        elif path == "/category/refresh.html":
            self._html(_page("refresh", f'<meta http-equiv="refresh" content="0; url='
                                        f'{self._internal}/category/secret.html">', ""))
        elif path == "/category/offsite.html":
            self._redirect(f"{self._internal}/category/secret.html")
        elif path == "/category/selfloop.html":
            self._redirect("/category/selfloop.html")
        else:
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", TEXT_TYPE)

    def _share(self, code: str) -> str:
        return f"{self._origin}{SHARE_PATH}?infoCode={quote(code)}"

    def _listing(self, name: str, links: list[str], extra: str = "") -> None:
        items = "\n".join(f'<li><a href="{html.escape(u)}">{html.escape(u)}</a></li>'
                          for u in links)
        self._html(_page(name, "", f"<ul>\n{items}\n</ul>\n{extra}"))

    def _endless(self, number: int) -> None:
        following = f"/category/endless.html?page={number + 1}"
        self._listing(
            f"endless page {number}", [self._share(f"HX_PAGE_{number}")],
            f'<a rel="next" href="{following}">下一页</a>',
        )

    def _article(self, code: str, params: dict[str, str]) -> None:
        here = f"{ARTICLE_PATH}?id={quote(code)}"
        recorder = self.server.recorder
        if params.get("moved") == "offsite" or self.headers.get("Host", "").startswith(
            "localhost"
        ):
            self._json(article(code, OFFSITE_TITLE))
        elif code == "HX_REDIRECT_SAMEHOST":
            if params.get("moved"):
                self._json(article(code))
            else:
                self._redirect(f"{here}&moved=1", HTTPStatus.MOVED_PERMANENTLY)
        elif code == "HX_REDIRECT_PORT":
            self._redirect(f"{self._internal}{here}")
        elif code == "HX_REDIRECT_HOST":
            self._redirect(f"http://localhost:{self.server.port}{here}&moved=offsite")
        elif code == "HX_REDIRECT_SCHEME":
            self._redirect(f"https://127.0.0.1:{self.server.port}{here}&moved=offsite")
        elif code == "HX_REDIRECT_SELF":
            self._redirect(here, HTTPStatus.TEMPORARY_REDIRECT)
        elif code == "HX_REDIRECT_OTHER":
            self._redirect(f"{ARTICLE_PATH}?id=HX_OK_PLAIN")
        elif code == "HX_REDIRECT_LOOP":
            self._redirect(here if params.get("hop") else f"{here}&hop=1")
        elif code == "HX_META_REFRESH":
            self._html(_page("moved", f'<meta http-equiv="refresh" content="0; url='
                                      f'{self._internal}{here}">', ""))
        elif code == "HX_GZIP_BOMB":
            self._bomb()
        elif code == "HX_ENDLESS_BODY":
            self._endless_body()
        elif code == "HX_LONE_SURROGATE":
            self._raw_json(json.dumps(article(code)).replace(
                "Hostile test article", "\\ud800 lone \\udfff surrogates"))
        elif code == "HX_LONG_NUMBER":
            self._raw_json(json.dumps(article(code)).replace(
                '"2022-01-25 10:00:00"', "9" * LONG_DIGITS))
        elif code == "HX_HUGE_NUMBER":
            self._raw_json(json.dumps(article(code)).replace(
                '"2022-01-25 10:00:00"', "9" * HUGE_DIGITS))
        elif code == "HX_DEEP_NESTING":
            self._raw_json(json.dumps(article(code)).replace(
                '"digest": ""', '"digest": ' + "[" * DEEP_NESTING + "]" * DEEP_NESTING))
        elif code == "HX_RETRY_AFTER":
            if recorder.next_count(code) == 0:
                self._send(HTTPStatus.SERVICE_UNAVAILABLE, b"busy\n", TEXT_TYPE,
                           {"Retry-After": str(RETRY_AFTER)})
            else:
                self._json(article(code))
        elif code == "HX_RETRY_AFTER_DATE":
            if recorder.next_count(code) == 0:
                when = formatdate(time.time() + RETRY_AFTER + 1, usegmt=True)
                self._send(HTTPStatus.TOO_MANY_REQUESTS, b"slow down\n", TEXT_TYPE,
                           {"Retry-After": when})
            else:
                self._json(article(code))
        elif code == "HX_RETRY_AFTER_LONG":
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, b"busy\n", TEXT_TYPE,
                       {"Retry-After": str(RETRY_AFTER_LONG)})
        else:
            self._json(article(code))

    def _bomb(self) -> None:
        head, block, count, tail = gzip_bomb()
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", JSON_TYPE)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(head) + len(block) * count + len(tail)))
        self.end_headers()
        self.wfile.write(head)
        batch = block * 64
        for _ in range(count // 64):
            self.wfile.write(batch)
        self.wfile.write(block * (count % 64))
        self.wfile.write(tail)

    def _endless_body(self) -> None:
        self.close_connection = True
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", JSON_TYPE)
        self.send_header("Connection", "close")
        self.end_headers()
        chunk = b" " * 65536
        self.wfile.write(b'{"title": "endless", "content": "')
        for _ in range(ENDLESS_BODY_LIMIT // len(chunk)):
            self.wfile.write(chunk)


def _number(text: str | None, default: int) -> int:
    return int(text) if text and text.isdigit() and len(text) < 10 else default


def _page(title: str, head: str, body: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n{head}\n'
        f"<title>{html.escape(title)}</title>\n</head>\n<body>\n{body}</body>\n</html>\n"
    )


def serve(port: int = 0) -> None:
    """Serve the source (on ``port``; 0: any free one) and the internal service
    (on any free port) until SIGTERM or SIGINT."""
    source = HostileServer(internal=False, port=port)
    internal = HostileServer(internal=True)
    source.internal_port = internal.port
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    for server in (source, internal):
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                         daemon=True).start()
    print(f"replica: serving on {source.url}", flush=True)
    print(f"replica: internal service on {internal.url}", flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        for server in (source, internal):
            server.shutdown()
            server.server_close()
