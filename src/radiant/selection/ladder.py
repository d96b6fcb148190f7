"""The best few slots of a task by the price of a request of any size, without sorting all.

Candidates rank by keys 1-3 (one *static rank*), optional-capability matches, the price
of the request, then keys 6-7 (one *tail rank*; see :mod:`radiant.selection.ranking`). The
price key of a slot's lead route for an estimate of ``i`` input and ``o`` output tokens is
``i·a + o·b + c`` (``a``, ``b`` its marked-up rates, ``c`` its fixed part; see
:mod:`radiant.selection.prices`): linear in the estimate with coefficients ``>= 0``, so a
cache per estimate does not help when every request brings a new one, and sorting every
slot of a task for each request costs milliseconds on 10,000 models.

A :class:`Ladder` keeps, per static rank (a *rung*), the priced slots sorted by ``a``, by
``b`` and by ``c``. The best ``k`` of a rung for ``(i, o)`` come from stepping down those
orders together (Fagin's threshold algorithm): every slot met is priced exactly and, if
it passes the filters, kept among the best ``k`` seen; after ``d`` steps no slot not yet
met can cost less than ``i·a_d + o·b_d + c_d`` (the values at depth ``d``), so once ``k``
kept slots cost strictly less than that bound nothing unseen can beat them. Slots without
a price rank after the priced ones (by matches, then tail rank). The result is exactly the
full sort's (``tests/test_selection_ladder.py`` checks that with hypothesis); for a usual
request it looks at a few dozen slots of thousands.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from radiant.domain import HostingType, Route
from radiant.selection.candidate import MISSING_PRICE
from radiant.selection.prices import PriceTable

if TYPE_CHECKING:
    from radiant.selection.index import Slot

__all__ = ["Found", "Ladder", "Rung"]

#: a rung this small is priced whole: stepping costs more than it saves
SMALL = 24
#: (slot, lead route, price key, optional-capability matches), best first
Found = tuple["Slot", Route, int, int]
_HOST = {HostingType.EXTERNAL: 0, HostingType.SELF_HOSTED: 1}


@dataclass(slots=True)
class Rung:
    """The slots of one static rank: priced members ``0..n-1``, then ``unpriced``."""

    static_rank: int
    slots: list[Slot]
    routes: list[Route]
    #: per priced member: rates and fixed part (price key ``i*a + o*b + c``)
    a: list[int]
    b: list[int]
    c: list[int]
    tails: list[int]
    pos: list[int]
    host: list[int]
    caps: list[frozenset[str]]
    #: priced members sorted by a, by b, by c
    by_a: list[int]
    by_b: list[int]
    by_c: list[int]
    #: members without a price for a request, by tail rank (indices >= len(a))
    unpriced: list[int]


class Ladder:
    """The slots of one task (one hosting type or both) under one price table."""

    def __init__(self, members: Sequence[tuple[Slot, Route]], table: PriceTable) -> None:
        self.table = table
        groups: dict[int, list[tuple[Slot, Route]]] = defaultdict(list)
        for slot, route in members:
            groups[slot.static_rank].append((slot, route))
        self.rungs = [_rung(rank, groups[rank], table) for rank in sorted(groups)]
        self.size = len(members)

    def best(
        self,
        input_tokens: int,
        output_tokens: int,
        passing: Sequence[bytes],
        limit: int,
        wanted: frozenset[str] = frozenset(),
    ) -> list[Found]:
        """The best ``limit`` members whose model position is set in ``passing`` (one
        little-endian bitset per hosting type, external then self-hosted), best first;
        ``wanted`` are the optional capabilities (more matched rank higher)."""
        found: list[Found] = []
        for rung in self.rungs:
            need = limit - len(found)
            if need <= 0:
                break
            found.extend(_best_of(rung, input_tokens, output_tokens, passing, need, wanted))
        return found


def _rung(rank: int, members: list[tuple[Slot, Route]], table: PriceTable) -> Rung:
    priced: list[tuple[Slot, Route, int, int, int]] = []
    unpriced: list[tuple[Slot, Route]] = []
    for slot, route in members:
        price = table.by_route.get(id(route))
        if price is None:
            unpriced.append((slot, route))
        else:
            priced.append((slot, route, price.input_rate, price.output_rate, price.fixed))
    unpriced.sort(key=lambda m: m[0].tail_rank)
    slots = [m[0] for m in priced] + [m[0] for m in unpriced]
    n = len(priced)
    a = [m[2] for m in priced]
    b = [m[3] for m in priced]
    c = [m[4] for m in priced]
    return Rung(
        static_rank=rank,
        slots=slots,
        routes=[m[1] for m in priced] + [m[1] for m in unpriced],
        a=a,
        b=b,
        c=c,
        tails=[s.tail_rank for s in slots],
        pos=[s.pos for s in slots],
        host=[_HOST[s.hosting] for s in slots],
        caps=[s.capabilities for s in slots],
        by_a=sorted(range(n), key=a.__getitem__),
        by_b=sorted(range(n), key=b.__getitem__),
        by_c=sorted(range(n), key=c.__getitem__),
        unpriced=list(range(n, len(slots))),
    )


def _best_of(
    rung: Rung,
    inp: int,
    out: int,
    passing: Sequence[bytes],
    need: int,
    wanted: frozenset[str],
) -> list[Found]:
    n = len(rung.a)
    top = len(wanted)
    if n <= SMALL:
        heap = _priced_whole(rung, inp, out, passing, need, wanted)
    else:
        heap = _priced_by_steps(rung, inp, out, passing, need, wanted)
    # heap items: (hits, -price, -tail, member); larger is better
    ranked = sorted(heap, reverse=True)
    if len(ranked) < need or (wanted and ranked and ranked[-1][0] < top):
        ranked = _with_unpriced(rung, passing, need, wanted, ranked)
    slots, routes = rung.slots, rung.routes
    return [(slots[m], routes[m], -neg, hits) for hits, neg, _, m in ranked[:need]]


Kept = tuple[int, int, int, int]


def _priced_whole(
    rung: Rung, inp: int, out: int, passing: Sequence[bytes], need: int, wanted: frozenset[str]
) -> list[Kept]:
    a, b, c, pos, host, caps, tails = (
        rung.a,
        rung.b,
        rung.c,
        rung.pos,
        rung.host,
        rung.caps,
        rung.tails,
    )
    heap: list[Kept] = []
    for m in range(len(a)):
        p = pos[m]
        if not (passing[host[m]][p >> 3] >> (p & 7)) & 1:
            continue
        item = (
            len(wanted & caps[m]) if wanted else 0,
            -(inp * a[m] + out * b[m] + c[m]),
            -tails[m],
            m,
        )
        if len(heap) < need:
            heapq.heappush(heap, item)
        elif item > heap[0]:
            heapq.heapreplace(heap, item)
    return heap


def _priced_by_steps(
    rung: Rung, inp: int, out: int, passing: Sequence[bytes], need: int, wanted: frozenset[str]
) -> list[Kept]:
    a, b, c, pos, host, caps, tails = (
        rung.a,
        rung.b,
        rung.c,
        rung.pos,
        rung.host,
        rung.caps,
        rung.tails,
    )
    n = len(a)
    orders, floor = _orders(rung, inp, out)
    if not orders:
        return _priced_whole(rung, inp, out, passing, need, wanted)
    top = len(wanted)
    seen = bytearray(n)
    heap: list[Kept] = []
    depth = 0
    while depth < n:
        for order, _, _ in orders:
            m = order[depth]
            if seen[m]:
                continue
            seen[m] = 1
            p = pos[m]
            if not (passing[host[m]][p >> 3] >> (p & 7)) & 1:
                continue
            hits = len(wanted & caps[m]) if wanted else 0
            item = (hits, -(inp * a[m] + out * b[m] + c[m]), -tails[m], m)
            if len(heap) < need:
                heapq.heappush(heap, item)
            elif item > heap[0]:
                heapq.heapreplace(heap, item)
        depth += 1
        if len(heap) == need and depth < n:
            worst = heap[0]
            if worst[0] == top:
                bound = floor
                for order, values, weight in orders:
                    bound += weight * values[order[depth]]
                if -worst[1] < bound:  # nothing unseen costs as little: done
                    break
    return heap


Orders = list[tuple[list[int], list[int], int]]


def _orders(rung: Rung, inp: int, out: int) -> tuple[Orders, int]:
    """The orders worth stepping down, as (order, values, weight), and the constant part
    of every price: a dimension whose weight is 0, or whose values are all equal, adds
    the same to every price (its smallest value, weighted, to the bound)."""
    orders: Orders = []
    floor = 0
    for order, values, weight in (
        (rung.by_a, rung.a, inp),
        (rung.by_b, rung.b, out),
        (rung.by_c, rung.c, 1),
    ):
        low = values[order[0]]
        if weight and values[order[-1]] != low:
            orders.append((order, values, weight))
        else:
            floor += weight * low
    return orders, floor


def _with_unpriced(
    rung: Rung, passing: Sequence[bytes], need: int, wanted: frozenset[str], ranked: list[Kept]
) -> list[Kept]:
    """``ranked`` (the best priced) merged with the passing members without a price."""
    pos, host, caps, tails = rung.pos, rung.host, rung.caps, rung.tails
    extra: list[Kept] = []
    for m in rung.unpriced:  # in tail order
        p = pos[m]
        if not (passing[host[m]][p >> 3] >> (p & 7)) & 1:
            continue
        hits = len(wanted & caps[m]) if wanted else 0
        extra.append((hits, -MISSING_PRICE, -tails[m], m))
        if not wanted and len(extra) + len(ranked) >= need:
            break  # without matches to rank by, the first ones in tail order are the best
    if not extra:
        return ranked
    return sorted(ranked + extra, reverse=True)[:need]
