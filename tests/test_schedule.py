"""``newscrawl schedule``: runs that never overlap, survive failures and stop cleanly."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from conftest import ROOT, Replica, clean_env, run_cli, start_replica, stop_replica

from newscrawl.archive import runlog
from newscrawl.archive.lock import current_holder
from newscrawl.archive.runlog import store_count
from newscrawl.cli.schedule import crawl_arguments

FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=false",
        "-s", "NEWSCRAWL_RETRY_BACKOFF_BASE=0.1", "-s", "NEWSCRAWL_PROGRESS_INTERVAL=0"]
ARTICLE_PREFIX = "/NewsData/GetNewsText.do?id="

pytestmark = pytest.mark.skipif(not Path("/proc/self").exists(), reason="needs /proc")


@pytest.fixture(scope="module")
def slow_replica() -> Iterator[Replica]:
    replica = start_replica("--latency", "0.5")
    yield replica
    stop_replica(replica)


def start_schedule(*args: str | Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "newscrawl", "schedule", *map(str, args)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=clean_env(), cwd=ROOT,
    )


def wait_until(condition: Callable[[], object], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError("timed out")


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except FileNotFoundError:
        return []
    return [int(p) for p in text.split()]


def posts(out: Path) -> list[Path]:
    return list((out / "_posts").glob("*.md")) if (out / "_posts").is_dir() else []


def test_every_1_runs_3_makes_three_runs_one_after_the_other(
    replica: Replica, tmp_path: Path
) -> None:
    category = replica.url + "category/renminyoudianbao.html"
    result = run_cli("schedule", "--every", "1", "--runs", "3", category,
                     "--out", tmp_path, *FAST)
    assert result.returncode == 0, result.stderr
    records = runlog.read_all(tmp_path)
    assert [r.exit_status for r in records] == [0, 0, 0]
    assert len({r.pid for r in records}) == 3  # a fresh process each
    starts = [datetime.fromisoformat(r.start) for r in records]
    ends = [datetime.fromisoformat(r.end) for r in records]
    for i in range(2):
        assert ends[i] <= starts[i + 1]  # never overlapping
        assert (starts[i + 1] - starts[i]).total_seconds() >= 1
    assert [r.new for r in records] == [5, 0, 0]
    # Incremental across the schedule: each article asked for once in all.
    articles = {k: v for k, v in replica.requests().items() if k.startswith(ARTICLE_PREFIX)}
    assert len(articles) == 5 and set(articles.values()) == {1}
    lines = [line for line in result.stderr.splitlines() if "schedule: run " in line]
    assert len(lines) == 3 and "run 3/3: exit 0" in lines[2], result.stderr
    assert current_holder(tmp_path) is None


def test_sigterm_finishes_the_current_run_and_exits_0(
    slow_replica: Replica, tmp_path: Path
) -> None:
    urls = [slow_replica.url + f"category/{slug}.html"
            for slug in ("renminyoudianbao", "chongqingribao", "zhengquanshibao")]
    schedule = start_schedule("--every", "1", *urls, "--out", tmp_path, *FAST)
    try:
        wait_until(lambda: store_count(tmp_path))  # mid-run: articles are being stored
        schedule.send_signal(signal.SIGTERM)
        _, stderr = schedule.communicate(timeout=60)
    finally:
        if schedule.poll() is None:
            schedule.kill()
    assert schedule.returncode == 0, stderr
    (record,) = runlog.read_all(tmp_path)  # no further run was started
    assert record.exit_status == 0 and record.finish_reason == "shutdown"
    assert record.written == store_count(tmp_path) == len(posts(tmp_path)) < 15
    assert not list(tmp_path.rglob("*.tmp"))
    assert current_holder(tmp_path) is None


def test_sigterm_between_runs_exits_0_at_once_and_the_schedule_holds_the_archive(
    replica: Replica, tmp_path: Path
) -> None:
    category = replica.url + "category/renminyoudianbao.html"
    schedule = start_schedule("--every", "300", category, "--out", tmp_path, *FAST)
    try:
        wait_until(lambda: runlog.read_all(tmp_path))
        # Between its runs the schedule still holds the archive.
        refused = run_cli("crawl", category, "--out", tmp_path, *FAST)
        assert refused.returncode == 3
        assert f"pid {schedule.pid}" in refused.stderr and "newscrawl schedule" in refused.stderr
        schedule.send_signal(signal.SIGTERM)
        # Far less than --every 300: it does not wait for the next run.
        _, stderr = schedule.communicate(timeout=30)
    finally:
        if schedule.poll() is None:
            schedule.kill()
    assert schedule.returncode == 0, stderr
    assert len(runlog.read_all(tmp_path)) == 1  # no second run was started
    assert current_holder(tmp_path) is None


def test_failed_and_killed_runs_do_not_stop_the_schedule(
    slow_replica: Replica, tmp_path: Path
) -> None:
    # The first run's crawl process is killed; the next runs go on.
    category = slow_replica.url + "category/renminyoudianbao.html"
    schedule = start_schedule("--every", "1", "--runs", "2", category, "--out", tmp_path,
                              *FAST)
    try:
        wait_until(lambda: children(schedule.pid))
        (child,) = children(schedule.pid)
        wait_until(lambda: current_holder(tmp_path) is not None)
        subprocess.run(["kill", "-KILL", str(child)], check=True)
        _, stderr = schedule.communicate(timeout=120)
    finally:
        if schedule.poll() is None:
            schedule.kill()
    assert schedule.returncode == 1, stderr  # one of the runs failed
    killed, second = runlog.read_all(tmp_path)
    assert killed.pid == child and killed.exit_status == -signal.SIGKILL
    assert "killed by SIGKILL" in stderr
    assert second.exit_status == 0 and second.new == 5

    # A run that cannot read its start URL fails; the schedule goes on.
    unreachable = "http://127.0.0.1:9/category/renminyoudianbao.html"
    result = run_cli("schedule", "--every", "0.5", "--runs", "2", unreachable,
                     "--out", tmp_path / "other", *FAST)
    assert result.returncode == 1
    assert [r.exit_status for r in runlog.read_all(tmp_path / "other")] == [1, 1]


def test_the_crawl_gets_the_schedules_arguments_but_its_own() -> None:
    assert crawl_arguments(
        ["schedule", "--every", "5", "URL", "--runs=3", "--wait", "--out", "x",
         "--every=7", "-s", "A=1", "--refresh"]
    ) == ["URL", "--out", "x", "-s", "A=1", "--refresh"]
    assert crawl_arguments(["schedule", "--every", "5", "--", "--runs"]) == ["--", "--runs"]


def test_abbreviated_schedule_options_are_refused(tmp_path: Path) -> None:
    result = run_cli("schedule", "--ev", "5", "http://127.0.0.1:9/", "--out", tmp_path)
    assert result.returncode == 2
