"""Range bitsets agree with a plain scan, at every edge, also when an answer is asked again."""

from __future__ import annotations

import random
from decimal import Decimal

from radiant.registry.bitset import positions
from radiant.registry.numeric import NumericIndex


def test_matches_a_scan() -> None:
    rng = random.Random(7)
    for size in (0, 1, 5, 127, 128, 129, 1000):
        values: list[Decimal | None] = [
            None if rng.random() < 0.1 else Decimal(rng.randint(0, 50)) / 4 for _ in range(size)
        ]
        index = NumericIndex(values, size)
        bounds = [Decimal(b) / 4 for b in range(-2, 206)]
        for bound in bounds + bounds[::-1]:  # asked again: kept answers, some evicted
            high = {i for i, v in enumerate(values) if v is not None and v >= bound}
            low = {i for i, v in enumerate(values) if v is not None and v <= bound}
            assert set(positions(index.at_least(bound))) == high
            assert set(positions(index.at_most(bound))) == low
