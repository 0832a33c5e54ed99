"""A Redis password never shows: through the real CLI, against a real redis-server with a password.

Whatever a command prints (stdout, stderr) and whatever it writes
into the archive (the lock file's record of its command line, the run log),
and what ``newscrawl status`` shows, the password reads ``***``.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from newscrawl.archive.lock import lock_path
from newscrawl.archive.runlog import runs_path
from tests.conftest import ROOT, RedisServer, Replica, clean_env, free_port, run_cli, start_redis

PASSWORD = "s3cret"


@pytest.fixture(scope="module")
def redis_with_password(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = start_redis(tmp_path_factory.mktemp("redis"), password=PASSWORD)
    yield server
    server.stop()


def wait_for_holder(archive: Path, worker: subprocess.Popen[str]) -> str:
    """The lock file's record, once the worker holding the archive has written it."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and worker.poll() is None:
        path = lock_path(archive)
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        if text.strip():
            return text
        time.sleep(0.05)
    raise AssertionError("the worker never recorded itself in the lock file")


def test_password_in_no_output_no_file_and_not_in_status(
    redis_with_password: RedisServer, replica: Replica, tmp_path: Path
) -> None:
    url = redis_with_password.url(f":{PASSWORD}")
    masked = redis_with_password.url(":***")
    seen: list[str] = []

    pushed = run_cli("push", "--redis", url, f"{replica.url}category/renminyoudianbao.html")
    assert pushed.returncode == 0, pushed.stderr
    seen += [pushed.stdout, pushed.stderr]

    worker_dir = tmp_path / "worker"
    worker = subprocess.Popen(
        [sys.executable, "-m", "newscrawl", "crawl", "--redis", url, "--out", str(worker_dir),
         "--idle-exit", "2", "--delay", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=clean_env(), cwd=ROOT,
    )
    try:
        holder = wait_for_holder(worker_dir, worker)
        status = run_cli("status", "--out", worker_dir)
    finally:
        out, err = worker.communicate(timeout=120)
    assert worker.returncode == 0, err
    assert f"crawl --redis {masked}" in holder
    assert status.returncode == 0, status.stderr
    assert f"held by pid {worker.pid} (newscrawl crawl --redis {masked}" in status.stdout
    assert "articles sent to Redis" in err
    seen += [holder, status.stdout, status.stderr, out, err]

    archive = tmp_path / "archive"
    exported = run_cli("export", "--redis", url, "--out", archive)
    assert exported.returncode == 0, exported.stderr
    assert list((archive / "_posts").glob("*.md"))
    seen += [exported.stdout, exported.stderr]

    after = run_cli("status", "--out", worker_dir)
    assert after.returncode == 0 and "crawl exit 0" in after.stdout, after.stdout
    seen += [after.stdout, after.stderr]
    runs = runs_path(worker_dir).read_text(encoding="utf-8")
    assert '"command": "crawl"' in runs
    seen += [runs, lock_path(archive).read_text(encoding="utf-8")]
    assert not [text for text in seen if PASSWORD in text]


def test_unreachable_or_refusing_redis_is_one_masked_line(
    redis_with_password: RedisServer, tmp_path: Path
) -> None:
    nobody = f"redis://:{PASSWORD}@127.0.0.1:{free_port()}/0"
    wrong = redis_with_password.url(f":not-the-{PASSWORD}")
    commands = [
        ("crawl", "--redis", nobody, "--out", tmp_path / "w1"),
        ("push", "--redis", nobody, "http://127.0.0.1:1/category/a.html"),
        ("export", "--redis", nobody, "--out", tmp_path / "a1"),
        ("crawl", "--redis", wrong, "--out", tmp_path / "w2"),
        ("crawl", "--redis", f"http://:{PASSWORD}@127.0.0.1:1/0", "--out", tmp_path / "w3"),
    ]
    for command in commands:
        result = run_cli(*command)
        assert result.returncode == 2, (command, result.stderr)
        lines = result.stderr.splitlines()
        assert len(lines) == 1 or command[2].startswith("http"), result.stderr  # argparse: usage
        assert ":***@127.0.0.1:" in lines[-1], result.stderr
        assert PASSWORD not in result.stderr + result.stdout
    for directory in ("w1", "a1", "w2"):
        runs = runs_path(tmp_path / directory)
        assert not runs.exists() or PASSWORD not in runs.read_text(encoding="utf-8")
