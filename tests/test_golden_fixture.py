"""The repository's golden post is the shared seed's, byte for byte (where the seed is there)."""

from __future__ import annotations

import pytest

from tests.conftest import GOLDEN_POST, SHARED_GOLDEN_POST

pytestmark = pytest.mark.unit


def test_the_repository_golden_post_is_the_shared_seed() -> None:
    if not SHARED_GOLDEN_POST.is_file():
        pytest.skip(f"{SHARED_GOLDEN_POST} is not here: only the repository's copy is checked")
    assert GOLDEN_POST.read_bytes() == SHARED_GOLDEN_POST.read_bytes()
