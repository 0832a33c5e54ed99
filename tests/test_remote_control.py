"""Scrapy 2.19's RemoteControl extension (an HTTP endpoint executing Python) stays off.

The check is made on a real crawl process: while ``newscrawl fetch`` waits for
a slow replica, every TCP socket that process listens on is listed from
``/proc``.  A positive control with the extension switched on shows that the
check does see the endpoint.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import GOLDEN_SHARE_URL, ROOT, Replica, start_replica, stop_replica

pytestmark = pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="needs /proc")


def listening_ports(pid: int) -> set[int]:
    """TCP ports on which process ``pid`` listens (Linux ``/proc``)."""
    inodes = set()
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    except FileNotFoundError:
        return set()
    ports = set()
    for table in ("tcp", "tcp6"):
        try:
            lines = Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]
        except FileNotFoundError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


@pytest.fixture(scope="module")
def slow_replica() -> Iterator[Replica]:
    replica = start_replica("--latency", "2.5")
    yield replica
    stop_replica(replica)


def _ports_during_fetch(replica: Replica, out: Path, *extra: str) -> tuple[set[int], int]:
    env = replica.proxy_env()
    env["HOME"] = str(out / "home")  # RemoteControl writes its job file under the profile
    process = subprocess.Popen(
        [sys.executable, "-m", "newscrawl", "fetch", GOLDEN_SHARE_URL, "--out", str(out),
         *extra],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    seen: set[int] = set()
    deadline = time.monotonic() + 60
    while process.poll() is None and time.monotonic() < deadline:
        seen |= listening_ports(process.pid)
        time.sleep(0.05)
    process.communicate(timeout=60)
    return seen, process.returncode


def test_no_port_is_opened_during_a_crawl(slow_replica: Replica, tmp_path: Path) -> None:
    ports, status = _ports_during_fetch(slow_replica, tmp_path)
    assert status == 0
    assert ports == set()


def test_the_check_sees_the_endpoint_when_switched_on(
    slow_replica: Replica, tmp_path: Path
) -> None:
    ports, status = _ports_during_fetch(
        slow_replica, tmp_path, "-s", "REMOTE_CONTROL_ENABLED=true"
    )
    assert status == 0
    assert len(ports) == 1
