"""Scrapy extensions: the run report (progress line, summary, rejects log)."""
