"""Exporters: turn stored articles into the files of the Jekyll archive."""
