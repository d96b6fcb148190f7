"""Range filters over one numeric attribute, answered as bitsets without a full scan.

Values are sorted once; every ``CHUNK`` sorted positions form a bucket whose bitset is
precomputed, with running unions from either end. ``at_least(b)`` is then the union of the
buckets wholly above ``b`` plus the few positions of the one bucket ``b`` falls in; the
answer is kept per bound position, since the bounds asked for repeat.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from typing import Any

from radiant.registry.bitset import from_positions

__all__ = ["NumericIndex"]

CHUNK = 128
#: answers kept per direction: bounds repeat (context windows are a few round numbers)
_KEPT = 64


class NumericIndex:
    def __init__(self, values: Sequence[Any], size: int) -> None:
        # by value, then position (a stable sort of the positions in increasing order)
        ordered = [i for i, v in enumerate(values) if v is not None]
        ordered.sort(key=values.__getitem__)
        self.size = size
        self.keys = [values[i] for i in ordered]
        self.positions = ordered
        buckets = [
            from_positions(ordered[start : start + CHUNK], size)
            for start in range(0, len(ordered), CHUNK)
        ]
        # below[k]: union of buckets 0..k-1; above[k]: union of buckets k..end
        self.below = [0]
        for mask in buckets:
            self.below.append(self.below[-1] | mask)
        self.above = [0]
        for mask in reversed(buckets):
            self.above.append(self.above[-1] | mask)
        self.above.reverse()
        self._from: dict[int, int] = {}
        self._upto: dict[int, int] = {}

    def at_least(self, bound: Any) -> int:
        start = bisect_left(self.keys, bound)  # keys[start:] >= bound
        if start >= len(self.keys):
            return 0
        found = self._from.get(start)
        if found is None:
            bucket = start // CHUNK
            edge = min((bucket + 1) * CHUNK, len(self.keys))
            found = self.above[bucket + 1] | from_positions(self.positions[start:edge], self.size)
            self._from = _remember(self._from, start, found)
        return found

    def at_most(self, bound: Any) -> int:
        stop = bisect_right(self.keys, bound)  # keys[:stop] <= bound
        found = self._upto.get(stop)
        if found is None:
            bucket = stop // CHUNK
            edge = self.positions[bucket * CHUNK : stop]
            found = self.below[bucket] | from_positions(edge, self.size)
            self._upto = _remember(self._upto, stop, found)
        return found


def _remember(cache: dict[int, int], key: int, mask: int) -> dict[int, int]:
    """``cache`` with ``key`` added; a new dict (readers in other threads keep theirs)."""
    if len(cache) >= _KEPT:
        return {key: mask}
    return {**cache, key: mask}
