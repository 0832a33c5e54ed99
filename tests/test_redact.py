"""The one masking function for passwords in URLs, on the forms a Redis URL takes."""

from __future__ import annotations

import pytest

from newscrawl.redact import mask_passwords


@pytest.mark.parametrize(("text", "masked"), [
    ("redis://:s3cret@127.0.0.1:6379/0", "redis://:***@127.0.0.1:6379/0"),
    ("rediss://user:s3cret@redis.lan/1", "rediss://user:***@redis.lan/1"),
    # An unencoded "@" in the password: masked up to the authority's last one.
    ("redis://:s3@cret@host:6379/0", "redis://:***@host:6379/0"),
    ("redis://host:6379/0?password=s3cret&db=1", "redis://host:6379/0?password=***&db=1"),
    ("unix://:s3cret@/run/redis.sock?db=0", "unix://:***@/run/redis.sock?db=0"),
    # Inside a line, twice, and in a JSON record or a Python repr.
    ("newscrawl crawl --redis redis://:s3cret@h:1/0 --out w; redis://u:s3cret@g/0",
     "newscrawl crawl --redis redis://:***@h:1/0 --out w; redis://u:***@g/0"),
    ('{"command": "push --redis redis://:s3cret@h:1/0 http://x/"}',
     '{"command": "push --redis redis://:***@h:1/0 http://x/"}'),
    ("{'REDIS_URL': 'redis://:s3cret@h:1/0'}", "{'REDIS_URL': 'redis://:***@h:1/0'}"),
])
def test_passwords_are_masked(text: str, masked: str) -> None:
    assert mask_passwords(text) == masked


@pytest.mark.parametrize("text", [
    "redis://127.0.0.1:6379/0",  # no password; a port is not one
    "redis://user@host/0",  # a user name alone is not a secret
    "http://news.test/html_News/NewsShare.html?infoCode=NW1 found on http://a:80/b",
    "mail x@news.test: 12:30 @ noon",
])
def test_text_without_passwords_is_unchanged(text: str) -> None:
    assert mask_passwords(text) == text
