"""A candidate of a selection: one model served one way on one route, with what ranked it.

Candidates are immutable tuples (a NamedTuple is built ~5x faster than a frozen
dataclass, which matters when every request selects), so the price orders of
:mod:`radiant.selection.index` can build each one once and hand it to every selection.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from radiant.domain import HealthStatus, HostingType, Route, ThermalState
from radiant.registry import ModelEntry

if TYPE_CHECKING:
    from radiant.selection.index import Slot
    from radiant.selection.prices import PriceTable

__all__ = ["MISSING_PRICE", "Candidate", "make_candidate"]

#: The price key of a route without a price for the request: after every real price.
MISSING_PRICE = 1 << 256


class Candidate(NamedTuple):
    """A model on one route."""

    entry: ModelEntry
    route: Route
    hosting_type: HostingType
    thermal_state: ThermalState | None
    warmup_required: bool
    warmup_time_seconds: int | None
    health: HealthStatus
    avg_latency_ms: float | None
    #: estimated PRICE of one request (None: the route cannot price it)
    price_per_request: Decimal | None
    optional_hits: int
    reasons: tuple[str, ...]

    @property
    def model_id(self) -> str:
        return self.entry.id


_new = tuple.__new__


def make_candidate(
    slot: Slot,
    route: Route,
    price: int,
    hits: int,
    table: PriceTable,
    reasons: tuple[str, ...] = (),
) -> Candidate:
    return _new(
        Candidate,
        (
            slot.entry,
            route,
            slot.hosting,
            slot.thermal,
            slot.warmup_required,
            slot.warmup_seconds,
            slot.health,
            slot.latency_ms,
            None if price == MISSING_PRICE else table.to_decimal(price),
            hits,
            reasons,
        ),
    )
