"""newscrawl's spiders: ``share`` (one or more share links), ``category``, ``feed``."""
