"""Job ``pricing``: prices from public catalogs (LiteLLM, models.dev, OpenRouter).

Options: ``sources``, a list of ``(kind, location)`` with kind ``litellm``,
``models-dev`` or ``openrouter`` and location a file or an http(s) URL.

* Every entry read is imported or skipped with its reason (counted per reason, listed in
  ``details["skipped"]``); nothing is dropped silently.
* An entry prices the registry route it matches (:mod:`radiant.sync.price_matching`).
  Sources are applied in the order given: the first source that prices a route wins it.
* A matched route gets a new price sheet (``source=imported_catalog``, the source named in
  its notes, ``last_verified_at`` now): the source's prices over the current sheet's, in
  the current sheet's unit. Unchanged prices write nothing and leave the registry version.
* Never overwritten: a route whose ``price`` an administrator owns (``admin_fields``), or
  whose sheet an administrator entered (``admin_manual_entry``).
* An estimated sheet replaced by a real price resolves its estimated-cost alert.
* Model facts: an import fills a matched model's context window, maximum output or
  deprecation date only where the registry has none (:mod:`radiant.sync.model_facts`:
  administrator > provider documentation > imported catalog). Modalities and capability
  flags stay the catalog's; the discrepancy report shows where the sources disagree.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, insert, select

from radiant.catalog.importers import ImportedEntry, ImportResult, import_bytes
from radiant.domain import CostSource, PriceSheet, PricingType
from radiant.store.engine import session_scope
from radiant.store.mapping import row_to_price
from radiant.store.repository import bump_version, store_errors
from radiant.store.tables import PriceHistoryRow, RouteRow, utcnow
from radiant.sync.jobs import JobContext, JobResult, NullProgress, Progress, register_job
from radiant.sync.model_facts import fill_model_facts
from radiant.sync.price_matching import Match, Matcher
from radiant.sync.price_sheets import open_sheet
from radiant.sync.pricing_state import last_applied, read_documents, remember

if TYPE_CHECKING:
    from radiant.registry import Snapshot

__all__ = ["PricingPlan", "PricingReport", "plan_prices", "pricing_job", "sync_pricing"]

ADMIN_OWNED = "price set by an administrator"


@dataclass
class PricingPlan:
    """What a run would do: the entry chosen for each route, and everything skipped."""

    chosen: dict[str, ImportedEntry] = field(default_factory=dict)
    #: registry model -> the entries of its maker's own API that name it (best rank, then
    #: source order): its facts (a cloud's or aggregator's dates and limits are theirs)
    facts: dict[str, list[ImportedEntry]] = field(default_factory=dict)
    skipped: list[tuple[str, str, str]] = field(default_factory=list)  # source, key, reason
    read: int = 0

    def skip(self, source: str, key: str, reason: str) -> None:
        self.skipped.append((source, key, reason))

    def refuse(self, route_id: str, reason: str) -> None:
        """The entry chosen for ``route_id`` cannot price it after all: skipped instead."""
        item = self.chosen.pop(route_id)
        self.skip(item.source, item.source_key, reason)

    def skipped_by_source(self) -> dict[str, dict[str, list[str]]]:
        """Every skipped entry's key, by source and reason (the job's ``details``)."""
        found: dict[str, dict[str, list[str]]] = {}
        for source, key, reason in self.skipped:
            found.setdefault(source, {}).setdefault(reason, []).append(key)
        return found

    def reasons(self) -> dict[str, int]:
        return dict(Counter(_reason_kind(r) for _, _, r in self.skipped).most_common())


def plan_prices(snapshot: Snapshot, results: list[ImportResult]) -> PricingPlan:
    """Match every imported entry to a route; one entry per route (first source wins)."""
    matcher = Matcher(snapshot)
    plan = PricingPlan()
    ranked: dict[str, list[tuple[int, int, ImportedEntry]]] = {}
    order = itertools.count()
    for result in results:
        plan.read += result.total
        for skipped in result.skipped:
            plan.skip(result.source, skipped.source_key, skipped.reason)
        best: dict[str, tuple[Match, ImportedEntry]] = {}
        for item in result.imported:
            match = matcher.match(item)
            if match.model_id is not None and match.rank < 3 and item.platform == "direct":
                ranked.setdefault(match.model_id, []).append((match.rank, next(order), item))
            if match.route_id is None:
                plan.skip(result.source, item.source_key, match.reason or "not in registry")
                continue
            held = best.get(match.route_id)
            if held is None or match.rank < held[0].rank:
                if held is not None:
                    _duplicate(plan, held[1], match.route_id, item.source_key)
                best[match.route_id] = (match, item)
            else:
                _duplicate(plan, item, match.route_id, held[1].source_key)
        for route_id, (_, item) in best.items():
            if route_id in plan.chosen:
                first = plan.chosen[route_id]
                plan.skip(
                    item.source,
                    item.source_key,
                    f"route priced by an earlier source ({first.source})",
                )
            else:
                plan.chosen[route_id] = item
    for model_id, items in ranked.items():
        plan.facts[model_id] = [item for _, _, item in sorted(items, key=lambda t: t[:2])]
    return plan


def _duplicate(plan: PricingPlan, item: ImportedEntry, route_id: str, winner: str) -> None:
    plan.skip(item.source, item.source_key, f"duplicate: {route_id} priced by {winner}")


def _reason_kind(reason: str) -> str:
    """Counting key of a reason: a duplicate's route and winner are not part of it."""
    if reason.startswith("duplicate:"):
        return "duplicate"
    for kind in ("bad price", "provider not mapped to a platform"):
        if reason.startswith(kind):
            return kind
    return reason


