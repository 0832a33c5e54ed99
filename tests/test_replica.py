"""The local replica of the source: routes, faults, hooks, and its data."""

from __future__ import annotations

import http.client
import json
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest

from newscrawl.replica import DEFAULT_DATA_DIR, ReplicaServer, make_server
from tools import make_golden
from tools import make_replica_data as make_data
from tools import replica_corpus as corpus

GOLDEN = make_golden.CODE
#: Where the replica serves the golden article's post page (the first generator moved it).
GOLDEN_PAGE = f"/old_post/2021-12-28-{GOLDEN}.html"
ARTICLES_DIR = DEFAULT_DATA_DIR / "articles"
REPO_ROOT = Path(__file__).resolve().parents[1]


def _start(server: ReplicaServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return thread


@pytest.fixture(scope="module")
def server() -> Iterator[ReplicaServer]:
    """This module's own replica, in process (conftest's runs as a subprocess)."""
    server = make_server(port=0)
    _start(server)
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture()
def fresh(server: ReplicaServer) -> ReplicaServer:
    """The module's replica, with counts and fault state cleared."""
    _fetch(server.url + "__reset", method="POST")
    return server


# No proxy from the environment: only what a test asks for.
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _fetch(
    url: str,
    headers: dict[str, str] | None = None,
    method: str = "GET",
    opener: urllib.request.OpenerDirector = DIRECT,
) -> tuple[int, Any, bytes]:
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read()


def _json(url: str) -> Any:
    status, _, body = _fetch(url)
    assert status == 200, url
    return json.loads(body)


# ----------------------------------------------------------------------------- routes


def test_robots_txt(server: ReplicaServer) -> None:
    status, _, body = _fetch(server.url + "robots.txt")
    assert status == 200
    assert body.decode().splitlines() == ["User-agent: *", "Disallow: /private/"]


def test_share_page_is_a_js_shell(server: ReplicaServer) -> None:
    status, headers, body = _fetch(
        server.url + f"html_News/NewsShare.html?infoCode={GOLDEN}"
    )
    assert status == 200
    assert headers["Content-Type"].startswith("text/html")
    page = body.decode()
    assert "/NewsData/GetNewsText.do?id=" in page
    assert f'"{GOLDEN}"' in page
    assert "<script>" in page
    assert "中国移动" not in page  # the article itself comes from the JSON endpoint


def test_share_page_escapes_a_hostile_code(server: ReplicaServer) -> None:
    status, _, body = _fetch(
        server.url + "html_News/NewsShare.html?infoCode=%3C/script%3E%3Cb%3E"
    )
    assert status == 200
    assert b"</script><b>" not in body


def test_golden_article_json(server: ReplicaServer) -> None:
    status, headers, body = _fetch(server.url + f"NewsData/GetNewsText.do?id={GOLDEN}")
    assert status == 200
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert "人民邮电报".encode() in body  # UTF-8, not \u escapes
    data = json.loads(body)
    assert data["title"] == make_golden.TITLE
    assert data["showtime"] == "2021-12-28 19:34:54"
    assert data["medianame"] == "人民邮电报"
    assert data["digest"].startswith("【")
    assert "_replica" not in data


def test_unknown_article_is_404(server: ReplicaServer) -> None:
    status, _, _ = _fetch(server.url + "NewsData/GetNewsText.do?id=NW209912312299999999")
    assert status == 404
    status, _, _ = _fetch(server.url + "NewsData/GetNewsText.do")
    assert status == 404


def test_absolute_form_through_a_proxy_handler(fresh: ReplicaServer) -> None:
    proxied = urllib.request.build_opener(urllib.request.ProxyHandler({"http": fresh.url}))
    url = f"http://finews.zning.xyz/NewsData/GetNewsText.do?id={GOLDEN}"
    status, _, body = _fetch(url, opener=proxied)
    assert status == 200
    assert json.loads(body)["title"] == make_golden.TITLE
    # Post pages link the share page on the host the request named.
    status, _, body = _fetch(f"http://finews.withounder.com{GOLDEN_PAGE}", opener=proxied)
    assert status == 200
    assert (
        f'href="http://finews.withounder.com/html_News/NewsShare.html?infoCode={GOLDEN}"'
        in body.decode()
    )
    counts = _json(fresh.url + "__requests")
    assert counts == {
        f"/NewsData/GetNewsText.do?id={GOLDEN}": 1,
        GOLDEN_PAGE: 1,
    }


def test_connect_is_refused(server: ReplicaServer) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request("CONNECT", "finews.zning.xyz:443")
        assert connection.getresponse().status == 405
    finally:
        connection.close()


def test_post_page_uses_the_host_header(server: ReplicaServer) -> None:
    status, _, body = _fetch(
        server.url + GOLDEN_PAGE.lstrip("/"), headers={"Host": "archive.example:8080"}
    )
    assert status == 200
    page = body.decode()
    assert f"http://archive.example:8080/html_News/NewsShare.html?infoCode={GOLDEN}" in page
    assert 'href="/category/renminyoudianbao.html"' in page
    assert _fetch(server.url + "old_post/2099-12-31-NW209912312299999999.html")[0] == 404
    assert _fetch(server.url + f"post/{GOLDEN}.html")[0] == 404


def test_home_tags_and_private_pages(server: ReplicaServer) -> None:
    home = _fetch(server.url)[2].decode()
    assert 'href="/category/renminyoudianbao.html"' in home
    assert 'href="/tags.html"' in home
    tags = _fetch(server.url + "tags.html")[2].decode()
    assert "人民邮电报新闻" in tags
    status, _, body = _fetch(server.url + "private/drafts.html")
    assert status == 200
    assert make_data.PRIVATE_CODE in body.decode()
    assert _fetch(server.url + "no/such/page.html")[0] == 404


# ------------------------------------------------------------------------------ feeds


@pytest.mark.parametrize(
    ("path", "key", "fields", "time_field", "code_field"),
    [
        ("web/webapi?type=102", "records",
         {"title", "digest", "id", "infoCode", "url_w", "showtime"}, "showtime", "infoCode"),
        ("web/webapi?type=45", "nodeList",
         {"title", "from", "infocode", "showtime"}, "showtime", "infocode"),
        ("newmarket/web/webapi?marketType=37", "record",
         {"title", "medianame", "infoCode", "datetime"}, "datetime", "infoCode"),
    ],
)
def test_feeds(
    server: ReplicaServer, path: str, key: str, fields: set[str], time_field: str,
    code_field: str,
) -> None:
    status, headers, body = _fetch(server.url + path + "&count=4")
    assert status == 200
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    entries = json.loads(body)[key]
    assert len(entries) == 4
    assert all(set(entry) == fields for entry in entries)
    times = [entry[time_field] for entry in entries]
    assert times == sorted(times, reverse=True)
    full = _json(server.url + path)[key]
    assert 8 <= len(full) <= 12
    assert [e[code_field] for e in full[:4]] == [e[code_field] for e in entries]
    for entry in full:
        assert (ARTICLES_DIR / f"{entry[code_field]}.json").exists()


def test_feed_102_entries_name_their_post_and_link_the_article_page(
    server: ReplicaServer,
) -> None:
    entries = _json(server.url + "web/webapi?type=102&count=20")["records"]
    site = json.loads((DEFAULT_DATA_DIR / "site.json").read_text("utf-8"))
    assert [e["infoCode"] for e in entries] == site["feeds"]["102"]
    for entry in entries:
        digits = re.sub(r"\D", "", entry["infoCode"])
        assert entry["id"] == digits
        assert re.fullmatch(rf"http://finance\.eastmoney\.com/news/135[13],{digits}\.html",
                            entry["url_w"])
        article = _json(server.url + f"NewsData/GetNewsText.do?id={entry['infoCode']}")
        assert entry["digest"] == article["digest"]
    assert any(e["digest"].startswith("【") for e in entries)


def test_unknown_feed_is_404(server: ReplicaServer) -> None:
    assert _fetch(server.url + "web/webapi?type=1")[0] == 404
    assert _fetch(server.url + "newmarket/web/webapi?marketType=1")[0] == 404


# ------------------------------------------------------------------- category pages


def _page(server: ReplicaServer, slug: str, number: int | None = None) -> str:
    suffix = f"?page={number}" if number else ""
    status, _, body = _fetch(server.url + f"category/{slug}.html{suffix}")
    assert status == 200
    return body.decode()


def test_category_pagination_full_style(server: ReplicaServer) -> None:
    first = _page(server, "renminyoudianbao")
    assert '<a rel="next" href="/category/renminyoudianbao.html?page=2">下一页</a>' in first
    assert 'href="/category/renminyoudianbao.html?page=3"' in first
    assert "<title>人民邮电报新闻 - 第1页</title>" in first
    last = _page(server, "renminyoudianbao", 3)
    assert 'rel="next"' not in last
    assert '<a href="/category/renminyoudianbao.html">第一页</a>' in last  # the loop
    assert f'href="{GOLDEN_PAGE}"' in last
    assert _fetch(server.url + "category/renminyoudianbao.html?page=4")[0] == 404
    assert _fetch(server.url + "category/nosuchslug.html")[0] == 404


def test_category_pagination_other_styles(server: ReplicaServer) -> None:
    assert '<link rel="next" href="/category/chongqingribao.html?page=2">' in _page(
        server, "chongqingribao"
    )
    assert '<a href="?page=2">下一页</a>' in _page(server, "zhongguoyinhangbaoxianbao")
    numbers = _page(server, "shanghaizhengquanbao")
    assert 'href="/category/shanghaizhengquanbao.html?page=2"' in numbers
    assert "下一页" not in numbers and 'rel="next"' not in numbers


def test_category_pages_carry_links_not_to_follow(server: ReplicaServer) -> None:
    page = _page(server, "zhengquanshibao")
    for href in ('"/"', '"/tags.html"', '"javascript:void(0)"',
                 '"http://example.com/ad/landing.html"', '"/private/drafts.html"'):
        assert f"href={href}" in page


def _codes_on(page: str) -> set[str]:
    """Codes linked from a listing page, by share link or archive post link."""
    links = re.findall(r'infoCode=([A-Za-z0-9]+)"|/[0-9-]+/([A-Za-z0-9]+)\.html', page)
    return {share or post for share, post in links}


def test_every_ordinary_article_is_on_its_media_category(server: ReplicaServer) -> None:
    site = json.loads((DEFAULT_DATA_DIR / "site.json").read_text("utf-8"))
    edge = {code for code, _, _ in make_data.EDGE_CASES}
    ordinary = {s.code for s in corpus.ARTICLES} | {GOLDEN}
    seen: dict[str, set[str]] = {}
    for category in site["categories"]:
        codes: set[str] = set()
        for number in range(1, len(category["pages"]) + 1):
            codes |= _codes_on(_page(server, category["slug"], number))
        seen[category["slug"]] = codes
    assert seen.pop("ceshi") == edge | {make_data.UNKNOWN_CODE}
    assert set().union(*seen.values()) == ordinary
    for spec in corpus.ARTICLES:
        assert spec.code in seen[corpus.CATEGORY_SLUGS[spec.media]]
    assert len(seen) >= 6


def test_conditional_requests_answer_304(server: ReplicaServer) -> None:
    for path in ("category/renminyoudianbao.html", "web/webapi?type=102&count=3"):
        status, headers, _ = _fetch(server.url + path)
        assert status == 200
        etag, last_modified = headers["ETag"], headers["Last-Modified"]
        assert _fetch(server.url + path, {"If-None-Match": etag})[0] == 304
        assert _fetch(server.url + path, {"If-None-Match": '"other"'})[0] == 200
        assert _fetch(server.url + path, {"If-Modified-Since": last_modified})[0] == 304
        earlier = format_datetime(
            parsedate_to_datetime(last_modified).replace(year=2021), usegmt=True
        )
        assert _fetch(server.url + path, {"If-Modified-Since": earlier})[0] == 200


# ------------------------------------------------------------------- faults and hooks


def _article_status(server: ReplicaServer, code: str) -> tuple[int, bytes]:
    status, _, body = _fetch(server.url + f"NewsData/GetNewsText.do?id={code}")
    return status, body


def test_fail_first_then_ok_and_reset(fresh: ReplicaServer) -> None:
    code = "NW202112282299000021"
    assert _article_status(fresh, code)[0] == 503
    status, body = _article_status(fresh, code)
    assert status == 200
    assert json.loads(body)["title"] == "中国联通发布2022年5G终端计划"
    assert _article_status(fresh, code)[0] == 200
    _fetch(fresh.url + "__reset")
    assert _article_status(fresh, code)[0] == 503


def test_status_raw_empty_and_error_articles(server: ReplicaServer) -> None:
    assert _article_status(server, "NW202112282299000022")[0] == 404
    status, body = _article_status(server, "NW202112282299000023")
    assert status == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(body)
    assert body.decode().startswith('{"title": "证监会')
    assert _article_status(server, "NW202112282299000024") == (200, b"{}")
    status, body = _article_status(server, "NW202112282299000025")
    assert (status, json.loads(body)) == (200, {"error": "not found"})


def test_requests_counting_and_reset(fresh: ReplicaServer) -> None:
    assert _json(fresh.url + "__requests") == {}
    _fetch(fresh.url + "robots.txt")
    _fetch(fresh.url + "robots.txt")
    _fetch(fresh.url + "web/webapi?type=45&count=2")
    _fetch(fresh.url + "no/such/thing")
    assert _json(fresh.url + "__requests") == {
        "/robots.txt": 2,
        "/web/webapi?type=45&count=2": 1,
        "/no/such/thing": 1,
    }
    status, _, _ = _fetch(fresh.url + "__reset", method="POST")
    assert status == 200
    assert _json(fresh.url + "__requests") == {}


def _tiny_data(tmp_path: Path) -> Path:
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "SLOW1.json").write_text(
        json.dumps({"title": "慢", "showtime": "2021-12-28 00:00:00", "_replica": {"delay": 0.4}}),
        encoding="utf-8",
    )
    (articles / "FAST1.json").write_text(json.dumps({"title": "快"}), encoding="utf-8")
    return tmp_path


