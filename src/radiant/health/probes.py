"""Active probes: ``GET {base}/models`` of every platform (and, on ``direct``, of every
provider's own API), per region, all at once, each within ``timeout`` seconds (5 by
default, ``RADIANT_HEALTH_PROBE_TIMEOUT_SECONDS``).

What is probed, with which credential, comes from the same targets discovery lists
(:func:`radiant.sync.discovery.targets.build_targets`): a target without credentials is
skipped with the reason. A platform whose base URL is a region pattern
(``https://*.openai.azure.com``) is probed once per region it lists.

One probe is classified as one outcome (:func:`radiant.health.stats.classify`);
a 2xx answer whose body is not JSON counts as a failure too (*degraded*: the endpoint
answers, but not as a models listing).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import httpx2

from radiant.domain import HealthStatus, Platform, Provider
from radiant.health.stats import classify
from radiant.secrets import SecretResolver, env_name
from radiant.sync.discovery.targets import Target, build_targets

__all__ = ["DEFAULT_TIMEOUT", "GLOBAL_REGION", "ProbeResult", "probe", "probe_all", "probe_targets"]

DEFAULT_TIMEOUT = 5.0
#: the region of an endpoint that is the same everywhere
GLOBAL_REGION = "global"


@dataclass(frozen=True, slots=True)
class ProbeResult:
    target: Target
    region: str
    status: HealthStatus
    latency_ms: float
    checked_at: float
    status_code: int | None = None
    error: str | None = None
    #: why it was not probed (no credentials, no base URL); then nothing else is set
    skipped: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is HealthStatus.HEALTHY


def probe_targets(
    platforms: Iterable[Platform],
    providers: Iterable[Provider],
    secrets: SecretResolver,
    *,
    only: Iterable[str] | None = None,
) -> tuple[list[tuple[Target, str]], list[str]]:
    """(target, region) pairs to probe, and the platforms that have no models listing."""
    platforms = list(platforms)
    by_id = {p.id: p for p in platforms}
    targets, unsupported = build_targets(platforms, providers, secrets, only=only)
    pairs: list[tuple[Target, str]] = []
    for target in targets:
        base = target.base_url or ""
        platform = by_id.get(target.platform_id)
        if "*" in base and platform is not None and platform.regions:
            for region in platform.regions:
                regional = replace(target, base_url=base.replace("*", region), skipped=None)
                pairs.append((_with_key(regional, secrets), region))
        else:
            pairs.append((target, GLOBAL_REGION))
    return pairs, unsupported


def _with_key(target: Target, secrets: SecretResolver) -> Target:
    if not target.needs_key:
        return target
    for ref in target.credential_refs:
        key = secrets.get(ref)
        if key:
            return replace(target, api_key=key)
    names = " or ".join(env_name(r) for r in target.credential_refs) or "none named"
    return replace(target, skipped=f"no credentials (environment variable {names})")


def _headers(target: Target) -> dict[str, str]:
    key = target.api_key
    if not key:
        return {}
    if target.protocol == "anthropic":
        return {"x-api-key": key, "anthropic-version": "2023-06-01"}
    if target.protocol == "gemini":
        return {"x-goog-api-key": key}
    return {"Authorization": f"Bearer {key}"}


async def probe(
    client: httpx2.AsyncClient, target: Target, region: str, timeout: float = DEFAULT_TIMEOUT
) -> ProbeResult:
    """Probe one target once."""
    started = time.time()
    if target.skipped:
        return ProbeResult(
            target, region, HealthStatus.UNKNOWN, 0.0, started, skipped=target.skipped
        )
    url = f"{(target.base_url or '').rstrip('/')}/models"
    clock = time.perf_counter()
    try:
        response = await client.get(url, headers=_headers(target), timeout=timeout)
    except httpx2.TimeoutException:
        return _failed(target, region, started, clock, f"no answer within {timeout:g} s")
    except httpx2.HTTPError as exc:
        return _failed(target, region, started, clock, f"cannot connect: {exc}")
    latency = (time.perf_counter() - clock) * 1000
    code = response.status_code
    if not response.is_success:
        retry = response.headers.get("retry-after")
        error = f"HTTP {code}" + (f" (retry after {retry} s)" if retry else "")
        return ProbeResult(target, region, classify(False, code), latency, started, code, error)
    try:
        response.json()
    except ValueError:
        status = classify(False, code)  # answered, but not a models listing: degraded
        return ProbeResult(target, region, status, latency, started, code, "malformed JSON")
    return ProbeResult(target, region, HealthStatus.HEALTHY, latency, started, code)


def _failed(target: Target, region: str, started: float, clock: float, error: str) -> ProbeResult:
    latency = (time.perf_counter() - clock) * 1000
    return ProbeResult(target, region, classify(False, None), latency, started, None, error)


async def probe_all(
    client: httpx2.AsyncClient,
    pairs: Sequence[tuple[Target, str]],
    timeout: float = DEFAULT_TIMEOUT,
) -> list[ProbeResult]:
    """Probe every (target, region) concurrently; results in the order given."""
    return list(await asyncio.gather(*(probe(client, t, r, timeout) for t, r in pairs)))
