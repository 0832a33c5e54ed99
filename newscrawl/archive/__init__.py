"""The archive: the Jekyll site directory and newscrawl's state inside it (``.newscrawl/``).

:class:`Archive` is the one object that knows an archive: where it keeps
things, what it remembers (site URL, retention window), its lock.  Below it:
the store (the source of truth), the manifest of the files newscrawl wrote,
the lock, the run log, atomic file writing, the archive's clock and file
names, and the export that writes the site from the store through an output
format (:mod:`newscrawl.formats`).
"""

from newscrawl.archive.directory import Archive, ArchiveError, check_keep_days, check_site_url
from newscrawl.archive.lock import ArchiveBusy

__all__ = ["Archive", "ArchiveBusy", "ArchiveError", "check_keep_days", "check_site_url"]