def test_delay_and_latency(tmp_path: Path) -> None:
    server = make_server(_tiny_data(tmp_path), latency=0.2)
    _start(server)
    try:
        started = time.monotonic()
        assert _article_status(server, "FAST1")[0] == 200
        fast = time.monotonic() - started
        started = time.monotonic()
        assert _article_status(server, "SLOW1")[0] == 200
        slow = time.monotonic() - started
        # Lower bounds only (the server sleeps at least that long); no upper
        # bound on a shared machine.
        assert fast >= 0.2
        assert slow >= 0.6
        # No site.json: no categories, no feeds.
        assert _fetch(server.url + "web/webapi?type=102")[0] == 404
    finally:
        server.shutdown()
        server.server_close()


def test_packaged_data_declares_the_slow_parts() -> None:
    slow = json.loads((ARTICLES_DIR / "NW202112282299000026.json").read_text("utf-8"))
    assert slow["_replica"] == {"delay": 1.5}
    site = json.loads((DEFAULT_DATA_DIR / "site.json").read_text("utf-8"))
    delays = [page.get("delay") for c in site["categories"] for page in c["pages"]]
    assert delays.count(1.5) == 1


def test_serve_prints_its_url_and_stops_on_sigterm(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "newscrawl.replica", "--port", "0",
         "--data", str(_tiny_data(tmp_path))],
        stdout=subprocess.PIPE, text=True, cwd=REPO_ROOT,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.fullmatch(r"replica: serving on (http://127\.0\.0\.1:(\d+)/)\n", line)
        assert match, line
        assert _fetch(match.group(1) + "NewsData/GetNewsText.do?id=FAST1")[0] == 200
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


