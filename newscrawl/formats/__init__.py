"""Output formats: how stored articles become the files of the archive.

:mod:`newscrawl.formats.jekyll` is the one format today (the live archive's):
a post per article and the site around the posts.
"""
