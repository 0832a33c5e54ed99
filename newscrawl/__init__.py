"""newscrawl: a Scrapy project that keeps a Jekyll news archive filled."""

__version__ = "0.1.0"
