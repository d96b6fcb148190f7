"""How one caller sees a snapshot's prices: marked-up sheets, and costs only for those who
may read them.

A lens needs the snapshot and the markup book in force at its version, nothing from the
database: the API builds one per request from :meth:`PricingService.lens
<radiant.pricing.service.PricingService.lens>`, the CLI's read commands from a cached
snapshot (:mod:`radiant.cli._reads`) without opening the database through SQLAlchemy.
"""

from __future__ import annotations

from decimal import Decimal

from radiant.domain import HostingType, PlatformKind, PriceSheet, PricingType, Route, RouteStatus
from radiant.pricing.markup import Markup, MarkupBook
from radiant.pricing.views import marked_up
from radiant.registry import ModelEntry, Snapshot

__all__ = ["PriceLens", "hosting_of"]


def hosting_of(snapshot: Snapshot, route: Route) -> HostingType:
    """Whether ``route`` is external or self-hosted, by its platform's kind."""
    platform = snapshot.platforms.get(route.platform_id)
    return route.hosting_type(platform.kind if platform else PlatformKind.DIRECT)


class PriceLens:
    """How one caller sees a snapshot's prices: marked-up sheets, and costs only for those
    who ``sees_cost``. Built per request; caches the prices of each route it priced."""

    def __init__(self, snapshot: Snapshot, book: MarkupBook, sees_cost: bool) -> None:
        self.snapshot = snapshot
        self.book = book
        self.sees_cost = sees_cost
        self._prices: dict[str, dict[str, Decimal]] = {}

    def markup(self, entry: ModelEntry, route: Route) -> Markup:
        hosting = hosting_of(self.snapshot, route)
        return self.book.resolve(route, entry.model.provider_id, hosting)

    def prices(self, entry: ModelEntry, route: Route) -> dict[str, Decimal]:
        found = self._prices.get(route.id)
        if found is None:
            found = {}
            if route.price is not None:
                found = marked_up(route.price, self.markup(entry, route).percent)
            self._prices[route.id] = found
        return found

    def price_sheet(self, entry: ModelEntry, route: Route) -> PriceSheet | None:
        """The route's sheet with every money field turned into a price (notes dropped)."""
        if route.price is None:
            return None
        update: dict[str, object] = dict(self.prices(entry, route))
        update["notes"] = None
        return route.price.model_copy(update=update)

    def cheapest(self, entry: ModelEntry) -> tuple[Decimal | None, Decimal | None]:
        """The lowest input and output token PRICES over the model's active routes."""
        inputs: list[Decimal] = []
        outputs: list[Decimal] = []
        for route in entry.routes:
            if route.status is not RouteStatus.ACTIVE or route.price is None:
                continue
            if route.price.pricing_type is not PricingType.PER_TOKEN:
                continue
            prices = self.prices(entry, route)
            if "input_per_1m" in prices:
                inputs.append(prices["input_per_1m"])
            if "output_per_1m" in prices:
                outputs.append(prices["output_per_1m"])
        return (min(inputs) if inputs else None, min(outputs) if outputs else None)
