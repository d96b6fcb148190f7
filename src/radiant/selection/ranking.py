"""How candidates are ordered: one ascending key, the same in memory and in SQL.

A candidate is a (model, route) pair of one hosting type. Candidates are ordered by the
ascending key

0. preference — only when the criteria name preferred providers or platforms: 0 for a
   candidate whose model's provider (or that provider's parent) is preferred, or whose
   route is on a preferred platform; 1 for the others;
1. thermal rank: HOT 0, WARM 1, COLD 2, anything else or none 3 (external candidates
   have no thermal state: 3);
2. average latency in ms, ascending, missing last: external candidates take the
   ``avg_latency_ms`` of their model's provider (the health record of region us-east-1
   when there is one, as the unified view joins ``provider_health``); self-hosted
   candidates have none;
3. health: healthy 0, degraded 1, anything else 2 — external candidates take their
   provider's status (unknown without a record); self-hosted candidates are healthy when
   WARM or HOT, unknown otherwise;
4. optional-capability matches, descending;
5. estimated PRICE of one request, ascending, missing last (see :mod:`radiant.selection.prices`):
   per-token sheets ``(in × input_per_1m + out × output_per_1m) / 1e6`` (+ ``per_request``
   when the sheet also charges one; a missing rate counts zero), other sheets the price of
   one request unit (``per_request`` + ``per_image`` + ``per_3d_model``, those set; none
   set: missing — a per-second, per-minute or per-hour-only sheet cannot price a request
   of unknown duration); PRICE = cost × (1 + markup / 100), the markup resolved by the
   pricing engine (defaults 40 % external, 75 % self-hosted or the route's own);
6. ``quality_score`` descending, missing last;
7. model id ascending, then hosting type (``external`` < ``self_hosted``).

Keys 1-3 are ``select_model()``'s ORDER BY (migration 0005); 4-7 are ours and make the order
total. Keys 1-3 and 6-7 depend on the snapshot only and are precomputed as two dense
ranks (:func:`static_rank`, :func:`tail_rank`).
"""

from __future__ import annotations

from collections.abc import Sequence

from radiant.domain import HealthStatus, HostingType, ThermalState

__all__ = [
    "HEALTH_RANK",
    "THERMAL_RANK",
    "dense_ranks",
    "health_rank",
    "static_key",
    "tail_key",
    "thermal_rank",
]

THERMAL_RANK: dict[ThermalState, int] = {
    ThermalState.HOT: 0,
    ThermalState.WARM: 1,
    ThermalState.COLD: 2,
}
HEALTH_RANK: dict[HealthStatus, int] = {HealthStatus.HEALTHY: 0, HealthStatus.DEGRADED: 1}
_HOSTING_RANK = {HostingType.EXTERNAL: 0, HostingType.SELF_HOSTED: 1}
_MISSING = float("inf")


def thermal_rank(state: ThermalState | None) -> int:
    return 3 if state is None else THERMAL_RANK.get(state, 3)


def health_rank(status: HealthStatus) -> int:
    return HEALTH_RANK.get(status, 2)


def static_key(
    thermal: ThermalState | None, latency_ms: float | None, health: HealthStatus
) -> tuple[int, float, int]:
    """Keys 1-3: thermal, latency (missing last), health."""
    return (
        thermal_rank(thermal),
        _MISSING if latency_ms is None else latency_ms,
        health_rank(health),
    )


def tail_key(quality: float | None, model_id: str, hosting: HostingType) -> tuple[float, str, int]:
    """Keys 6-7: quality descending (missing last), model id, hosting type."""
    return (_MISSING if quality is None else -quality, model_id, _HOSTING_RANK[hosting])


def dense_ranks(keys: Sequence[tuple[object, ...]]) -> list[int]:
    """The dense rank of every key (equal keys share a rank), in the order given."""
    distinct = sorted(set(keys))
    rank = {key: i for i, key in enumerate(distinct)}
    return [rank[key] for key in keys]
