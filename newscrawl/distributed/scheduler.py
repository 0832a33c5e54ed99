"""The shared request queue of a distributed crawl: scrapy-redis's scheduler, safe for many runs.

Without ``SCHEDULER_PERSIST`` scrapy-redis's scheduler lets the first worker to
finish delete the shared queue and duplicate filter under the others; with it,
the duplicate filter grows forever and a second run skips every page of the
first.  :class:`RedisScheduler` keeps a register of live workers instead (see
the package docstring, gap 5), and drops scrapy-redis's deprecated calls (gap 6).
"""

from __future__ import annotations

import logging
import os
import socket
import uuid

import redis
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.http import Request
from scrapy.utils.asyncio import AsyncioLoopingCall, create_looping_call
from scrapy.utils.misc import load_object
from scrapy_redis.scheduler import Scheduler
from twisted.internet.task import LoopingCall

from newscrawl.distributed.keys import Keys

logger = logging.getLogger(__name__)

#: Seconds between a worker's "still alive" marks in the worker register.
HEARTBEAT_INTERVAL = 5.0
#: A worker not heard of for this long is taken for dead.
WORKER_TIMEOUT = 30.0

# A run is the time during which at least one worker is alive.  The first
# worker of a run (no live worker, nothing queued) clears the previous run's
# duplicate filter; the last one to leave an empty queue deletes it.  Both
# are Lua scripts, so two workers starting together cannot both decide.
_REGISTER = """
local now = tonumber(redis.call('TIME')[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
local new_run = 0
if redis.call('ZCARD', KEYS[1]) == 0 and redis.call('EXISTS', KEYS[2]) == 0 then
  redis.call('DEL', KEYS[3])
  new_run = 1
end
redis.call('ZADD', KEYS[1], now, ARGV[1])
return new_run
"""

_HEARTBEAT = """
local now = tonumber(redis.call('TIME')[1])
redis.call('ZADD', KEYS[1], now, ARGV[1])
return now
"""

_UNREGISTER = """
local now = tonumber(redis.call('TIME')[1])
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
if redis.call('ZCARD', KEYS[1]) == 0 and redis.call('EXISTS', KEYS[2]) == 0 then
  redis.call('DEL', KEYS[3])
  return 1
end
return 0
"""


class RedisScheduler(Scheduler):
    """scrapy-redis's scheduler, shared safely by many workers and many runs.

    * never flushes the shared queue or duplicate filter when one worker
      closes (scrapy-redis does, unless ``SCHEDULER_PERSIST``);
    * keeps a register of live workers (``<prefix>:workers``):
      the first worker of a new run clears the last run's duplicate filter,
      the last worker of a finished run deletes it, so it holds one run's
      fingerprints at most;
    * counts its stats without the deprecated ``spider=`` argument, and logs
      without the deprecated ``Spider.log()``.
    """

    worker_id: str = ""
    workers_key: str = ""
    new_run: bool = False
    _heartbeat: AsyncioLoopingCall | LoopingCall | None = None

    def open(self, spider: Spider) -> None:
        # scrapy-redis's open(), without its deprecated Spider.log() call.
        self.spider = spider
        self.queue = load_object(self.queue_cls)(
            server=self.server, spider=spider, key=self.queue_key % {"spider": spider.name},
            serializer=self.serializer,
        )
        if not self.df:
            self.df = load_object(self.dupefilter_cls).from_spider(spider)
        if self.flush_on_start:
            self.flush()
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.new_run = bool(
            self.server.eval(_REGISTER, 3, *self._run_keys(), self.worker_id, WORKER_TIMEOUT)
        )
        if self.new_run:
            logger.info("First worker of a new run: cleared the duplicate filter")
        elif len(self.queue):
            logger.info("Joining a run with %d requests queued", len(self.queue))
        if self.stats:
            self.stats.set_value("newscrawl/redis_new_run", self.new_run)
        self._heartbeat = create_looping_call(self._beat)
        self._heartbeat.start(HEARTBEAT_INTERVAL, now=False)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisScheduler:
        scheduler = super().from_crawler(crawler)
        scheduler.workers_key = Keys.from_settings(crawler.settings).workers
        return scheduler

    def _run_keys(self) -> tuple[str, str, str]:
        """The worker register, the shared queue and the duplicate filter."""
        return (self.workers_key, self.queue.key, self.df.key)

    def _beat(self) -> None:
        try:
            self.server.eval(_HEARTBEAT, 1, self.workers_key, self.worker_id)
        except redis.RedisError as exc:  # the next beat tries again
            logger.warning("Redis heartbeat failed: %s", exc)

    def close(self, reason: str) -> None:
        if self._heartbeat is not None and self._heartbeat.running:
            self._heartbeat.stop()
        ended = self.server.eval(_UNREGISTER, 3, *self._run_keys(), self.worker_id,
                                 WORKER_TIMEOUT)
        if ended:
            logger.info("Last worker of the run: deleted the duplicate filter")

    def enqueue_request(self, request: Request) -> bool:
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        self.queue.push(request)
        return True

    def next_request(self) -> Request | None:
        request = self.queue.pop(self.idle_before_close)
        if request is not None and self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request
