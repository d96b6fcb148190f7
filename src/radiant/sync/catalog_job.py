"""Job ``catalog``: the catalog sync (:mod:`radiant.sync.catalog_sync`) as a sync job.

Options: ``directory`` (a catalog directory; default the built-in catalog) and
``estimates`` (default True: then estimate the costs the catalog does not give and raise
or resolve estimated-cost alerts, as ``radiant sync catalog`` does). The upsert is one
transaction, and the run's counts are recorded in it: a run that dies half-way leaves the
store as it was; one that dies after the commit is recovered as completed, its estimates
and alerts reconciled by whichever process finds it dead (:func:`recover_catalog`).
Warnings of the catalog's loader (a route's model string its platform does not use, say)
are the run's errors.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from radiant.catalog import load_catalog
from radiant.pricing.service import PricingService
from radiant.registry.service import Registry
from radiant.sync.catalog_sync import SyncReport, sync_catalog
from radiant.sync.jobs import JobContext, JobResult, register_job

__all__ = ["catalog_job", "recover_catalog"]

_COUNTS = (
    "providers_added",
    "platforms_added",
    "platforms_updated",
    "routes_deactivated",
)
#: ``details.estimates`` of a run whose changes committed and whose estimates are to come
PENDING = "pending"


def recover_catalog(engine: Engine, details: dict[str, Any]) -> dict[str, Any]:
    """A run that died after its commit: reconcile the estimates it was to reconcile."""
    if details.get("estimates") != PENDING:
        return {}
    return {"estimates": _reconcile(engine)}


@register_job("catalog", recover=recover_catalog)
def catalog_job(engine: Engine, context: JobContext) -> JobResult:
    directory = context.options.get("directory")
    path = Path(directory) if directory else None
    source = str(path) if path else "builtin"
    estimates = bool(context.options.get("estimates", True))
    progress = context.progress
    progress.start(3, f"loading catalog {source}")
    catalog = load_catalog(path)
    warnings = list(catalog.warnings)
    progress.advance(1, f"applying {len(catalog.models)} models, {len(catalog.routes)} routes")

    def record(session: Session, report: SyncReport) -> None:
        committed = _result(report, source, warnings)
        if estimates:
            committed.details["estimates"] = PENDING
        context.record(session, committed)

    report = sync_catalog(
        engine, catalog, source=source, sync_id=context.sync_id, log=False, on_commit=record
    )
    result = _result(report, source, warnings)
    progress.advance(1, "estimating missing costs")
    if estimates:
        result.details["estimates"] = _reconcile(engine)
    progress.advance(1, "done")
    return result


def _result(report: SyncReport, source: str, warnings: list[str]) -> JobResult:
    result = JobResult(source=source, errors=[*warnings, *report.errors])
    result.counts = {
        "providers_updated": report.providers_updated,
        "models_added": report.models_added,
        "models_updated": report.models_updated,
        "models_deprecated": report.models_deprecated,
        "routes_added": report.routes_added,
        "routes_updated": report.routes_updated,
        "prices_changed": report.prices_changed,
        **{name: getattr(report, name) for name in _COUNTS},
    }
    result.details["version"] = report.version
    return result


def _reconcile(engine: Engine) -> dict[str, int]:

    estimates = PricingService(Registry(engine, check_interval=0)).reconcile_estimates()
    return {
        "estimated": len(estimates.estimated),
        "alerts_created": len(estimates.alerts_created),
        "alerts_resolved": len(estimates.alerts_resolved),
    }
