"""The ``health`` and ``thermal`` sync jobs (every 5 minutes each by default; docs/operations.md).

``health`` probes every platform with a base URL (and every provider's own API) and
writes ``provider_health``. Options: ``platforms`` (names to probe, default all),
``timeout`` (seconds, default ``RADIANT_HEALTH_PROBE_TIMEOUT_SECONDS``), ``secrets`` (a
:class:`~radiant.secrets.SecretResolver`).

``thermal`` asks the thermal backend for the real state of every self-hosted endpoint and
applies the warm-up and scale-to-zero timers (:class:`radiant.health.thermal.ThermalManager`).
Option: ``backend`` (a :class:`~radiant.health.thermal.ThermalBackend`, default from the
settings).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from collections.abc import Coroutine, Sequence
from typing import Any, TypeVar

from sqlalchemy import Engine

from radiant.health.probes import ProbeResult, probe, probe_targets
from radiant.health.provider_health import record_probes
from radiant.health.thermal import ThermalManager, backend_from_settings
from radiant.http.config import HttpConfig, httpx2_client
from radiant.secrets import EnvSecretResolver
from radiant.settings import get_settings
from radiant.store import repository
from radiant.sync.discovery.targets import Target
from radiant.sync.jobs import JobContext, JobResult, Progress, register_job

__all__ = ["health_job", "thermal_job"]

logger = logging.getLogger(__name__)
T = TypeVar("T")


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` to its end, also from a thread that already runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def _probe_all(
    pairs: Sequence[tuple[Target, str]], timeout: float, http: HttpConfig, progress: Progress
) -> list[ProbeResult]:
    async with httpx2_client(http, timeout=timeout) as client:

        async def one(target: Target, region: str) -> ProbeResult:
            result = await probe(client, target, region, timeout)
            progress.advance(1, f"{target.name} ({region}): {result.skipped or result.status}")
            return result

        return list(await asyncio.gather(*(one(t, r) for t, r in pairs)))


@register_job("health")
def health_job(engine: Engine, context: JobContext) -> JobResult:

    options = context.options
    settings = get_settings()
    timeout = float(options.get("timeout") or settings.health_probe_timeout_seconds)
    data = repository.read_registry(engine)
    pairs, unsupported = probe_targets(
        data.platforms,
        data.providers,
        options.get("secrets") or EnvSecretResolver(),
        only=options.get("platforms"),
    )
    context.progress.start(len(pairs), "probing platforms")
    http = HttpConfig.from_settings(settings)
    results = _run(_probe_all(pairs, timeout, http, context.progress))
    written, changed = record_probes(engine, results)

    outcome = JobResult(source="probes")
    skipped: dict[str, str] = {}
    probes: list[dict[str, Any]] = []
    for result in results:
        name = f"{result.target.name}@{result.region}"
        if result.skipped:
            skipped[name] = result.skipped
            logger.info("health: %s skipped: %s", name, result.skipped)
            outcome.add("skipped")
            continue
        outcome.add("providers_updated")
        outcome.add(result.status.value)
        probes.append(
            {
                "target": name,
                "status": result.status.value,
                "latency_ms": round(result.latency_ms, 1),
                "status_code": result.status_code,
                "error": result.error,
            }
        )
        if result.error:
            outcome.errors.append(f"{name}: {result.error}")
    outcome.details = {
        "probes": probes,
        "skipped": skipped,
        "not_probed": unsupported,
        "rows_written": written,
        "registry_version_bumped": changed,
    }
    return outcome


@register_job("thermal")
def thermal_job(engine: Engine, context: JobContext) -> JobResult:

    backend = context.options.get("backend") or backend_from_settings()
    manager = ThermalManager(
        engine, backend, endpoint_prefix=get_settings().sagemaker_endpoint_prefix
    )
    report = manager.refresh(progress=context.progress)
    outcome = JobResult(source=type(backend).__name__)
    outcome.counts = dict(report.counts)
    outcome.errors = list(report.errors)
    outcome.details = {"endpoints": report.endpoints, "registry_version_bumped": report.bumped}
    return outcome
