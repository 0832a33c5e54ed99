"""Connecting to the Redis server of a distributed crawl, with errors that keep its password."""

from __future__ import annotations

import redis
from scrapy.settings import BaseSettings
from scrapy_redis import connection

from newscrawl.redact import mask_passwords


class RedisUnavailable(Exception):
    """Redis cannot be reached or refused us; the message names the URL without its password."""

    def __init__(self, url: str, exc: Exception) -> None:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        super().__init__(mask_passwords(f"Redis {url}: {reason}"))


def connect(url: str) -> redis.Redis:
    """A client for ``redis://HOST:PORT/DB`` (scrapy-redis's defaults), checked with a PING."""
    try:
        server = connection.get_redis(url=url)
        server.ping()
    except (redis.RedisError, ValueError) as exc:
        raise RedisUnavailable(url, exc) from exc
    return server


def connect_from_settings(settings: BaseSettings) -> redis.Redis:
    """:func:`connect` to the setting ``REDIS_URL`` (scrapy-redis's name for it)."""
    return connect(settings["REDIS_URL"])