# --------------------------------------------------------------------------- applying


@dataclass
class PricingReport:
    prices_changed: int = 0
    routes_updated: int = 0
    unchanged: int = 0
    estimates_replaced: list[str] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)
    #: models whose missing limits or deprecation date an import filled
    model_changes: list[dict[str, Any]] = field(default_factory=list)
    version: int | None = None
    #: the documents were those last applied: nothing was parsed or compared
    documents_unchanged: bool = False


def sync_pricing(
    engine: Engine,
    sources: list[tuple[str, str]],
    *,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> tuple[PricingPlan, PricingReport]:
    """Read the sources, match, and apply the prices in one transaction.

    Sources whose documents are byte for byte those last applied, against the registry
    version that run left, are not parsed again (``report.documents_unchanged``).
    """
    from radiant.registry import build_snapshot

    progress = progress or NullProgress()
    progress.start(len(sources) + 2, "reading catalogs")
    documents = read_documents(sources, progress)
    read_before, version = last_applied(engine, documents)
    if read_before is not None:
        progress.advance(2, "the same documents as the last run: nothing to do")
        return PricingPlan(read=read_before), PricingReport(documents_unchanged=True)
    results = [import_bytes(kind, raw, location) for kind, location, raw in documents.items]
    snapshot = build_snapshot(engine)
    plan = plan_prices(snapshot, results)
    progress.advance(1, f"matched {len(plan.chosen)} route(s); writing prices")
    report = _apply(engine, plan, now or utcnow())
    progress.advance(1, f"{report.prices_changed} price(s) changed")
    if report.estimates_replaced:
        _resolve_alerts(engine, set(report.estimates_replaced))
    remember(engine, documents, report.version or version, plan.read)
    return plan, report


def _apply(engine: Engine, plan: PricingPlan, now: datetime) -> PricingReport:
    report = PricingReport()
    if not plan.chosen and not plan.facts:
        return report
    with store_errors(), session_scope(engine) as session:
        owned = {
            route_id
            for route_id, fields in session.execute(select(RouteRow.id, RouteRow.admin_fields))
            if "price" in (fields or [])
        }
        current = {
            row.route_id: row
            for row in session.execute(
                select(PriceHistoryRow).where(PriceHistoryRow.effective_to.is_(None))
            ).scalars()
        }
        inserts: list[dict[str, Any]] = []
        for route_id, item in list(plan.chosen.items()):
            row = current.get(route_id)
            if route_id in owned or (
                row is not None and row.source == CostSource.ADMIN_MANUAL_ENTRY.value
            ):
                plan.refuse(route_id, ADMIN_OWNED)
                continue
            old = row_to_price(row) if row is not None else None
            sheet, reason = _merged(item, old, now)
            if sheet is None:
                plan.refuse(route_id, reason or "no price")
                continue
            if old is not None and old.same_prices(sheet):
                report.unchanged += 1
                continue
            inserts.append(open_sheet(route_id, sheet, row, now, f"pricing-sync:{item.source}"))
            report.routes_updated += 1
            report.prices_changed += 1 if old is not None else 0
            if old is not None and old.is_estimated:
                report.estimates_replaced.append(route_id)
            report.changes.append(_change(route_id, item, old, sheet))
        if inserts:
            session.flush()
            for group in _by_columns(inserts):
                session.execute(insert(PriceHistoryRow), group)
        report.model_changes = fill_model_facts(session, plan.facts)
        if inserts or report.model_changes:
            report.version = bump_version(session)
    return report


def _by_columns(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    groups: dict[frozenset[str], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(frozenset(row), []).append(row)
    return list(groups.values())


#: same money, another unit: (imported unit, current unit) -> (from field, to field, factor)
_CONVERSIONS: dict[tuple[PricingType, PricingType], tuple[str, str, int]] = {
    (PricingType.PER_SECOND, PricingType.PER_MINUTE): ("per_second", "per_minute", 60),
    (PricingType.PER_SECOND, PricingType.PER_HOUR): ("per_second", "per_hour", 3600),
}


def _merged(
    item: ImportedEntry, old: PriceSheet | None, now: datetime
) -> tuple[PriceSheet | None, str | None]:
    """The source's prices over the current sheet's, in the current sheet's unit."""
    new = item.price
    if new is None:  # pragma: no cover - importers skip entries without a price
        return None, "no price"
    prices: dict[str, Decimal | None] = dict(new.prices())
    kind = new.pricing_type
    if old is not None and old.pricing_type is not kind:
        conversion = _CONVERSIONS.get((kind, old.pricing_type))
        if conversion is None:
            return None, (
                f"unit differs: the source prices {kind.value}, the route {old.pricing_type.value}"
            )
        src, dst, factor = conversion
        value = prices.get(src)
        prices = {dst: value * factor} if value is not None else {}
        kind = old.pricing_type
    if old is not None and _turns_free(old, prices):
        return None, "the source says free; the route has a price"
    # an estimate is replaced whole: none of its guessed prices pass for real ones
    base = old.prices() if old is not None and not old.is_estimated else {}
    data: dict[str, Any] = {**base, **prices}
    threshold = new.long_context_threshold
    if threshold is None and old is not None and "long_context_input_per_1m" not in prices:
        threshold = old.long_context_threshold
    notes = f"imported from {item.source} ({item.source_key})"
    if new.notes:
        notes += f"; {new.notes}"
    sheet = PriceSheet(
        pricing_type=kind,
        long_context_threshold=threshold if _has_long_context(data) else None,
        source=CostSource.IMPORTED_CATALOG,
        is_estimated=False,
        last_verified_at=now,
        notes=notes,
        **data,
    )
    return sheet, None


def _turns_free(old: PriceSheet, prices: dict[str, Decimal | None]) -> bool:
    """A zero where the route has a price (a catalog's free preview or a placeholder)
    is not taken for a price cut: such an entry is skipped."""
    return any(
        prices.get(name) == 0 and (getattr(old, name) or 0) > 0
        for name in ("input_per_1m", "output_per_1m", "per_request", "per_image", "per_second")
    )


def _has_long_context(data: dict[str, Any]) -> bool:
    return (
        data.get("long_context_input_per_1m") is not None
        or data.get("long_context_output_per_1m") is not None
    )


def _change(
    route_id: str, item: ImportedEntry, old: PriceSheet | None, new: PriceSheet
) -> dict[str, Any]:
    before = old.prices() if old is not None else {}
    after = new.prices()
    fields = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    return {
        "route": route_id,
        "source": item.source,
        "entry": item.source_key,
        "was_estimated": bool(old is not None and old.is_estimated),
        "fields": {k: [_text(before.get(k)), _text(after.get(k))] for k in fields},
    }


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def _resolve_alerts(engine: Engine, routes: set[str]) -> list[int]:
    """The estimated-cost alerts of routes whose real cost just arrived: resolved by the
    system, exactly as the catalog sync's reconciliation does."""
    from radiant.pricing import store as pricing_store

    resolved = []
    for alert in pricing_store.list_alerts(engine):
        if alert.route_id in routes and alert.status.value != "resolved":
            pricing_store.resolve_alert(engine, None, alert.id, source=CostSource.IMPORTED_CATALOG)
            resolved.append(alert.id)
    return resolved


# --------------------------------------------------------------------------- the job


@register_job("pricing")
def pricing_job(engine: Engine, context: JobContext) -> JobResult:
    sources = [(str(k), str(loc)) for k, loc in context.options.get("sources") or []]
    plan, report = sync_pricing(engine, sources, progress=context.progress)
    result = JobResult(source=", ".join(f"{k}={loc}" for k, loc in sources))
    result.counts = {
        "prices_changed": report.prices_changed,
        "routes_updated": report.routes_updated,
        "models_updated": len(report.model_changes),
        "entries_read": plan.read,
        "routes_matched": len(plan.chosen),
        "prices_unchanged": report.unchanged,
        "skipped": len(plan.skipped),
    }
    result.details = {
        "skipped_by_reason": plan.reasons(),
        "skipped": plan.skipped_by_source(),
        "changes": report.changes,
        "model_changes": report.model_changes,
        "estimates_replaced": report.estimates_replaced,
        "documents_unchanged": report.documents_unchanged,
        "version": report.version,
    }
    return result
