"""The pricing service: the engine over the current snapshot and the store's pricing data.

The markup book (overrides) and the registry-wide averages are cached per registry
version: writing an override bumps the version, so every process picks it up.

Estimation runs in :meth:`PricingService.reconcile_estimates`: after every catalog sync
(``radiant sync catalog`` calls it) and on demand (``radiant pricing estimate``,
``POST /api/registry/pricing/estimates/run``). It estimates per-token routes that have
no cost, writes the estimated sheet, raises an alert for each estimated route without an
open one, and resolves the open alerts of routes whose cost is now real.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from radiant.domain import (
    HostingType,
    Model,
    Route,
    RouteStatus,
    Task,
    ThermalState,
)
from radiant.domain.tenant import TenantModelAccess
from radiant.errors import NotFoundError
from radiant.pricing import store
from radiant.pricing.cost import CostBreakdown, cost
from radiant.pricing.estimates import estimate_cost, reason_for
from radiant.pricing.lens import PriceLens, hosting_of
from radiant.pricing.markup import Markup, MarkupBook
from radiant.pricing.optimizer import (
    ModelPriceAnalysis,
    OptimizationRequest,
    OptimizationResult,
    analyse,
    optimize,
)
from radiant.pricing.price import PricedUsage, price_usage
from radiant.pricing.usage import Usage
from radiant.pricing.views import (
    AdminPricingView,
    ClientPricingView,
    RouteFacts,
    admin_view,
    client_view,
    headline,
    marked_up,
)
from radiant.registry import ModelEntry, Snapshot
from radiant.registry.service import Registry
from radiant.store import repository
from radiant.store.repository import bump_version, store_errors

__all__ = ["EstimateReport", "PricingService", "Quote"]


@dataclass(frozen=True)
class Quote:
    entry: ModelEntry
    route: Route
    cost: CostBreakdown
    priced: PricedUsage
    tenant_id: str | None = None


@dataclass
class EstimateReport:
    estimated: list[str] = field(default_factory=list)
    alerts_created: list[int] = field(default_factory=list)
    alerts_resolved: list[int] = field(default_factory=list)
    not_estimable: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Cache:
    version: int
    book: MarkupBook
    averages: dict[tuple[str, str], Decimal]


class PricingService:
    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.engine = registry.engine
        #: by registry version: the snapshot in force and the one being prepared (see
        #: Registry.prepare) each keep theirs, so neither recomputes the other's
        self._cache: dict[int, _Cache] = {}
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ cached state

    def _state(self, snapshot: Snapshot) -> _Cache:
        cache = self._cache.get(snapshot.version)
        if cache is not None:
            return cache
        with self._lock:
            cache = self._cache.get(snapshot.version)
            if cache is not None:
                return cache
            book = store.markup_book(self.engine)
            cache = _Cache(snapshot.version, book, self._averages(snapshot, book))
            newest = sorted(self._cache)[-1:]  # the version before this one stays
            self._cache = {v: self._cache[v] for v in newest} | {snapshot.version: cache}
            return cache

    def book(self, snapshot: Snapshot | None = None) -> MarkupBook:
        return self._state(snapshot or self.registry.snapshot()).book

    def _averages(self, snapshot: Snapshot, book: MarkupBook) -> dict[tuple[str, str], Decimal]:
        """Average headline PRICE per (task, unit) over active routes: the client tiers."""
        sums: dict[tuple[str, str], list[Decimal]] = defaultdict(list)
        for entry in snapshot.entries:
            for route in entry.routes:
                if route.price is None or route.status is not RouteStatus.ACTIVE:
                    continue
                markup = self._markup(snapshot, book, entry, route)
                head = headline(marked_up(route.price, markup.percent))
                if head is not None:
                    sums[(entry.task.value, head[0])].append(head[1])
        return {key: sum(values, Decimal(0)) / len(values) for key, values in sums.items()}

    # ------------------------------------------------------------------ markups

    hosting = staticmethod(hosting_of)

    def lens(self, snapshot: Snapshot, sees_cost: bool) -> PriceLens:
        """How a caller who ``sees_cost`` (or not) sees ``snapshot``'s prices."""
        return PriceLens(snapshot, self.book(snapshot), sees_cost)

    def _markup(
        self,
        snapshot: Snapshot,
        book: MarkupBook,
        entry: ModelEntry,
        route: Route,
        tenant: TenantModelAccess | None = None,
        at: datetime | None = None,
    ) -> Markup:
        hosting = self.hosting(snapshot, route)
        return book.resolve(route, entry.model.provider_id, hosting, tenant=tenant, at=at)

    def markup(
        self, entry: ModelEntry, route: Route, tenant: TenantModelAccess | None = None
    ) -> Markup:
        snapshot = self.registry.snapshot()
        return self._markup(snapshot, self.book(snapshot), entry, route, tenant)

    def client_prices(
        self, snapshot: Snapshot, entry: ModelEntry, route: Route
    ) -> dict[str, Decimal]:
        """Every money field of the route's current sheet as a PRICE (standard terms)."""
        if route.price is None:
            return {}
        markup = self._markup(snapshot, self.book(snapshot), entry, route)
        return marked_up(route.price, markup.percent)

    # ------------------------------------------------------------------ quotes

    def route_of(self, entry: ModelEntry, platform: str | None) -> Route:
        if platform is None:
            priced = [r for r in entry.routes if r.price is not None]
            if not priced:
                raise NotFoundError(
                    "price sheet", entry.id, f"model {entry.id!r} has no priced route"
                )
            return priced[0]
        for route in entry.routes:
            if route.platform_id == platform:
                return route
        raise NotFoundError("route", f"{entry.id}@{platform}")

    def quote(
        self,
        model: str,
        usage: Usage,
        *,
        platform: str | None = None,
        tenant: str | None = None,
        at: datetime | None = None,
        thermal_state: ThermalState | None = None,
    ) -> Quote:
        """Cost and price of ``usage`` on a model's route (the first priced one by default)."""
        snapshot = self.registry.snapshot()
        entry = snapshot.resolve(model)
        route = self.route_of(entry, platform)
        history = repository.price_history(self.engine, route.id) if at is not None else ()
        if thermal_state is None and self.hosting(snapshot, route) is HostingType.SELF_HOSTED:
            thermal_state = entry.thermal_state
        breakdown = cost(usage, route, at, history=history, thermal_state=thermal_state)
        terms = store.tenant_terms(self.engine, tenant, entry.id) if tenant else None
        access = terms.access if terms else None
        markup = self._markup(snapshot, self.book(snapshot), entry, route, access, at)
        priced = price_usage(breakdown, markup, access)
        return Quote(entry, route, breakdown, priced, terms.tenant_id if terms else None)

    # ------------------------------------------------------------------ views

    def facts(self, snapshot: Snapshot, entry: ModelEntry, route: Route) -> RouteFacts:
        provider = snapshot.providers.get(entry.model.provider_id)
        assert route.price is not None
        return RouteFacts(
            model_id=entry.id,
            model_display_name=entry.model.display_name,
            provider_id=entry.model.provider_id,
            provider_display_name=provider.display_name if provider else entry.model.provider_id,
            route_id=route.id,
            platform=route.platform_id,
            hosting_type=self.hosting(snapshot, route).value,
            pricing_type=route.price.pricing_type.value,
        )

    def views(
        self,
        entries: list[ModelEntry],
        *,
        admin: bool,
        tenant: str | None = None,
        snapshot: Snapshot | None = None,
    ) -> list[AdminPricingView | ClientPricingView]:
        """One view per priced route of ``entries``: admin (cost, markup, margin) or client."""
        snapshot = snapshot or self.registry.snapshot()
        state = self._state(snapshot)
        estimates = (
            store.open_estimates(self.engine)
            if admin
            or any(r.price is not None and r.price.is_estimated for e in entries for r in e.routes)
            else {}
        )
        result: list[AdminPricingView | ClientPricingView] = []
        terms = store.tenant_access_all(self.engine, tenant) if tenant else {}
        for entry in entries:
            access = terms.get(entry.id)
            for route in entry.routes:
                sheet = route.price
                if sheet is None:
                    continue
                markup = self._markup(snapshot, state.book, entry, route, access)
                prices = _tenant_prices(marked_up(sheet, markup.percent), access)
                facts = self.facts(snapshot, entry, route)
                estimate = estimates.get(route.id)
                if admin:
                    result.append(admin_view(facts, sheet, markup, estimate, prices))
                    continue
                head = headline(prices)
                average = state.averages.get((entry.task.value, head[0])) if head else None
                result.append(
                    client_view(
                        facts,
                        prices,
                        is_estimated=sheet.is_estimated,
                        reason=estimate.reason.value if estimate else None,
                        average=average,
                    )
                )
        return result

    # ------------------------------------------------------------------ optimizer

    def optimize(
        self,
        req: OptimizationRequest,
        *,
        tenant: str | None = None,
        task: Task | None = None,
    ) -> OptimizationResult:
        """Analyse every priced route that can serve the request, then select one."""
        snapshot = self.registry.snapshot()
        book = self.book(snapshot)
        shape = req.request
        candidates: list[ModelPriceAnalysis] = []
        wanted = set(req.required_capabilities)
        terms = store.tenant_access_all(self.engine, tenant) if tenant else {}
        for entry in snapshot.entries:
            if not wanted <= set(entry.model.capabilities) or (task and entry.task is not task):
                continue
            window = entry.model.context_window
            if shape.is_long_context and window and window < shape.estimated_input_tokens:
                continue
            access = terms.get(entry.id)
            for route in entry.routes:
                if route.price is None:
                    continue
                hosting = self.hosting(snapshot, route)
                thermal = entry.thermal_state if hosting is HostingType.SELF_HOSTED else None
                markup = self._markup(snapshot, book, entry, route, access)
                found = analyse(entry, route, markup, shape, thermal, snapshot.not_callable(route))
                if found is not None:
                    candidates.append(found)
        return optimize(candidates, req)

    # ------------------------------------------------------------------ estimates

    def reconcile_estimates(self) -> EstimateReport:
        """Estimate missing token costs, raise alerts, resolve alerts whose cost is real."""
        snapshot = self.registry.snapshot()
        book = self.book(snapshot)
        report = EstimateReport()
        open_alerts = {
            a.route_id: a for a in store.list_alerts(self.engine) if a.status.value != "resolved"
        }
        candidates = [(e.model, e.routes) for e in snapshot.entries]
        with store_errors(), Session(self.engine) as session, session.begin():
            changed: set[str] = set()
            for entry in snapshot.entries:
                for route in entry.routes:
                    if route.id not in open_alerts and self._estimate_route(
                        session, snapshot, book, candidates, entry, route, report
                    ):
                        changed.add(entry.id)
            if changed:
                bump_version(session, models=changed)
        self._resolve_real(snapshot, {k: a.id for k, a in open_alerts.items()}, report)
        if report.estimated:
            self.registry.refresh()
        return report

    def _resolve_real(
        self, snapshot: Snapshot, open_alerts: dict[str, int], report: EstimateReport
    ) -> None:
        """A real cost arrived (a sync replaced the estimate): the system resolves the alert."""
        routes = {r.id: r for e in snapshot.entries for r in e.routes}
        for route_id, alert_id in open_alerts.items():
            known = routes.get(route_id)
            if known is not None and known.price is not None and not known.price.is_estimated:
                store.resolve_alert(self.engine, None, alert_id, source=known.price.source)
                report.alerts_resolved.append(alert_id)

    def _estimate_route(
        self,
        session: Session,
        snapshot: Snapshot,
        book: MarkupBook,
        candidates: list[tuple[Model, tuple[Route, ...]]],
        entry: ModelEntry,
        route: Route,
        report: EstimateReport,
    ) -> bool:
        """Estimate one route if it needs it and raise its alert; True when a sheet was written."""
        sheet = route.price
        if route.status is not RouteStatus.ACTIVE or (sheet is not None and not sheet.is_estimated):
            return False
        found = None
        if sheet is not None or _token_task(entry):
            found = estimate_cost(
                entry.model, candidates, exclude_route=route.id, reason=reason_for(entry.model)
            )
        if found is None:
            report.not_estimable.append(route.id)
            return False
        estimated, info = found
        written = sheet is None
        if sheet is None:
            store.write_sheet(session, route.id, estimated, "pricing-estimator")
            report.estimated.append(route.id)
        else:
            estimated = sheet  # the catalog's own estimate stands; the alert explains it
        markup = self._markup(snapshot, book, entry, route)
        row = store.create_alert(
            session, route.id, entry.id, entry.model.provider_id, estimated, info, markup.percent
        )
        session.flush()
        report.alerts_created.append(row.id)
        return written


def _token_task(entry: ModelEntry) -> bool:
    return entry.task.value in ("chat", "completion", "embedding")


def _tenant_prices(
    prices: dict[str, Decimal], access: TenantModelAccess | None
) -> dict[str, Decimal]:
    if access is None or not access.enabled:
        return prices
    result = dict(prices)
    if access.custom_input_price_per_1m is not None and "input_per_1m" in result:
        result["input_per_1m"] = access.custom_input_price_per_1m
    if access.custom_output_price_per_1m is not None and "output_per_1m" in result:
        result["output_per_1m"] = access.custom_output_price_per_1m
    return result
