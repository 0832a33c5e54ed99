"""Item pipelines, one responsibility each, in the order of ``ITEM_PIPELINES``.

validate (100) -> dates (200) -> clean (300) -> category (400) -> archive (900)
"""
