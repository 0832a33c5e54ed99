"""What newscrawl knows about the sites it crawls: one module per source.

A source module is a spec: its URL patterns, feed shapes and field names,
article hosts and the junk rules of its article HTML.  Spiders, pipelines
and middlewares ask it; nothing else knows the source's URLs.  A second
source would be a second module of the same shape.
"""
