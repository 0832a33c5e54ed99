"""Passwords out of everything newscrawl prints or writes.

A Redis URL may carry a password (``redis://:pw@host:6379/0``,
``redis://user:pw@host/0``, ``…?password=pw``).  The command line that holds
the archive's lock, the run log, error lines and summaries go through
:func:`mask_passwords` first: the lock file and the run log are
world-readable, and terminals and logs are shared.
"""

from __future__ import annotations

import re

MASK = "***"

# scheme://[user]:password@ — greedy up to the authority's last "@" (an
# unencoded "@" may be part of the password), never past a "/" or white space.
_USERINFO = re.compile(r"(?P<head>\b[a-zA-Z][a-zA-Z0-9+.-]*://[^:@/\s]*:)[^/\s]*(?=@)")
# ?password=… or &password=… in a query string.
_QUERY = re.compile(r"(?P<head>[?&]password=)[^&#\s]*", re.IGNORECASE)


def mask_passwords(text: str) -> str:
    """``text`` with the password of every URL in it replaced by ``***``."""
    if "://" not in text and "password=" not in text.lower():
        return text
    text = _USERINFO.sub(lambda m: m["head"] + MASK, text)
    return _QUERY.sub(lambda m: m["head"] + MASK, text)
