"""Job ``catalog``: the catalog sync (:mod:`radiant.sync.catalog_sync`) as a sync job.

Options: ``directory`` (a catalog directory; default the built-in catalog) and
``estimates`` (default True: then estimate the costs the catalog does not give and raise
or resolve estimated-cost alerts, as ``radiant sync catalog`` does). The upsert is one
transaction: a run that dies half-way leaves the store as it was.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from radiant.catalog import load_catalog
from radiant.sync.catalog_sync import sync_catalog
from radiant.sync.jobs import JobContext, JobResult, register_job

__all__ = ["catalog_job"]

_COUNTS = (
    "providers_added",
    "platforms_added",
    "platforms_updated",
    "routes_deactivated",
)


@register_job("catalog")
def catalog_job(engine: Engine, context: JobContext) -> JobResult:
    directory = context.options.get("directory")
    path = Path(directory) if directory else None
    source = str(path) if path else "builtin"
    progress = context.progress
    progress.start(3, f"loading catalog {source}")
    catalog = load_catalog(path)
    progress.advance(1, f"applying {len(catalog.models)} models, {len(catalog.routes)} routes")
    report = sync_catalog(engine, catalog, source=source, sync_id=context.sync_id, log=False)
    result = JobResult(source=source, errors=list(report.errors))
    result.counts = {
        "providers_updated": report.providers_added + report.providers_updated,
        "models_added": report.models_added,
        "models_updated": report.models_updated,
        "models_deprecated": report.models_deprecated,
        "routes_added": report.routes_added,
        "routes_updated": report.routes_updated + report.routes_deactivated,
        "prices_changed": report.prices_changed,
        **{name: getattr(report, name) for name in _COUNTS},
    }
    result.details["version"] = report.version
    progress.advance(1, "estimating missing costs")
    if context.options.get("estimates", True):
        result.details["estimates"] = _reconcile(engine)
    progress.advance(1, "done")
    return result


def _reconcile(engine: Engine) -> dict[str, int]:
    from radiant.pricing.service import PricingService
    from radiant.registry import Registry

    estimates = PricingService(Registry(engine, check_interval=0)).reconcile_estimates()
    return {
        "estimated": len(estimates.estimated),
        "alerts_created": len(estimates.alerts_created),
        "alerts_resolved": len(estimates.alerts_resolved),
    }
