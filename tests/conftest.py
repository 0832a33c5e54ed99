"""Shared fixtures: the replica of the source as a real server, and the CLI as a real process."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

# CI runs the property tests on a fixed sequence of examples: a failure there
# is reproducible, not a one-off draw.
hypothesis_settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

ROOT = Path(__file__).resolve().parents[1]
#: The golden post: the repository's copy of ../shared/seed/000_71ee601c13832b85.txt
#: (tests/test_golden_fixture.py checks the two are the same where the shared one exists).
GOLDEN_POST = ROOT / "tests" / "resources" / "golden_post.md"
SHARED_GOLDEN_POST = ROOT.parent / "shared" / "seed" / "000_71ee601c13832b85.txt"
GOLDEN_CODE = "NW202112282228838683"
GOLDEN_SHARE_URL = (
    "http://finews.zning.xyz/html_News/NewsShare.html?infoCode=NW202112282228838683"
)

_PROXY_VARS = ("http_proxy", "https_proxy", "no_proxy", "all_proxy")


@dataclass
class Replica:
    """A running replica server (its own process, like the real source)."""

    url: str
    process: subprocess.Popen[str]

    @property
    def port(self) -> int:
        return int(self.url.rstrip("/").rsplit(":", 1)[1])

    def requests(self) -> dict[str, int]:
        """Requests the replica received since the last reset: ``{path?query: count}``."""
        with urllib.request.urlopen(self.url + "__requests", timeout=10) as answer:
            return json.load(answer)

    def reset(self) -> None:
        with urllib.request.urlopen(self.url + "__reset", timeout=10):
            pass

    def proxy_env(self) -> dict[str, str]:
        """An environment in which the replica stands in for every http host."""
        env = clean_env()
        env["http_proxy"] = self.url
        return env


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test not marked ``unit`` is ``e2e``: ``-m unit`` and ``-m e2e`` split the suite."""
    for item in items:
        if item.get_closest_marker("unit") is None:
            item.add_marker(pytest.mark.e2e)


def clean_env() -> dict[str, str]:
    """The test process's environment without proxy settings."""
    env = {
        k: v for k, v in os.environ.items() if k.lower() not in _PROXY_VARS
    }
    env["PYTHONUNBUFFERED"] = "1"
    # Child processes run this checkout's newscrawl, from whatever directory.
    env["PYTHONPATH"] = os.pathsep.join(
        path for path in (str(ROOT), env.get("PYTHONPATH", "")) if path
    )
    return env


def start_replica(*extra: str) -> Replica:
    process = subprocess.Popen(
        [sys.executable, "-m", "newscrawl.replica", "--port", "0", *extra],
        stdout=subprocess.PIPE,
        text=True,
        env=clean_env(),
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if "serving on" not in line:
        process.kill()
        raise RuntimeError(f"replica did not start: {line!r}")
    return Replica(line.split("serving on", 1)[1].strip(), process)


def stop_replica(replica: Replica) -> None:
    replica.process.send_signal(signal.SIGTERM)
    try:
        replica.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        replica.process.kill()


@pytest.fixture(scope="session")
def replica_server() -> Iterator[Replica]:
    replica = start_replica()
    yield replica
    stop_replica(replica)


@pytest.fixture
def replica(replica_server: Replica) -> Replica:
    """The session's replica, with its request counts and fault states reset."""
    replica_server.reset()
    return replica_server


@dataclass
class Hostile:
    """The hostile stand-in source and, on another port, the internal service it
    redirects to, which a crawl must never reach (newscrawl/replica/hostile.py)."""

    source: Replica
    internal: Replica

    @property
    def url(self) -> str:
        return self.source.url

    def log(self) -> list[tuple[float, str]]:
        """``(time, path?query)`` of each request the source received since the last reset."""
        with urllib.request.urlopen(self.source.url + "__log", timeout=10) as answer:
            return [(float(when), str(target)) for when, target in json.load(answer)]

    def reset(self) -> None:
        self.source.reset()
        self.internal.reset()


def start_hostile() -> Hostile:
    process = subprocess.Popen(
        [sys.executable, "-m", "newscrawl.replica", "--hostile", "--port", "0"],
        stdout=subprocess.PIPE, text=True, env=clean_env(),
    )
    assert process.stdout is not None
    lines = [process.stdout.readline(), process.stdout.readline()]
    if "serving on" not in lines[0] or "internal service on" not in lines[1]:
        process.kill()
        raise RuntimeError(f"hostile replica did not start: {lines!r}")
    source = Replica(lines[0].split("serving on", 1)[1].strip(), process)
    internal = Replica(lines[1].split("internal service on", 1)[1].strip(), process)
    return Hostile(source, internal)


@pytest.fixture(scope="session")
def hostile_server() -> Iterator[Hostile]:
    hostile = start_hostile()
    yield hostile
    stop_replica(hostile.source)


@pytest.fixture
def hostile(hostile_server: Hostile) -> Hostile:
    """The session's hostile source, its request counts and states reset."""
    hostile_server.reset()
    return hostile_server


def run_cli(
    *args: str | Path, env: dict[str, str] | None = None, cwd: Path | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """Run ``newscrawl ARGS`` as a real process."""
    return subprocess.run(
        [sys.executable, "-m", "newscrawl", *map(str, args)],
        capture_output=True, text=True, env=env or clean_env(), cwd=cwd or ROOT,
        timeout=timeout,
    )


def require_tool(name: str) -> str:
    """The path of a program the test needs; in CI its absence is a failure, not a skip."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (bash .ci/run installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (now)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RedisServer:
    """Debian's redis-server on 127.0.0.1, started by a test."""

    process: subprocess.Popen[bytes]
    port: int

    def url(self, userinfo: str = "") -> str:
        """``redis://[USERINFO@]127.0.0.1:PORT/0``."""
        return f"redis://{userinfo + '@' if userinfo else ''}127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def start_redis(workdir: Path, password: str = "") -> RedisServer:
    """redis-server without persistence, on a free port (``password``: ``requirepass``)."""
    import redis  # the distributed tests' dependency, not every test's

    port = free_port()
    extra = ["--requirepass", password] if password else []
    process = subprocess.Popen(
        [require_tool("redis-server"), "--port", str(port), "--bind", "127.0.0.1",
         "--save", "", "--appendonly", "no", "--dir", str(workdir), *extra],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    server = RedisServer(process, port)
    client = redis.Redis.from_url(server.url(f":{password}" if password else ""))
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            return server
        except redis.ConnectionError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("redis-server did not start") from None
            time.sleep(0.05)
