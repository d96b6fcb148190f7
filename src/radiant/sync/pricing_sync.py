"""Job ``pricing``: the registry grows from public catalogs (LiteLLM, models.dev,
OpenRouter) and is priced as they say.

Options: ``sources``, a list of ``(kind, location)`` with kind ``litellm``,
``models-dev`` or ``openrouter`` and location a file or an http(s) URL (without any: the
three public catalogs, ``RADIANT_PRICING_SOURCES``).

* Every entry read becomes part of a route (a model on a platform), another endpoint of
  one, or a skip with its reason (:mod:`radiant.sync.import_plan`); the run's details
  count them per source and per reason. Nothing is dropped silently.
* Unknown makers become providers and unknown services platforms (callable by the gateway
  when the source gives an OpenAI-compatible base URL and the key's variable); the same
  model everywhere is one model with every source's name as an alias
  (:mod:`radiant.sync.import_identity`). Whether a new model is callable at once or waits
  for review is the approval policy ``model_activation``: by default it is callable,
  marked ``imported`` (selection can leave such models out).
* One precedence decides every field, whatever the order of the sources
  (:mod:`radiant.sync.import_precedence`): an administrator's value, the catalog's, then
  the sources in a documented order of trust, exact model strings before other names.
* Prices merge field by field (:mod:`radiant.sync.price_merge`); a sheet that changed is
  a new sheet (``source=imported_catalog``, each price's origin in ``field_sources``), an
  unchanged one writes nothing. An estimate replaced by a real price resolves its alert.
* Sources whose documents are byte for byte those last applied (in any order), against
  the registry version that run left, are not parsed again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from radiant.catalog.importers import import_bytes
from radiant.domain import CostSource
from radiant.pricing import store as pricing_store
from radiant.store.engine import session_scope
from radiant.store.repository import store_errors
from radiant.store.tables import utcnow
from radiant.sync.import_plan import ImportPlan, plan_import
from radiant.sync.import_state import read_state
from radiant.sync.import_write import LISTED, ImportReport, apply_plan
from radiant.sync.jobs import JobContext, JobResult, NullProgress, Progress, register_job
from radiant.sync.price_merge import ADMIN_OWNED
from radiant.sync.pricing_state import last_applied, read_documents, remember

__all__ = ["ADMIN_OWNED", "PricingReport", "pricing_job", "recover_pricing", "sync_pricing"]

#: ``details.alerts`` of a run whose prices committed and whose alerts are still to resolve
PENDING = "pending"


@dataclass
class PricingReport(ImportReport):
    #: the documents were those last applied: nothing was parsed or compared
    documents_unchanged: bool = False
    #: entries read, when the documents were not parsed again
    entries_read: int = 0
    outcomes: dict[str, dict[str, int]] = field(default_factory=dict)
    #: the estimated-cost alerts resolved because a real price replaced their estimate
    alerts_resolved: list[int] = field(default_factory=list)


def sync_pricing(
    engine: Engine,
    sources: list[tuple[str, str]],
    *,
    progress: Progress | None = None,
    now: datetime | None = None,
    on_commit: Callable[[Session, ImportPlan, PricingReport], None] | None = None,
) -> tuple[ImportPlan | None, PricingReport]:
    """Read the sources, plan, and apply the plan in one transaction.

    Returns ``(None, report)`` when the documents are those last applied
    (``report.documents_unchanged``). ``on_commit(session, plan, report)`` runs inside the
    transaction right before it commits (the job records its counts there).
    """
    progress = progress or NullProgress()
    progress.start(len(sources) + 3, "reading catalogs")
    documents = read_documents(sources, progress)
    read_before, version = last_applied(engine, documents)
    if read_before is not None:
        progress.advance(3, "the same documents as the last run: nothing to do")
        return None, PricingReport(documents_unchanged=True, entries_read=read_before)
    results = [import_bytes(kind, raw, location) for kind, location, raw in documents.items]
    progress.advance(1, f"read {sum(r.total for r in results):,} entries; planning")
    moment = now or utcnow()
    with store_errors(), session_scope(engine) as session:
        plan = plan_import(read_state(session), results)
        progress.advance(1, f"{len(plan.routes):,} route(s); writing")
        applied = apply_plan(session, plan, moment)
        report = PricingReport(**applied.__dict__)
        report.entries_read = plan.read
        report.outcomes = plan.outcomes()
        if on_commit is not None:
            on_commit(session, plan, report)
    progress.advance(1, f"{report.routes_priced:,} price(s) written")
    if report.estimates_replaced:
        report.alerts_resolved = _resolve_alerts(engine, set(report.estimates_replaced))
    remember(engine, documents, report.version or version, plan.read)
    return plan, report


def _resolve_alerts(engine: Engine, routes: set[str]) -> list[int]:
    """The estimated-cost alerts of routes whose real cost just arrived: resolved by the
    system, exactly as the catalog sync's reconciliation does."""

    resolved = []
    for alert in pricing_store.list_alerts(engine):
        if alert.route_id in routes and alert.status.value != "resolved":
            pricing_store.resolve_alert(engine, None, alert.id, source=CostSource.IMPORTED_CATALOG)
            resolved.append(alert.id)
    return resolved


