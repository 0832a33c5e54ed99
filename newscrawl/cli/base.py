"""The base of every ``newscrawl`` command: options in, settings out, then the run.

Each command is a :class:`Command`.  ``newscrawl.cli.main`` runs every one
the same way, in this order:

1. ``argparse`` reads the command line (:mod:`.options` checks each value);
2. :meth:`Command.process_options` checks the options that depend on each
   other and turns them all into Scrapy settings, once (``-s NAME=VALUE``
   last, so it wins): nothing has been created or written yet;
3. for a command that writes the archive, :meth:`Command.check_archive`
   checks (and creates) the archive directory, the archive's lock is taken
   and a run record is written at the end;
4. :meth:`Command.run` does the work with those settings.

An argument error is one line on stderr and exit status 2, at step 1 or 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, ClassVar, NoReturn

from scrapy.settings import Settings

from newscrawl.archive import Archive, check_keep_days, check_site_url
from newscrawl.archive.store import store_problem
from newscrawl.redact import mask_passwords
from newscrawl.runner import project_settings
from newscrawl.text import printable

#: Exit status of bad arguments or an unusable archive directory.
EXIT_USAGE = 2
#: Exit status of a command refused because another run holds the archive.
EXIT_BUSY = 3

#: Options whose value, when given, is a setting: ``dest`` -> setting name.
OPTION_SETTINGS = {
    "out": "NEWSCRAWL_OUT_DIR",
    "site_url": "NEWSCRAWL_SITE_URL",
    "keep_days": "NEWSCRAWL_KEEP_DAYS",
    "search": "NEWSCRAWL_SEARCH",
    "log_level": "LOG_LEVEL",
    "delay": "DOWNLOAD_DELAY",
    "redis": "REDIS_URL",
    "redis_prefix": "NEWSCRAWL_REDIS_PREFIX",
    "idle_exit": "NEWSCRAWL_IDLE_EXIT",
}


class UsageError(Exception):
    """Bad arguments: exit status 2, one line."""


def error(message: str) -> None:
    """One line on stderr, without the password of any URL in it, and with whatever
    the message quotes from the source escaped (see :func:`newscrawl.text.printable`)."""
    print(printable(mask_passwords(f"newscrawl: {message}")), file=sys.stderr, flush=True)


def plural(count: int, word: str, words: str | None = None) -> str:
    """``1 article``, ``2 articles``."""
    return f"{count} {word if count == 1 else (words or word + 's')}"


class ArgumentParser(argparse.ArgumentParser):
    """argparse, with its errors in one line (no usage block) and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, printable(mask_passwords(
            f"{self.prog}: {message} (see {self.prog} --help)")) + "\n")


def parse_setting_overrides(pairs: list[str]) -> dict[str, Any]:
    """``-s NAME=VALUE`` pairs; a JSON value is decoded, anything else is a string."""
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


def check_settings(settings: Settings) -> None:
    """The settings every command shares have usable values (whoever gave them)."""
    try:
        output_format = Archive.from_settings(settings).output_format(settings)
    except ValueError as exc:  # an unknown NEWSCRAWL_FORMAT
        raise UsageError(str(exc)) from exc
    check_site_url(settings["NEWSCRAWL_SITE_URL"], output_format)
    check_keep_days(settings["NEWSCRAWL_KEEP_DAYS"])


class Command:
    """One ``newscrawl`` command.

    Subclasses set :attr:`name` and :attr:`help` (and :attr:`description`),
    declare their options in :meth:`add_options`, may check and translate
    more of them in :meth:`check_options` and :meth:`extra_settings`, and do
    their work in :meth:`run`.
    """

    name: ClassVar[str]
    help: ClassVar[str]
    description: ClassVar[str] = ""
    #: Commands that write the archive run under its lock and leave a run record.
    writes_archive: ClassVar[bool] = False

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        """Declare the command's options."""

    def check_options(self, args: argparse.Namespace) -> None:
        """Raise UsageError for options that are wrong together (each alone is checked
        by argparse)."""

    def extra_settings(self, args: argparse.Namespace) -> dict[str, Any]:
        """Settings from options that are not one setting each (see OPTION_SETTINGS).

        The options of OPTION_SETTINGS and ``-s`` override these."""
        return {}

    def process_options(self, args: argparse.Namespace) -> Settings:
        """Every option checked and turned into settings, before anything is touched."""
        self.check_options(args)
        overrides = self.extra_settings(args)
        for dest, setting in OPTION_SETTINGS.items():
            value = getattr(args, dest, None)
            if value is not None:
                overrides[setting] = str(value) if dest == "out" else value
        if getattr(args, "refresh", False):
            overrides["NEWSCRAWL_REFRESH"] = True
        # -s NAME=VALUE comes last: it overrides the options above.
        overrides.update(parse_setting_overrides(getattr(args, "settings", None) or []))
        settings = project_settings(overrides)
        check_settings(settings)
        return settings

    def check_archive(self, args: argparse.Namespace, archive: Archive) -> None:
        """Before the lock: the archive directory can be written (it is created if need
        be), and its store, if any, read."""
        archive.check_writable()
        problem = store_problem(archive.path)
        if problem:
            raise UsageError(problem)

    def run(self, args: argparse.Namespace, settings: Settings, archive: Archive) -> int:
        """Do the work; the exit status."""
        raise NotImplementedError
