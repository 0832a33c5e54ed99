"""Hostile bodies through the real CLI: a replica serving them from a data
directory built here, ``newscrawl crawl`` of their share links."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import Replica, run_cli, start_replica, stop_replica

SOURCE = "http://finews.zning.xyz"
FAST = ("--delay", "0", "-s", "AUTOTHROTTLE_ENABLED=false", "-s", "NEWSCRAWL_PROGRESS_INTERVAL=0")

UNCLOSED = "NW202201072239000001"
SHRINKING = "NW202201072239000002"
DEEP = "NW202201072239000003"
BODIES = {
    UNCLOSED: ('<p>第一段<embed src="http://player.example/v.swf">嵌入之后的文字</p>'
               "<p>第二段<object data=\"http://player.example/o\">对象之后的文字</p><p>末段</p>"),
    SHRINKING: "<p>正文第一段</p></html><p>这一段在结束标记之后</p>",
    DEEP: "<p>开头</p>" + "<div>" * 100_000 + "深处的文字",
}


def article(code: str, body: str) -> dict[str, str]:
    return {"title": f"标题{code[-1]}", "showtime": "2022-01-07 08:14:19",
            "medianame": "券商中国", "text": body}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replica]:
    data = tmp_path_factory.mktemp("hostile-data")
    (data / "articles").mkdir()
    for code, body in BODIES.items():
        (data / "articles" / f"{code}.json").write_text(
            json.dumps(article(code, body), ensure_ascii=False), "utf-8")
    (data / "site.json").write_text("{}", "utf-8")
    replica = start_replica("--data", str(data))
    yield replica
    stop_replica(replica)


@pytest.fixture(scope="module")
def crawl(hostile: Replica, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("hostile-out")
    urls = [f"{SOURCE}/html_News/NewsShare.html?infoCode={code}" for code in BODIES]
    result = run_cli("crawl", *urls, "--out", out, *FAST, env=hostile.proxy_env(), timeout=180)
    assert result.returncode == 0, result.stderr
    return out, result.stderr


def test_an_unclosed_element_keeps_the_text_after_it_in_the_post(crawl: tuple[Path, str]) -> None:
    out, _ = crawl
    (post,) = (out / "_posts").glob(f"*-{UNCLOSED}.md")
    body = post.read_text("utf-8").split("\n---\n", 1)[1]
    assert body.startswith("<p>第一段嵌入之后的文字</p><p>第二段对象之后的文字</p><p>末段</p>\n")


@pytest.mark.parametrize(("code", "reason"), [
    (SHRINKING, "cleaning would lose 10 of 15 characters of visible text"),
    (DEEP, "body nests 100,000 levels deep, deeper than NEWSCRAWL_MAX_NESTING (1,000)"),
])
def test_a_body_cleaning_cannot_keep_whole_is_rejected_with_its_reason(
    crawl: tuple[Path, str], code: str, reason: str
) -> None:
    out, stderr = crawl
    assert not list((out / "_posts").glob(f"*-{code}.md"))
    rejects = [json.loads(line) for line in
               (out / ".newscrawl" / "rejects.jsonl").read_text("utf-8").splitlines()]
    assert {(r["code"], r["reason"], r["kind"]) for r in rejects if r["code"] == code} == {
        (code, reason, "rejected")}
    (line,) = [line for line in stderr.splitlines() if code in line and "rejected" in line]
    assert reason in line