# ------------------------------------------------------------------------------- data

ALL_ARTICLE_FILES = sorted(ARTICLES_DIR.glob("*.json"))


def test_the_data_set_is_big_enough() -> None:
    edge = {code for code, _, _ in make_data.EDGE_CASES}
    ordinary = [p for p in ALL_ARTICLE_FILES if p.stem not in edge | {make_data.PRIVATE_CODE}]
    assert len(ordinary) >= 37
    assert len({s.media for s in corpus.ARTICLES}) >= 7
    assert sum(1 for p in ordinary if p.stem.isdigit()) >= 3


@pytest.mark.parametrize("path", ALL_ARTICLE_FILES, ids=lambda p: p.stem)
def test_article_file_is_valid_json(path: Path) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    assert set(data.get("_replica", {})) <= {"fail_first", "fail_count", "status", "raw", "delay"}
    assert re.fullmatch(r"(NW)?\d{18}", path.stem)


def naive_clean(body: str) -> str:
    """Just enough of a cleaner to undo the replica's own junk (not the project's cleaner)."""
    body = body.replace("\r\n", "").replace("\n", "")
    body = body.replace(make_golden.HIDDEN, "")
    body = re.sub(r"<!-- EM_StockImg_Start -->.*?<!-- EM_StockImg_End -->", "", body)
    body = re.sub(r"<script\b.*?</script>", "", body)
    body = re.sub(r'<span id="quote_[^"]*"></span>', "", body)
    body = re.sub(r'<span id="stock_[^"]*"><a [^>]*class="keytip"[^>]*>(.*?)</a></span>',
                  r"\1", body)
    body = re.sub(r'<span id="Info\.[^"]*"><a [^>]*class="infokey"[^>]*>(.*?)</a></span>',
                  r"\1", body)
    body = re.sub(r'<span [^>]*class="em_stock_key_common"[^>]*>(.*?)</span>', r"\1", body)
    body = re.sub(r'<p style="[^"]*">', "<p>", body)
    body = re.sub(r"<center><img [^>]*></center>", "", body)
    return body.replace("<p>\u3000\u3000", "<p>")


