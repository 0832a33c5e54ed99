"""Reading the posts the archive's first generator wrote (``newscrawl import``)."""
