"""The selector: the selection engine over the registry's current snapshot.

It adds what the pure engine leaves out: the snapshot in force, the markup book in force
(``markups``, e.g. :meth:`radiant.pricing.service.PricingService.book`; default markups
without it), the warm-up requests of :func:`~radiant.selection.fallback.select_with_fallback`
(``warmup``: a callable taking a model id, by default
:func:`radiant.store.thermal_requests.request_warmup` on the registry's database — a thermal
manager can be plugged in instead), and the seam where routing rules apply before
selection (:meth:`Selector.routing`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from radiant.errors import NotFoundError
from radiant.pricing.markup import MarkupBook
from radiant.registry import Snapshot
from radiant.registry.service import Registry
from radiant.selection.criteria import SelectionCriteria
from radiant.selection.engine import Selection, select
from radiant.selection.fallback import FallbackChoice, select_with_fallback
from radiant.selection.index import prepare
from radiant.selection.prices import DEFAULT_BOOK
from radiant.selection.routes import (
    Alternative,
    CheapRoute,
    RankedRoute,
    alternatives,
    availability,
    cheapest_routes,
    rank_routes,
)
from radiant.selection.rule_matching import RuleDecision
from radiant.selection.rule_steering import RuleCache, decide, reorder, routed_fallback, steer
from radiant.store.thermal_requests import request_warmup

__all__ = ["FallbackResult", "Selector"]


@dataclass(frozen=True, slots=True)
class FallbackResult:
    outcome: FallbackChoice
    #: True when a warm-up of ``outcome.warm`` was recorded now (False: already warming)
    warmup_requested: bool


class Selector:
    def __init__(
        self,
        registry: Registry,
        *,
        markups: Callable[[Snapshot], MarkupBook] | None = None,
        warmup: Callable[[str], bool] | None = None,
    ) -> None:
        self.registry = registry
        self._markups = markups
        # every new snapshot comes with its selection index and its price table under the
        # markups in force: the first request after a change finds them made
        registry.prepare(self._prepare)
        self._warmup = warmup or (lambda model_id: request_warmup(registry.engine, model_id))
        #: routing rules, read once per registry version (radiant.selection.rule_steering)
        self.routing_rules = RuleCache(registry.engine)

    def snapshot(self) -> Snapshot:
        return self.registry.snapshot()

    def _prepare(self, snapshot: Snapshot) -> None:
        prepare(snapshot, self.book(snapshot))

    def book(self, snapshot: Snapshot) -> MarkupBook:
        return self._markups(snapshot) if self._markups is not None else DEFAULT_BOOK

    # ------------------------------------------------------------------ routing rules

    def routing(
        self,
        criteria: SelectionCriteria,
        *,
        tenant_id: str | None,
        model: str | None,
        snapshot: Snapshot | None = None,
    ) -> RuleDecision:
        """What the enabled global and tenant rules decide for this request; raises
        :class:`~radiant.selection.rule_steering.RoutingBlockedError` (403) for a block."""
        snapshot = snapshot or self.snapshot()
        rules = self.routing_rules.rules(snapshot.version)
        return decide(rules, snapshot, criteria, tenant_id=tenant_id, model=model)

    # ------------------------------------------------------------------ selection

    def select(
        self,
        criteria: SelectionCriteria,
        *,
        tenant_id: str | None = None,
        model: str | None = None,
        explain: bool = False,
    ) -> Selection:
        snapshot = self.snapshot()
        decision = self.routing(criteria, tenant_id=tenant_id, model=model, snapshot=snapshot)
        steered = steer(criteria, decision)
        found = select(snapshot, steered, explain=explain, markups=self.book(snapshot))
        return reorder(found, decision, criteria.limit)

    def request_warmup(self, model_id: str) -> bool:
        """Ask for ``model_id``'s COLD endpoint to be warmed; True when it was asked now."""
        return self._warmup(model_id)

    def select_with_fallback(
        self,
        criteria: SelectionCriteria,
        *,
        tenant_id: str | None = None,
        model: str | None = None,
        explain: bool = False,
        warm: bool = True,
    ) -> FallbackResult:
        """Selection with a fallback (:mod:`radiant.selection.fallback`); ``warm=False``
        reports the cold model without recording a warm-up request (for callers not entitled to
        start endpoints)."""
        snapshot = self.snapshot()
        decision = self.routing(criteria, tenant_id=tenant_id, model=model, snapshot=snapshot)
        outcome = select_with_fallback(
            snapshot, steer(criteria, decision), explain=explain, markups=self.book(snapshot)
        )
        outcome = routed_fallback(outcome, decision, criteria.limit)
        requested = False
        if outcome.warm is not None and warm:
            requested = self._warmup(outcome.warm.entry.id)
        return FallbackResult(outcome, requested)

    def recommend(self, criteria: SelectionCriteria, *, tenant_id: str | None = None) -> Selection:
        """The top ``criteria.limit`` candidates, each with the reasons it ranks there."""
        return self.select(criteria, tenant_id=tenant_id, explain=True)

    # ------------------------------------------------------------------ routes

    def routes(
        self,
        name: str,
        *,
        input_tokens: int = 1000,
        output_tokens: int = 500,
        include_uncallable: bool = False,
    ) -> list[RankedRoute]:
        """Every route of a model, best first; a route this process cannot call is not
        usable unless ``include_uncallable``."""
        snapshot = self.snapshot()
        entry = snapshot.resolve(name)
        return rank_routes(
            snapshot,
            entry,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            markups=self.book(snapshot),
            include_uncallable=include_uncallable,
        )

    def best_route(self, name: str, *, include_uncallable: bool = False) -> RankedRoute:
        ranked = self.routes(name, include_uncallable=include_uncallable)
        if not ranked or not ranked[0].usable:
            entry = self.snapshot().resolve(name)
            detail = f"model {entry.id!r} has no usable route"
            if ranked and ranked[0].not_callable is not None and not include_uncallable:
                detail += f" (not callable here: {ranked[0].not_callable})"
            raise NotFoundError("route", entry.id, detail)
        return ranked[0]

    def fallbacks(self, name: str, *, include_uncallable: bool = False) -> list[RankedRoute]:
        """The usable routes of a model, in the order to try them."""
        ranked = self.routes(name, include_uncallable=include_uncallable)
        return [r for r in ranked if r.usable]

    def availability(
        self, name: str, *, include_uncallable: bool = False
    ) -> dict[str, list[RankedRoute]]:
        snapshot = self.snapshot()
        return availability(
            snapshot,
            snapshot.resolve(name),
            markups=self.book(snapshot),
            include_uncallable=include_uncallable,
        )

    def cheapest(self, criteria: SelectionCriteria) -> list[CheapRoute]:
        snapshot = self.snapshot()
        return cheapest_routes(snapshot, criteria, markups=self.book(snapshot))

    def alternatives(
        self, name: str, *, tier: int | None = None, limit: int = 5
    ) -> list[Alternative]:
        snapshot = self.snapshot()
        return alternatives(
            snapshot, snapshot.resolve(name), tier=tier, limit=limit, markups=self.book(snapshot)
        )
