"""The archive: the Jekyll site directory and newscrawl's state inside it (``.newscrawl/``).

Everything that knows where the archive keeps things lives here: the store
(the source of truth), the manifest of the files newscrawl wrote, the lock,
the run log, atomic file writing, and the export that writes the site from
the store through an output format (:mod:`newscrawl.formats`).
"""
