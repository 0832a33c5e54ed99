"""The local replica of the source (SOURCE.md §2): a small threaded HTTP server.

It serves share pages, the article JSON endpoint, category pages, archive
post pages and list feeds from a data directory (by default the packaged
``data/``; see ``data/README.md``).  Tests put it in place of the real hosts
with ``http_proxy=http://127.0.0.1:PORT``: absolute-form request targets
(``GET http://finews.zning.xyz/path?q HTTP/1.1``) are answered like
origin-form ones, by path and query, whatever the host.

Test hooks, never linked from any page:

- ``GET /__requests``: ``{"<path?query>": count}`` of the requests received
  since start or the last reset (origin-form; hooks themselves not counted);
- ``GET`` or ``POST /__reset``: clears the counts and the per-article fault state.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import signal
import sys
import threading
import time
import traceback
from collections import Counter
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

DEFAULT_DATA_DIR = Path(__file__).resolve().parent / "data"
FAULT_KEY = "_replica"

SHARE_PATH = "/html_News/NewsShare.html"
ARTICLE_PATH = "/NewsData/GetNewsText.do"
FEED_PATH = "/web/webapi"
MARKET_FEED_PATH = "/newmarket/web/webapi"
CATEGORY_RE = re.compile(r"^/category/([A-Za-z0-9_-]+)\.html$")

ROBOTS_TXT = "User-agent: *\nDisallow: /private/\n"
JSON_TYPE = "application/json; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"
TEXT_TYPE = "text/plain; charset=utf-8"
TIME_KEYS = ("showtime", "datetime", "showTime")
MEDIA_KEYS = ("medianame", "mediaName", "from")
DEFAULT_FEED_COUNT = 20


class ReplicaData:
    """The articles and site description of a data directory, plus the mutable test state.

    Counts and fault state are shared by the handler threads, hence the lock.
    """

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.articles: dict[str, dict[str, Any]] = {}
        self.faults: dict[str, dict[str, Any]] = {}
        for path in sorted((data_dir / "articles").glob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                raise ValueError(f"{path}: an article file must hold a JSON object")
            fault = data.pop(FAULT_KEY, None)
            self.articles[path.stem] = data
            if fault:
                self.faults[path.stem] = fault
        site_path = data_dir / "site.json"
        self.site: dict[str, Any] = (
            json.loads(site_path.read_text(encoding="utf-8")) if site_path.exists() else {}
        )
        self.categories: dict[str, dict[str, Any]] = {
            c["slug"]: c for c in self.site.get("categories", [])
        }
        # Where a post page's "back" link points: the first category listing the code.
        self.category_of: dict[str, str] = {}
        for category in self.site.get("categories", []):
            for page in category["pages"]:
                for link in page["links"]:
                    if not link.startswith("href:"):
                        self.category_of.setdefault(link.split(":", 1)[1], category["slug"])
        # Archive post pages: their path (site.json's ``posts``) -> the article's code.
        self.post_paths: dict[str, str] = {
            path: code for code, path in self.site.get("posts", {}).items()
        }
        self.last_modified: str = self.site.get(
            "last_modified", "Tue, 25 Jan 2022 10:05:44 GMT"
        )
        self.lock = threading.Lock()
        self.counts: Counter[str] = Counter()
        self.failures_played: Counter[str] = Counter()

    def count(self, target: str) -> None:
        with self.lock:
            self.counts[target] += 1

    def snapshot(self) -> dict[str, int]:
        with self.lock:
            return dict(self.counts)

    def reset(self) -> None:
        with self.lock:
            self.counts.clear()
            self.failures_played.clear()

    def take_failure(self, code: str) -> int | None:
        """The status to fail with for this request of article ``code``, if any.

        ``fail_first`` articles answer that status to their first ``fail_count``
        (default 1) requests since start or reset.
        """
        fault = self.faults.get(code, {})
        status = fault.get("fail_first")
        if not status:
            return None
        with self.lock:
            if self.failures_played[code] >= int(fault.get("fail_count", 1)):
                return None
            self.failures_played[code] += 1
        return int(status)


def split_target(target: str) -> tuple[str | None, str]:
    """``(host or None, origin-form target)`` of a request target.

    ``http://host/path?q`` (absolute form, as sent to a proxy) gives
    ``("host", "/path?q")``; ``/path?q`` gives ``(None, "/path?q")``.
    The query is kept exactly as received.
    """
    if target.startswith("/"):
        return None, target
    parts = urlsplit(target)
    if parts.scheme and parts.netloc:
        origin = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return parts.netloc, origin
    return None, target


def first_value(data: dict[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        if data.get(key) is not None:
            return data[key]
    return None


def _int_param(params: dict[str, list[str]], key: str) -> int | None:
    try:
        return int(params[key][0])
    except (KeyError, ValueError):
        return None


class ReplicaServer(ThreadingHTTPServer):
    """A :class:`ThreadingHTTPServer` that carries the replica's data and options."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, port: int, data: ReplicaData, latency: float) -> None:
        self.data = data
        self.latency = latency
        self.verbose = False
        super().__init__(("127.0.0.1", port), ReplicaHandler)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up early (timeouts in tests) is not an error worth a traceback.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class ReplicaHandler(BaseHTTPRequestHandler):
    """Routes one request; see the module docstring and SOURCE.md §2."""

    server: ReplicaServer
    protocol_version = "HTTP/1.1"
    server_version = "newscrawl-replica/1"
    _head = False  # answering a HEAD request: headers only
    _host = ""  # host for absolute links in pages: the request's

    # ------------------------------------------------------------------ plumbing

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            super().log_message(format, *args)

    def do_GET(self) -> None:
        self._handle(head=False)

    def do_HEAD(self) -> None:
        self._handle(head=True)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        _, target = split_target(self.path)
        if target.split("?", 1)[0] == "/__reset":
            self._reset()
            return
        self.server.data.count(target)
        self._send(HTTPStatus.METHOD_NOT_ALLOWED, b"method not allowed\n", TEXT_TYPE,
                   {"Allow": "GET, HEAD"})

    def do_CONNECT(self) -> None:
        # No HTTPS: the replica is only ever an http:// proxy stand-in.
        self.server.data.count(self.path)
        self.close_connection = True
        self._send(HTTPStatus.METHOD_NOT_ALLOWED, b"CONNECT is not supported\n", TEXT_TYPE,
                   {"Allow": "GET, HEAD, POST", "Connection": "close"})

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if status == HTTPStatus.NOT_MODIFIED:
            self.end_headers()
            return
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not self._head:
            self.wfile.write(body)

    def _send_json(self, status: int, data: Any) -> None:
        self._send(status, json.dumps(data, ensure_ascii=False).encode("utf-8"), JSON_TYPE)

    def _send_cacheable(self, body: bytes, content_type: str) -> None:
        """A 200 with ``ETag`` and ``Last-Modified``, or 304 if the client has it."""
        etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
        last_modified = self.server.data.last_modified
        headers = {"ETag": etag, "Last-Modified": last_modified, "Cache-Control": "no-cache"}
        if self._not_modified(etag, last_modified):
            self._send(HTTPStatus.NOT_MODIFIED, b"", content_type, headers)
        else:
            self._send(HTTPStatus.OK, body, content_type, headers)

    def _not_modified(self, etag: str, last_modified: str) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
            return "*" in tags or etag in tags
        if_modified_since = self.headers.get("If-Modified-Since")
        if if_modified_since:
            try:
                since = parsedate_to_datetime(if_modified_since)
                return parsedate_to_datetime(last_modified) <= since
            except (TypeError, ValueError):
                return False
        return False

    def _not_found(self, what: str = "not found") -> None:
        self._send(HTTPStatus.NOT_FOUND, f"{what}\n".encode(), TEXT_TYPE)

    # ------------------------------------------------------------------- routing

    def _handle(self, head: bool) -> None:
        self._head = head
        host, target = split_target(self.path)
        self._host = host or self.headers.get("Host") or f"127.0.0.1:{self.server.port}"
        path, _, query = target.partition("?")
        params = parse_qs(query)
        if path == "/__requests":
            self._send_json(HTTPStatus.OK, self.server.data.snapshot())
            return
        if path == "/__reset":
            self._reset()
            return
        self.server.data.count(target)
        if self.server.latency > 0:
            time.sleep(self.server.latency)
        try:
            self._route(path, params)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception:
            traceback.print_exc()
            self.close_connection = True
            self._send(HTTPStatus.INTERNAL_SERVER_ERROR, b"replica error\n", TEXT_TYPE)

    def _route(self, path: str, params: dict[str, list[str]]) -> None:
        if path == "/robots.txt":
            self._send(HTTPStatus.OK, ROBOTS_TXT.encode(), TEXT_TYPE)
        elif path == "/":
            self._send(HTTPStatus.OK, self._home_page().encode(), HTML_TYPE)
        elif path == "/tags.html":
            self._send(HTTPStatus.OK, self._tags_page().encode(), HTML_TYPE)
        elif path == SHARE_PATH:
            self._share_page(params)
        elif path == ARTICLE_PATH:
            self._article(params)
        elif path == FEED_PATH:
            self._feed(params.get("type", [""])[0], params)
        elif path == MARKET_FEED_PATH and params.get("marketType", [""])[0] == "37":
            self._feed("37", params)
        elif match := CATEGORY_RE.match(path):
            self._category(match.group(1), params)
        elif path in self.server.data.post_paths:
            self._post(self.server.data.post_paths[path])
        elif path.startswith("/private/"):
            self._send(HTTPStatus.OK, self._private_page().encode(), HTML_TYPE)
        else:
            self._not_found()

    def _reset(self) -> None:
        self.server.data.reset()
        self._send_json(HTTPStatus.OK, {"reset": True})

    # ------------------------------------------------------------------ articles

    def _share_page(self, params: dict[str, list[str]]) -> None:
        code = params.get("infoCode", [""])[0]
        if not code:
            self._send(HTTPStatus.BAD_REQUEST, b"missing infoCode\n", TEXT_TYPE)
            return
        self._send(HTTPStatus.OK, share_page(code).encode(), HTML_TYPE)

    def _article(self, params: dict[str, list[str]]) -> None:
        data = self.server.data
        code = params.get("id", [""])[0]
        if code not in data.articles:
            self._send_json(HTTPStatus.NOT_FOUND, {"error": "no such article"})
            return
        fault = data.faults.get(code, {})
        if fault.get("delay"):
            time.sleep(float(fault["delay"]))
        failure = data.take_failure(code)
        if failure is not None:
            self._send_json(failure, {"error": HTTPStatus(failure).phrase})
        elif fault.get("status"):
            status = int(fault["status"])
            self._send_json(status, {"error": HTTPStatus(status).phrase})
        elif "raw" in fault:
            self._send(HTTPStatus.OK, str(fault["raw"]).encode("utf-8"), JSON_TYPE)
        else:
            self._send_json(HTTPStatus.OK, data.articles[code])

    def _share_url(self, code: str) -> str:
        return f"http://{self._host}{SHARE_PATH}?infoCode={quote(code, safe='')}"

    # --------------------------------------------------------------------- feeds

    def _feed(self, kind: str, params: dict[str, list[str]]) -> None:
        data = self.server.data
        codes = data.site.get("feeds", {}).get(kind)
        if codes is None:
            self._not_found("no such feed")
            return
        articles = [(c, data.articles[c]) for c in codes if c in data.articles]
        articles.sort(key=lambda ca: str(first_value(ca[1], TIME_KEYS) or ""), reverse=True)
        count = _int_param(params, "count")
        articles = articles[: max(count if count is not None else DEFAULT_FEED_COUNT, 0)]
        entries: list[dict[str, Any]] = []
        for code, article in articles:
            title = article.get("title", "")
            shown = first_value(article, TIME_KEYS)
            media = first_value(article, MEDIA_KEYS)
            if kind == "102":
                entry = data.site.get("rolling_news", {}).get(code, {})
                entries.append({
                    "title": title, "digest": article.get("digest", ""),
                    "id": entry.get("id", re.sub(r"\D", "", code)), "infoCode": code,
                    "url_w": data.faults.get(code, {}).get("url_w") or entry.get("url_w")
                    or self._share_url(code),
                    "showtime": shown,
                })
            elif kind == "45":
                entries.append({"title": title, "from": media, "infocode": code,
                                "showtime": shown})
            else:
                entries.append({"title": title, "medianame": media, "infoCode": code,
                                "datetime": shown})
        key = {"102": "records", "45": "nodeList"}.get(kind, "record")
        body = json.dumps({key: entries}, ensure_ascii=False).encode("utf-8")
        self._send_cacheable(body, JSON_TYPE)

    # --------------------------------------------------------------------- pages

    def _category(self, slug: str, params: dict[str, list[str]]) -> None:
        category = self.server.data.categories.get(slug)
        number = _int_param(params, "page") if "page" in params else 1
        if category is None or number is None or not 1 <= number <= len(category["pages"]):
            self._not_found("no such page")
            return
        page = category["pages"][number - 1]
        if page.get("delay"):
            time.sleep(float(page["delay"]))
        self._send_cacheable(self._category_page(category, number).encode(), HTML_TYPE)

    def _link(self, link: str) -> str:
        """``<li>`` for a ``share:CODE``, ``post:CODE`` or ``href:URL`` link of site.json."""
        kind, code = link.split(":", 1)
        article = self.server.data.articles.get(code, {})
        title = html.escape(str(article.get("title") or code))
        shown = html.escape(str(first_value(article, TIME_KEYS) or ""))
        if kind == "href":  # any link, as given (the share links of a hostile page)
            href = code.replace("{host}", self._host)
        elif kind == "share":
            href = self._share_url(code)
        else:
            href = self.server.data.site.get("posts", {}).get(code) or f"/post/{quote(code)}.html"
        return (f'<li><a href="{html.escape(href)}">{title}</a>'
                f' <span class="time">{shown}</span></li>')

    def _category_page(self, category: dict[str, Any], number: int) -> str:
        slug = category["slug"]
        base = f"/category/{slug}.html"
        last = len(category["pages"])
        style = category.get("pagination", "full")
        head_extra = ""
        pager: list[str] = []
        next_href = f"{base}?page={number + 1}" if number < last else None
        numbers = [f'<a href="{base}?page={n}">{n}</a>' if n != number else f"<b>{n}</b>"
                   for n in range(1, last + 1)]
        if style == "full":
            pager += numbers
            if next_href:
                pager.append(f'<a rel="next" href="{next_href}">下一页</a>')
        elif style == "rel":
            if next_href:
                head_extra = f'<link rel="next" href="{next_href}">\n'
                pager.append(f'<a rel="next" href="{next_href}">&raquo;</a>')
        elif style == "text":
            if next_href:
                pager.append(f'<a href="?page={number + 1}">下一页</a>')
        else:
            pager += numbers
        if number == last and last > 1:
            pager.append(f'<a href="{base}">第一页</a>')
        links = "\n".join(self._link(link) for link in category["pages"][number - 1]["links"])
        noise = " | ".join(
            f'<a href="{html.escape(n["href"])}">{html.escape(n["text"])}</a>'
            for n in self.server.data.site.get("noise_links", [])
        )
        title = html.escape(category["title"])
        return (
            "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{title} - 第{number}页</title>\n{head_extra}</head>\n<body>\n"
            f"<div class=\"nav\">{noise}</div>\n<h1>{title}</h1>\n"
            f"<ul class=\"list\">\n{links}\n</ul>\n"
            f"<div class=\"pager\">{' '.join(pager)}</div>\n</body>\n</html>\n"
        )

    def _post(self, code: str) -> None:
        data = self.server.data
        if code not in data.articles:
            self._not_found("no such post")
            return
        article = data.articles[code]
        title = html.escape(str(article.get("title") or code))
        shown = html.escape(str(first_value(article, TIME_KEYS) or ""))
        media = html.escape(str(first_value(article, MEDIA_KEYS) or ""))
        digest = html.escape(str(article.get("digest") or ""))
        share = html.escape(self._share_url(code))
        slug = data.category_of.get(code)
        category = data.categories.get(slug or "")
        back = (f'<a href="/category/{slug}.html">返回{html.escape(category["title"])}</a>｜'
                if category else "")
        page = (
            "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{title}</title>\n</head>\n<body>\n<article>\n<h1>{title}</h1>\n"
            f"<p class=\"meta\">{shown} {media}</p>\n<p class=\"digest\">{digest}</p>\n"
            f"<p>原文：<a href=\"{share}\">{share}</a></p>\n</article>\n"
            f"<p class=\"nav\">{back}<a href=\"/\">返回首页</a></p>\n</body>\n</html>\n"
        )
        self._send(HTTPStatus.OK, page.encode(), HTML_TYPE)

    def _home_page(self) -> str:
        categories = "\n".join(
            f'<li><a href="/category/{c["slug"]}.html">{html.escape(c["title"])}</a></li>'
            for c in self.server.data.site.get("categories", [])
        )
        name = html.escape(self.server.data.site.get("site_name", "replica"))
        return (
            "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{name}</title>\n</head>\n<body>\n<h1>{name}</h1>\n"
            f"<ul>\n{categories}\n</ul>\n<p><a href=\"/tags.html\">标签云</a></p>\n"
            "</body>\n</html>\n"
        )

    def _tags_page(self) -> str:
        data = self.server.data
        tags = []
        for category in data.site.get("categories", []):
            if not category.get("media"):
                continue
            size = 12 + 2 * len(category["pages"])
            tags.append(f'<a href="/category/{category["slug"]}.html" style="font-size:{size}px">'
                        f'{html.escape(category["media"])}新闻</a>')
        return (
            "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<title>标签云</title>\n</head>\n<body>\n<h1>标签云</h1>\n"
            f"<div class=\"tags\">\n{chr(10).join(tags)}\n</div>\n"
            "<p><a href=\"/\">返回首页</a></p>\n</body>\n</html>\n"
        )

    def _private_page(self) -> str:
        links = "\n".join(self._link(link) for link in self.server.data.site.get(
            "private_links", []))
        return (
            "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<title>内部稿件</title>\n</head>\n<body>\n<h1>内部稿件（robots.txt 禁止抓取）</h1>\n"
            f"<ul>\n{links}\n</ul>\n</body>\n</html>\n"
        )


