"""One writer per archive: the lock, through the real CLI against a slow replica."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import (
    GOLDEN_SHARE_URL,
    ROOT,
    Replica,
    clean_env,
    run_cli,
    start_replica,
    stop_replica,
)

from newscrawl.archive import runlog
from newscrawl.archive.lock import ArchiveBusy, ArchiveLock, current_holder, lock_path

#: A local replica needs no politeness; keeps the runs short.
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=false",
        "-s", "NEWSCRAWL_PROGRESS_INTERVAL=0"]


@pytest.fixture(scope="module")
def slow_replica() -> Iterator[Replica]:
    """A replica that waits a second before every answer: runs that last a while."""
    replica = start_replica("--latency", "1")
    yield replica
    stop_replica(replica)


def start_cli(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "newscrawl", *map(str, args)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=env or clean_env(), cwd=ROOT,
    )


def wait_for_holder(out: Path, pid: int, timeout: float = 30) -> None:
    """Until process ``pid`` holds the archive (its record is in the lock file)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        holder = current_holder(out)
        if holder is not None and holder.pid == pid:
            return
        time.sleep(0.05)
    raise AssertionError(f"pid {pid} never held {out}")


@pytest.fixture(scope="module")
def slower_replica() -> Iterator[Replica]:
    """A replica that waits 4 s before every answer."""
    replica = start_replica("--latency", "4")
    yield replica
    stop_replica(replica)


def test_a_second_run_refuses_naming_the_holder_and_waits_with_wait(
    slower_replica: Replica, tmp_path: Path
) -> None:
    slow_replica = slower_replica
    category = slow_replica.url + "category/renminyoudianbao.html"
    # One request at a time, 4 s each: the first run holds the archive for
    # half a minute or more, however busy the machine, while the checks below run.
    first = start_cli("crawl", category, "--out", tmp_path, *FAST,
                      "-s", "CONCURRENT_REQUESTS=1")
    try:
        wait_for_holder(tmp_path, first.pid)

        refused = run_cli("crawl", category, "--out", tmp_path, *FAST)
        assert refused.returncode == 3
        lines = refused.stderr.strip().splitlines()
        assert len(lines) == 1, refused.stderr
        assert f"pid {first.pid}" in lines[0]
        assert "newscrawl crawl" in lines[0] and "--wait" in lines[0]

        # Other archive-writing commands are refused the same way.
        fetch = run_cli("fetch", GOLDEN_SHARE_URL, "--out", tmp_path,
                        env=slow_replica.proxy_env())
        assert fetch.returncode == 3 and f"pid {first.pid}" in fetch.stderr

        # status reads while the crawl writes, and names the holder.
        status = run_cli("status", "--out", tmp_path)
        assert status.returncode == 0, status.stderr
        assert f"held by pid {first.pid}" in status.stdout

        waiting = run_cli("crawl", category, "--out", tmp_path, "--wait", *FAST)
        assert first.wait(timeout=60) == 0, first.stderr.read() if first.stderr else ""
    finally:
        if first.poll() is None:
            first.kill()
        first.communicate()
    assert waiting.returncode == 0, waiting.stderr
    assert "waiting for it" in waiting.stderr

    first_run, second_run = runlog.read_all(tmp_path)
    assert first_run.pid == first.pid
    assert first_run.end <= second_run.start  # never both writing
    assert "not in use" in run_cli("status", "--out", tmp_path).stdout


def test_the_lock_vanishes_with_a_killed_run(slow_replica: Replica, tmp_path: Path) -> None:
    category = slow_replica.url + "category/renminyoudianbao.html"
    killed = start_cli("crawl", category, "--out", tmp_path, *FAST)
    wait_for_holder(tmp_path, killed.pid)
    killed.send_signal(signal.SIGKILL)
    killed.communicate()
    # The record of the dead holder is still in the file, but the lock is gone.
    assert json.loads(lock_path(tmp_path).read_text())["pid"] == killed.pid
    assert current_holder(tmp_path) is None
    # Not refused (exit 3) by the dead holder's record: the next run takes the archive.
    result = run_cli("crawl", category, "--out", tmp_path, *FAST)
    assert result.returncode == 0, result.stderr


def test_flock_excludes_within_one_process_and_hands_down_only_to_its_archive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one, other = tmp_path / "one", tmp_path / "other"
    with ArchiveLock(one) as held:
        held.acquire("newscrawl crawl X")
        with pytest.raises(ArchiveBusy) as busy:
            ArchiveLock(one).acquire("newscrawl crawl Y")
        assert busy.value.holder is not None and busy.value.holder.pid == os.getpid()
        assert "newscrawl crawl X" in str(busy.value)

        # A descriptor handed down for another archive is not a lock on this one.
        monkeypatch.setenv("NEWSCRAWL_LOCK_FD", str(held.fd))
        with ArchiveLock(other) as second:
            second.acquire("newscrawl crawl Z")
            assert not second.inherited
        # Handed down for this archive (a copy of the descriptor, as a child
        # process has): the child runs under it.
        monkeypatch.setenv("NEWSCRAWL_LOCK_FD", str(os.dup(held.fd)))
        adopted = ArchiveLock(one)
        adopted.acquire("child")
        assert adopted.inherited
        # The child closes its copy only: the parent still holds the archive.
        adopted.release()
        with pytest.raises(ArchiveBusy):
            ArchiveLock(one).acquire("newscrawl crawl Y")
    assert current_holder(one) is None
    with ArchiveLock(one) as again:
        again.acquire("newscrawl crawl Y")


def test_a_killed_runs_temporary_files_are_removed_by_the_next(
    replica: Replica, tmp_path: Path
) -> None:
    posts = tmp_path / "_posts"
    posts.mkdir(parents=True)
    leftover = posts / ".2021-12-28-NW202112282228838683.md.abcd_123.tmp"
    leftover.write_bytes(b"half a po")
    mine = posts / "notes.tmp"
    mine.write_bytes(b"not newscrawl's")
    result = run_cli("fetch", GOLDEN_SHARE_URL, "--out", tmp_path, env=replica.proxy_env())
    assert result.returncode == 0, result.stderr
    assert not leftover.exists()
    assert mine.read_bytes() == b"not newscrawl's"