def _golden_text() -> str:
    return json.loads((ARTICLES_DIR / f"{GOLDEN}.json").read_text("utf-8"))["text"]


def test_golden_body_carries_every_junk_pattern() -> None:
    text = _golden_text()
    assert text.startswith('<p style="display:none;height:1px;overflow:hidden;"><br /></p>')
    assert re.search(r"</p>\n<!-- EM_StockImg_Start -->.+<!-- EM_StockImg_End -->\n<p", text)
    assert "<p>\u3000\u3000" in text
    assert re.search(
        r'<span id="stock_[^"]+"><a href="[^"]+" class="keytip" data-code="[^"]+">中国移动</a>'
        r'</span><span id="quote_[^"]+"></span>', text)
    assert text.count('class="keytip"') == 1
    assert 'class="em_stock_key_common"' in text
    assert re.search(r'<span id="Info\.\d+"><a href="[^"]+" class="infokey">', text)
    assert re.search(r'<p style="[^"]+">[^<]', text)
    assert "<script" in text and "</script>" in text
    assert "</p>\n<p" in text
    assert text.endswith('<p class="em_media">（文章来源：人民邮电报）</p>')


SEED = REPO_ROOT / "tests" / "resources" / "golden_post.md"


@pytest.mark.skipif(not SEED.exists(), reason="the golden seed is not beside the repository")
def test_golden_junk_removed_gives_the_golden_body() -> None:
    golden_body = make_golden.golden_body(SEED.read_text(encoding="utf-8"))
    assert naive_clean(_golden_text()) == golden_body
    assert make_golden.render(SEED.read_text(encoding="utf-8")) == (
        (ARTICLES_DIR / f"{GOLDEN}.json").read_text(encoding="utf-8")
    )


