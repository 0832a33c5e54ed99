"""newscrawl's own Scrapy signals."""

#: Sent by spiders when an article or a page could not be fetched or read.
#: Arguments: ``url`` (str), ``code`` (str or None), ``reason`` (one line).
fetch_failed = object()

#: Sent by the archive pipeline for each accepted article.
#: Arguments: ``code`` (str), ``status`` ("written" or "unchanged").
archive_wrote = object()

#: Sent by the archive pipeline when the export at the end of a crawl failed.
#: Arguments: ``reason`` (one line).  The command exits non-zero.
export_failed = object()

#: Sent when the crawl stops short because a bound was hit (pages of a
#: listing, links of a page).  Arguments: ``url`` (str), ``reason`` (one line).
limit_reached = object()
