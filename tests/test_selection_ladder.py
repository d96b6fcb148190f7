"""The price ladder (radiant.selection.ladder) gives exactly what sorting every slot gives."""

from __future__ import annotations

import random
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from radiant.domain import (
    HealthStatus,
    PlatformKind,
    PriceSheet,
    PricingType,
    ProviderHealth,
    Route,
    Task,
)
from radiant.registry import Snapshot
from radiant.registry.bitset import from_positions
from radiant.selection import SelectionCriteria, select
from radiant.selection.candidate import MISSING_PRICE
from radiant.selection.index import HOSTINGS, Slot, selection_index
from radiant.selection.prices import DEFAULT_BOOK, PriceTable
from selection_helpers import blocking, model, platform, provider, reference_select

CAPS = ["vision", "tools", "json", "code"]
#: few distinct rates: many ties of price, and of single coordinates
RATES = ["0", "0.5", "1", "1.5", "2", "3", "10"]


def _sheet(rng: random.Random, rates: list[str]) -> PriceSheet | None:
    kind = rng.random()
    if kind < 0.1:
        return None
    if kind < 0.2:  # priced per hour only: no price for a request
        return PriceSheet(pricing_type=PricingType.PER_HOUR, per_hour=Decimal("2"))
    if kind < 0.3:
        return PriceSheet(pricing_type=PricingType.PER_IMAGE, per_image=Decimal(rng.choice(rates)))
    fee = Decimal(rng.choice(["0.001", "0.01"])) if rng.random() < 0.2 else None
    return PriceSheet(
        pricing_type=PricingType.PER_TOKEN,
        input_per_1m=Decimal(rng.choice(rates)),
        output_per_1m=Decimal(rng.choice(rates)),
        per_request=fee,
    )


def _snapshot(seed: int, size: int, rates: list[str] = RATES) -> Snapshot:
    rng = random.Random(seed)
    platforms = [
        platform("direct", PlatformKind.DIRECT),
        platform("cloud", PlatformKind.CLOUD),
        platform("self_hosted", PlatformKind.SELF_HOSTED),
    ]
    providers = [provider(f"p{i}") for i in range(4)]
    # a few providers with a latency: several static ranks among external slots
    health = [
        ProviderHealth(provider_id="p1", status=HealthStatus.HEALTHY, avg_latency_ms=200),
        ProviderHealth(provider_id="p2", status=HealthStatus.DEGRADED),
    ]
    models, routes = [], []
    for i in range(size):
        mid = f"m{i:03d}"
        caps = ["chat", *rng.sample(CAPS, k=rng.randint(0, 3))]
        quality = rng.choice([None, 50.0, 90.0])
        models.append(model(mid, f"p{i % 4}", capabilities=caps, quality_score=quality))
        for pid in rng.sample(["direct", "cloud", "self_hosted"], k=rng.randint(1, 3)):
            routes.append(
                Route(model_id=mid, platform_id=pid, model_string=mid, price=_sheet(rng, rates))
            )
    blocked = {r.id for r in routes if rng.random() < 0.2}
    return Snapshot.build(
        1, platforms, providers, models, routes, health, route_check=blocking(blocked)
    )


def _full_sort(
    slots: list[Slot], table: PriceTable, inp: int, out: int, passing: list[int], wanted: set[str]
) -> list[tuple[str, str, int, int]]:
    """The straightforward ranking: price every passing slot, sort them all."""
    ranked = []
    for slot in slots:
        route = slot.first
        if route is None or not (passing[HOSTINGS.index(slot.hosting)] >> slot.pos) & 1:
            continue
        price = table.get(route)
        key = MISSING_PRICE if price is None else price.key(inp, out)
        hits = len(wanted & slot.capabilities)
        ranked.append(((slot.static_rank, -hits, key, slot.tail_rank), slot, route, key, hits))
    ranked.sort(key=lambda item: item[0])
    return [(s.entry.id, r.id, k, h) for _, s, r, k, h in ranked]


@settings(max_examples=100, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    size=st.integers(1, 200),
    inp=st.sampled_from([0, 1, 7, 1000, 123_457, 10**8]),
    out=st.sampled_from([0, 1, 500, 8000, 99_999]),
    limit=st.integers(1, 40),
    wanted=st.sets(st.sampled_from([*CAPS, "absent"]), max_size=3),
    share=st.floats(0.05, 1.0),
    rates=st.sampled_from([RATES, ["1", "2"], ["0", "3"]]),
)
def test_the_ladder_ranks_exactly_like_sorting_every_slot(
    seed: int,
    size: int,
    inp: int,
    out: int,
    limit: int,
    wanted: set[str],
    share: float,
    rates: list[str],
) -> None:
    snapshot = _snapshot(seed, size, rates)
    index = selection_index(snapshot)
    table = index.prices(DEFAULT_BOOK)
    rng = random.Random(seed + 1)
    passing = [
        from_positions((p for p in range(snapshot.size) if rng.random() < share), snapshot.size)
        for _ in HOSTINGS
    ]
    ladder = index.ladder(table, Task.CHAT.value, None, False)
    width = (snapshot.size + 7) // 8
    found = ladder.best(
        inp, out, [m.to_bytes(width, "little") for m in passing], limit, frozenset(wanted)
    )
    got = [(s.entry.id, r.id, k, h) for s, r, k, h in found]
    assert got == _full_sort(index.slots, table, inp, out, passing, wanted)[:limit]


def test_selection_with_a_new_estimate_on_every_call_matches_the_reference() -> None:
    """1,500 models: every call a new token estimate, so the ladder answers (not a cache)."""
    snapshot = _snapshot(3, 1500)
    rng = random.Random(5)
    for i in range(40):
        criteria = SelectionCriteria(
            task=Task.CHAT,
            estimated_input_tokens=1 + i * 997 + rng.randint(0, 50),
            estimated_output_tokens=rng.choice([0, 10, 400 + i, 20_000 + i]),
            optional_capabilities=rng.sample(CAPS, k=rng.randint(0, 2)),
            tier=rng.choice([None, 3]),
            limit=rng.choice([1, 5, 10]),
        )
        expected = reference_select(snapshot, criteria)[: criteria.limit]
        got = select(snapshot, criteria)
        rows = [
            (c.entry.id, c.hosting_type.value, c.route.id, c.price_per_request)
            for c in got.candidates
        ]
        assert rows == expected, criteria