# --------------------------------------------------------------------------- the job


def job_counts(plan: ImportPlan | None, report: PricingReport) -> dict[str, int]:
    return {
        "entries_read": report.entries_read,
        "platforms_added": report.platforms_added,
        "providers_added": report.providers_added,
        "models_added": report.models_added,
        "models_updated": report.models_updated + len(report.model_changes),
        "aliases_added": report.aliases_added,
        "routes_added": report.routes_added,
        "routes_updated": report.routes_updated,
        "prices_changed": report.prices_changed,
        "prices_added": report.prices_added,
        "prices_unchanged": report.unchanged,
        "prices_flagged": len(report.flags),
        "skipped": len(plan.skipped) if plan is not None else 0,
    }


def job_details(plan: ImportPlan | None, report: PricingReport) -> dict[str, Any]:
    details: dict[str, Any] = {
        "documents_unchanged": report.documents_unchanged,
        "version": report.version,
    }
    if plan is None:
        return details
    details.update(
        outcomes=report.outcomes,
        skipped_by_reason=plan.reasons(),
        skipped=plan.skipped_by_source(),
        changes=report.changes,
        flags=report.flags[:LISTED],
        model_changes=report.model_changes[:LISTED],
        estimates_replaced=report.estimates_replaced[:LISTED],
        admin_kept=report.admin_kept[:LISTED],
    )
    return details


def recover_pricing(engine: Engine, details: dict[str, Any]) -> dict[str, Any]:
    """A run that died after its commit: resolve the alerts of the estimates its real
    prices replaced (listed in full in ``details.alerts_to_resolve``)."""
    if details.get("alerts") != PENDING:
        return {}
    routes = {str(route) for route in details.get("alerts_to_resolve") or []}
    return {"alerts": {"resolved": len(_resolve_alerts(engine, routes))}}


@register_job("pricing", recover=recover_pricing)
def pricing_job(engine: Engine, context: JobContext) -> JobResult:
    sources = [(str(k), str(loc)) for k, loc in context.options.get("sources") or []]
    source = ", ".join(f"{k}={loc}" for k, loc in sources)

    def result_of(plan: ImportPlan | None, report: PricingReport) -> JobResult:
        result = JobResult(source=source)
        result.counts = job_counts(plan, report)
        result.details = job_details(plan, report)
        return result

    def record(session: Session, plan: ImportPlan, report: PricingReport) -> None:
        committed = result_of(plan, report)
        if report.estimates_replaced:
            committed.details["alerts"] = PENDING
            committed.details["alerts_to_resolve"] = list(report.estimates_replaced)
        context.record(session, committed)

    plan, report = sync_pricing(engine, sources, progress=context.progress, on_commit=record)
    result = result_of(plan, report)
    if report.estimates_replaced:
        result.details["alerts"] = {"resolved": len(report.alerts_resolved)}
    return result