@pytest.mark.parametrize("index", range(len(corpus.ARTICLES)))
def test_ordinary_bodies_keep_every_word(index: int) -> None:
    spec = corpus.ARTICLES[index]
    data = json.loads((ARTICLES_DIR / f"{spec.code}.json").read_text("utf-8"))
    body = data.get("text") or data.get("content")
    expected = "".join(f"<p>{p}</p>" for p in spec.paragraphs) + make_data.media_line(spec.media)
    assert naive_clean(body) == expected
    if not spec.junk and not spec.images:
        assert body == expected  # already clean


def test_generated_data_is_up_to_date() -> None:
    for relative, text in make_data.build().items():
        assert (DEFAULT_DATA_DIR / relative).read_text(encoding="utf-8") == text, relative
    generated = set(make_data.build()) | {f"articles/{GOLDEN}.json"}
    on_disk = {str(p.relative_to(DEFAULT_DATA_DIR)) for p in DEFAULT_DATA_DIR.rglob("*")
               if p.is_file()}
    assert on_disk == generated


def test_every_field_name_variant_is_used() -> None:
    keys: set[str] = set()
    for path in ALL_ARTICLE_FILES:
        keys |= set(json.loads(path.read_text("utf-8")))
    assert {"showtime", "datetime", "showTime", "medianame", "mediaName", "from",
            "text", "content", "digest"} <= keys


@pytest.mark.parametrize("generator", ["make_replica_data", "make_golden"])
def test_the_committed_data_is_what_its_generators_write(generator: str) -> None:
    """The data directory is generated: a hand edit, or a generator changed
    without running it again, shows up here."""
    result = subprocess.run(
        [sys.executable, "-m", f"tools.{generator}", "--check"],
        capture_output=True, text=True, timeout=120,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "up to date" in result.stdout
