"""The ``newscrawl`` subcommands, one module each.

Each module has ``NAME``, ``HELP``, ``add_arguments(parser)`` and
``run(args) -> int`` (the exit status).  ``newscrawl.cli`` lists them.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from newscrawl.archive.store import store_problem
from newscrawl.formats.jekyll.post import DEFAULT_SITE_URL
from newscrawl.redact import mask_passwords
from newscrawl.text import printable

DEFAULT_OUT = Path("output")

#: Exit status of a command refused because another run holds the archive.
EXIT_BUSY = 3


class UsageError(Exception):
    """Bad arguments or an unusable archive directory: exit status 2, one line."""


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return value


def non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0:  # also refuses nan
        raise argparse.ArgumentTypeError(f"expected a number of seconds >= 0, got {text!r}")
    return value


def add_archive_options(parser: argparse.ArgumentParser) -> None:
    """``--out``, ``--site-url`` and ``--wait``, shared by every command that writes the archive.

    A command with these options writes the archive: ``newscrawl.cli`` holds
    the archive's lock (``newscrawl.archive.lock``) while it runs.
    """
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, metavar="DIR",
        help="archive directory (a Jekyll site; default: %(default)s)",
    )
    parser.add_argument(
        "--site-url", default=None, metavar="URL",
        help="base URL of the published archive, used in post links and _config.yml "
        f"(default: the archive's last one, remembered by every export; {DEFAULT_SITE_URL} "
        "for a new archive)",
    )
    parser.add_argument(
        "--wait", action="store_true",
        help="when another newscrawl run holds the archive, wait for it to end "
        f"(default: refuse, exit status {EXIT_BUSY})",
    )
    parser.set_defaults(writes_archive=True)


def add_crawl_options(parser: argparse.ArgumentParser) -> None:
    """Options of every command that runs a crawl."""
    add_archive_options(parser)
    parser.add_argument(
        "--log-level", default="WARNING",
        choices=["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"],
        help="Scrapy log level on stderr (default: %(default)s; progress and summary "
        "lines are printed regardless)",
    )
    parser.add_argument(
        "-s", "--set", dest="settings", action="append", default=[], metavar="NAME=VALUE",
        help="override a Scrapy or newscrawl setting, e.g. -s CONCURRENT_REQUESTS=32 "
        "(repeatable; JSON values are decoded)",
    )
    parser.add_argument(
        "--refresh", action="store_true",
        help="request articles that are already in the store again (default: only "
        "new ones; fetch always requests its article)",
    )


def parse_setting_overrides(pairs: list[str]) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise UsageError(f"-s {pair!r}: expected NAME=VALUE")
        try:
            overrides[name] = json.loads(value)
        except ValueError:
            overrides[name] = value
    return overrides


def check_archive_dir(out: Path) -> None:
    """The archive directory exists (or can be made), is writable, and its store is readable."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".newscrawl-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise UsageError(f"archive directory {out}: not writable ({exc.strerror})") from exc
    problem = store_problem(out)
    if problem:
        raise UsageError(problem)


def crawl_settings(args: argparse.Namespace) -> dict[str, Any]:
    """Scrapy settings from the common options."""
    settings: dict[str, Any] = {
        "NEWSCRAWL_OUT_DIR": str(args.out),
        "NEWSCRAWL_SITE_URL": args.site_url,
        "LOG_LEVEL": args.log_level,
    }
    if getattr(args, "refresh", False):
        settings["NEWSCRAWL_REFRESH"] = True
    settings.update(parse_setting_overrides(args.settings))
    return settings


def error(message: str) -> None:
    """One line on stderr, without the password of any URL in it, and with whatever
    the message quotes from the source escaped (see :func:`newscrawl.text.printable`)."""
    print(printable(mask_passwords(f"newscrawl: {message}")), file=sys.stderr, flush=True)
