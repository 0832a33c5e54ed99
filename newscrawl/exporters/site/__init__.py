"""The Jekyll site around the posts: ``export_archive`` writes the whole archive from the store.

See :mod:`newscrawl.exporters.site.export` for what an export does and
:mod:`newscrawl.exporters.site.manifest` for how newscrawl knows its own files.
"""

from newscrawl.exporters.site.export import (
    OLD_POSTS_DIR,
    POSTS_DIR,
    ExportResult,
    Skipped,
    export_archive,
    remembered_keep_days,
    remembered_site_url,
)

__all__ = [
    "OLD_POSTS_DIR",
    "POSTS_DIR",
    "ExportResult",
    "Skipped",
    "export_archive",
    "remembered_keep_days",
    "remembered_site_url",
]