def share_page(code: str) -> str:
    """The share page: a thin shell whose script fetches the article's JSON and shows it."""
    # json.dumps makes a JS string literal; escaping "<" keeps "</script>" out of it.
    js_code = json.dumps(code).replace("<", "\\u003c")
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>资讯分享</title>
</head>
<body>
<div id="news" data-info-code="{html.escape(code)}">
<h1 class="title"></h1>
<p class="meta"></p>
<div class="content"><p class="loading">正在加载……</p></div>
</div>
<script>
(function () {{
  var code = {js_code};
  var box = document.getElementById("news");
  fetch("{ARTICLE_PATH}?id=" + encodeURIComponent(code))
    .then(function (r) {{ if (!r.ok) throw new Error(r.status); return r.json(); }})
    .then(function (d) {{
      box.querySelector(".title").textContent = d.title || "";
      box.querySelector(".meta").textContent =
        (d.showtime || d.datetime || d.showTime || "") + " " +
        (d.medianame || d.mediaName || d.from || "");
      box.querySelector(".content").innerHTML = d.text || d.content || "";
    }})
    .catch(function () {{
      box.querySelector(".content").textContent = "文章不存在或已删除";
    }});
}})();
</script>
</body>
</html>
"""


def make_server(
    data_dir: Path | None = None, port: int = 0, latency: float = 0.0
) -> ReplicaServer:
    """A replica bound to 127.0.0.1:``port`` (0: a free port), not yet serving.

    Call ``serve_forever()`` (e.g. in a daemon thread) to serve; the bound
    port is ``server.port``, the base URL ``server.url``.  ``latency`` seconds
    are added before every answer (benchmarks).
    """
    data = ReplicaData(Path(data_dir) if data_dir is not None else DEFAULT_DATA_DIR)
    return ReplicaServer(port, data, latency)


def serve(
    port: int = 0,
    data_dir: Path | None = None,
    latency: float = 0.0,
    verbose: bool = False,
) -> None:
    """Serve until SIGTERM or SIGINT; first prints ``replica: serving on URL`` to stdout."""
    server = make_server(data_dir, port, latency)
    server.verbose = verbose
    stop = threading.Event()
    previous: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            previous[signum] = signal.signal(signum, lambda *_: stop.set())
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                              name="replica", daemon=True)
    thread.start()
    print(f"replica: serving on {server.url}", flush=True)
    try:
        # A timed wait, so that the signal handler runs promptly in the main thread.
        while not stop.wait(0.5):
            pass
    finally:
        server.shutdown()
        server.server_close()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
