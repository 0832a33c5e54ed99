"""A newcomer's first hour, through the real CLI: every mistake is one clear line, exit 2,
and leaves nothing behind; the archive's own settings hold whoever runs the spiders."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import (
    GOLDEN_CODE,
    GOLDEN_SHARE_URL,
    ROOT,
    Replica,
    clean_env,
    run_cli,
)

from newscrawl.archive import Archive

SHARE = "http://x.test/html_News/NewsShare.html?infoCode=NW1"

#: Each mistake, and a word its one line must say.
MISTAKES = [
    (("fetch", "not a url", "--out", "e2"), "not a share link"),
    (("fetch", "ftp://x.test/html_News/NewsShare.html?infoCode=NW1", "--out", "e3"),
     "not a share link"),
    (("crawl", "--out", "e10"), "START_URL"),
    (("export", "--out", "nonexist"), "no newscrawl archive"),
    (("crawl", "http://x.test/", "--site-url", "notaurl", "--out", "e4"), "notaurl"),
    (("fetch", SHARE, "--site-url", "notaurl", "--out", "e5"), "notaurl"),
    (("crawl", "http://x.test/", "-s", "NEWSCRAWL_SITE_URL=notaurl", "--out", "e8"), "notaurl"),
    (("export", "--keep-days", "-1", "--out", "e9"), "--keep-days"),
    (("schedule", "--every", "5", "--out", "e6"), "START_URL"),
    (("serve-replica", "--port", "99999"), "99999"),
    (("status", "--out", "e7"), "no newscrawl archive"),
]


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


@pytest.mark.parametrize(("args", "says"), MISTAKES, ids=[" ".join(a) for a, _ in MISTAKES])
def test_an_argument_error_is_one_line_exit_2_and_creates_nothing(
    tmp_path: Path, args: tuple[str, ...], says: str
) -> None:
    result = run_cli(*args, cwd=tmp_path, timeout=60)
    assert result.returncode == 2, result.stderr
    assert says in one_line(result)
    assert list(tmp_path.iterdir()) == []  # no DIR/.newscrawl/lock left behind


def test_an_out_that_is_a_file_is_named_as_not_a_directory(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("mine")
    for args in (("fetch", SHARE), ("export",), ("crawl", "http://x.test/")):
        result = run_cli(*args, "--out", "afile", cwd=tmp_path, timeout=60)
        assert result.returncode == 2
        assert one_line(result) == "newscrawl: archive directory afile: not a directory"
    assert (tmp_path / "afile").read_text() == "mine"


def test_serve_replica_on_a_busy_port_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_cli("serve-replica", "--port", str(port), cwd=tmp_path, timeout=60)
    assert result.returncode == 2
    assert one_line(result).startswith(f"newscrawl: cannot serve on 127.0.0.1:{port}: ")


def test_redis_options_without_the_redis_extra_are_one_line(tmp_path: Path) -> None:
    # A redis module that cannot be imported stands for a machine without the extra.
    fake = tmp_path / "no-redis"
    fake.mkdir()
    (fake / "redis.py").write_text('raise ImportError("No module named \'redis\'")\n')
    env = clean_env()
    env["PYTHONPATH"] = os.pathsep.join([str(fake), str(ROOT), env.get("PYTHONPATH", "")])
    for args in (("crawl", "--redis", "redis://127.0.0.1:9/0", "--out", "w"),
                 ("push", "--redis", "redis://127.0.0.1:9/0", "http://x.test/")):
        result = run_cli(*args, env=env, cwd=tmp_path, timeout=60)
        assert result.returncode == 2, result.stderr
        assert "pip install 'newscrawl[redis]'" in one_line(result)
    assert not (tmp_path / "w").exists()


def fetch_golden(replica: Replica, out: Path, *args: str) -> None:
    result = run_cli("fetch", GOLDEN_SHARE_URL, "--out", out, *args, env=replica.proxy_env())
    assert result.returncode == 0, result.stderr


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """``folder`` cannot be written to, even by root (whom permissions do not stop)."""
    if os.geteuid() == 0:
        chattr = shutil.which("chattr")
        if chattr is None or subprocess.run([chattr, "+i", folder]).returncode != 0:
            pytest.skip("running as root without chattr +i: cannot make a folder read-only")
        try:
            yield
        finally:
            subprocess.run([chattr, "-i", folder], check=True)
    else:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)


def test_a_read_only_posts_folder_is_reported_under_the_posts_name(
    replica: Replica, tmp_path: Path
) -> None:
    fetch_golden(replica, tmp_path)
    post = tmp_path / "_posts" / f"2021-12-28-{GOLDEN_CODE}.md"
    post.unlink()
    with read_only(tmp_path / "_posts"):
        result = run_cli("export", "--out", tmp_path)
    assert result.returncode == 2
    line = one_line(result)
    assert line.startswith(f"newscrawl: {post}: cannot write the archive (")
    assert ".tmp" not in line


def test_one_known_article_is_one_article(replica: Replica, tmp_path: Path) -> None:
    fetch_golden(replica, tmp_path)
    result = run_cli("crawl", GOLDEN_SHARE_URL, "--out", tmp_path, env=replica.proxy_env())
    assert result.returncode == 0, result.stderr
    assert "(1 article already in the archive was not requested again)" in result.stderr
    assert "1 articles" not in result.stderr


def test_schedule_runs_do_not_import_what_the_current_directory_holds(
    replica: Replica, tmp_path: Path
) -> None:
    # A folder named newscrawl in the current directory (a checkout, an archive).
    impostor = tmp_path / "newscrawl"
    impostor.mkdir()
    (impostor / "__init__.py").write_text("")
    env = replica.proxy_env()
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    # The schedule itself as the console script starts it: not from the current directory.
    result = subprocess.run(
        [sys.executable, "-P", "-m", "newscrawl", "schedule", "--every", "1", "--runs", "1",
         GOLDEN_SHARE_URL, "--out", "out"],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert re.search(r"schedule: run 1/1: exit 0 ", result.stderr), result.stderr
    assert (tmp_path / "out" / "_posts" / f"2021-12-28-{GOLDEN_CODE}.md").is_file()


def test_scrapy_crawl_keeps_the_archives_site_url(replica: Replica, tmp_path: Path) -> None:
    site = "https://news.example.org/archive"
    fetch_golden(replica, tmp_path, "--site-url", site)
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "share", "-a", f"url={GOLDEN_SHARE_URL}",
         "-s", f"NEWSCRAWL_OUT_DIR={tmp_path}", "-s", "LOG_LEVEL=WARNING",
         "-s", "NEWSCRAWL_REFRESH=true"],
        capture_output=True, text=True, cwd=ROOT, env=replica.proxy_env(), timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert replica.requests()  # it did crawl
    post = (tmp_path / "_posts" / f"2021-12-28-{GOLDEN_CODE}.md").read_text("utf-8")
    assert f"｜[返回首页]({site}/)" in post
    assert 'url: "https://news.example.org"' in (tmp_path / "_config.yml").read_text("utf-8")
    assert Archive(tmp_path).remembered_site_url() == site


def test_scrapy_crawl_is_refused_an_archive_another_run_holds(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    with archive.hold("newscrawl schedule (the test)"):
        result = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "share", "-a", f"url={SHARE}",
             "-s", f"NEWSCRAWL_OUT_DIR={tmp_path}", "-s", "LOG_LEVEL=WARNING"],
            capture_output=True, text=True, cwd=ROOT, env=clean_env(), timeout=120,
        )
    assert result.returncode != 0
    assert f"in use by pid {os.getpid()} (newscrawl schedule (the test)" in result.stderr
    assert not archive.has_store()


def test_crawling_a_local_mirror_directly_warns_about_its_share_links(
    replica: Replica, tmp_path: Path
) -> None:
    direct = GOLDEN_SHARE_URL.replace("http://finews.zning.xyz/", replica.url)
    result = run_cli("crawl", direct, "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "warning:" in line]
    assert len(warnings) == 1
    assert f"point at 127.0.0.1:{replica.port}" in warnings[0] and "http_proxy" in warnings[0]
    # Through the replica as a proxy, the source's own links: no warning.
    result = run_cli("crawl", GOLDEN_SHARE_URL, "--out", tmp_path / "real", env=replica.proxy_env())
    assert result.returncode == 0, result.stderr
    assert "warning:" not in result.stderr
