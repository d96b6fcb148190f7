"""``radiant health list``, ``radiant thermal list`` and ``radiant thermal warm MODEL``.

Reads come from the database (and Redis when ``RADIANT_REDIS_URL`` is set); ``warm``
acts as the administrator of ``--token``/``RADIANT_TOKEN`` and needs ``status:write``.
To probe now, or refresh thermal states now, run ``radiant sync health|thermal``.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from radiant.cli._auth import TokenOpt, context, engine
from radiant.cli._base import JsonOpt, app, print_json, table

__all__ = ["health_app", "thermal_app"]

health_app = typer.Typer(help="Health of platforms and routes.", no_args_is_help=True)
thermal_app = typer.Typer(help="Thermal states of self-hosted endpoints.", no_args_is_help=True)
app.add_typer(health_app, name="health")
app.add_typer(thermal_app, name="thermal")

StatusOpt = Annotated[
    str | None,
    typer.Option("--status", help="Only this status: healthy, degraded, unhealthy, unknown."),
]


def _ms(value: Any) -> str:
    return "" if value is None else f"{value:g}"


def _when(value: Any) -> str:
    return "" if value is None else value.strftime("%Y-%m-%d %H:%M:%S")


@health_app.command("list")
def health_list(as_json: JsonOpt = False, status: StatusOpt = None) -> None:
    """Probed platforms and provider APIs, and routes the gateway reported on."""
    from radiant.core.audit import jsonable
    from radiant.errors import ValidationError
    from radiant.health.monitor import monitor_from_settings
    from radiant.health.provider_health import list_provider_health

    if status is not None and status not in ("healthy", "degraded", "unhealthy", "unknown"):
        raise ValidationError(f"unknown status {status!r}: healthy, degraded, unhealthy, unknown")
    eng = engine()
    endpoints = list_provider_health(eng)
    monitor = monitor_from_settings(eng)
    try:
        routes = monitor.routes()
    finally:
        monitor.store.close()
    if status is not None:
        endpoints = [e for e in endpoints if e["status"] == status]
        routes = [r for r in routes if r["status"] == status]
    if as_json:
        print_json(jsonable({"endpoints": endpoints, "routes": routes}))
        return
    table(
        "Probed endpoints",
        [
            "target",
            "region",
            "status",
            "avg ms",
            "p95 ms",
            "p99 ms",
            "errors %",
            "last check",
            "last error",
        ],
        [
            [
                e["target"],
                e["region"],
                e["status"],
                _ms(e["avg_latency_ms"]),
                _ms(e["p95_latency_ms"]),
                _ms(e["p99_latency_ms"]),
                e["error_rate"],
                _when(e["last_check_at"]),
                e["last_error"],
            ]
            for e in endpoints
        ],
    )
    table(
        "Routes",
        [
            "route",
            "status",
            "breaker",
            "avg ms",
            "p95 ms",
            "p99 ms",
            "errors %",
            "calls",
            "last error",
        ],
        [
            [
                r["route_id"],
                r["status"],
                r["breaker"]["state"],
                _ms(r["avg_latency_ms"]),
                _ms(r["p95_latency_ms"]),
                _ms(r["p99_latency_ms"]),
                r["error_rate"],
                r["success_count"] + r["failure_count"],
                r["last_error"],
            ]
            for r in routes
        ],
    )


def _manager() -> Any:
    from radiant.health.thermal import manager_from_settings

    return manager_from_settings(engine())


def _thermal_table(rows: list[dict[str, Any]]) -> None:
    table(
        "Thermal states",
        ["model", "endpoint", "state", "target", "moving", "instances", "ready at", "cold at"],
        [
            [
                r["model_id"],
                r["endpoint_name"],
                r["current_state"],
                r["target_state"],
                "yes" if r["is_transitioning"] else "",
                r["instance_count"],
                _when(r["ready_at"]),
                _when(r["scale_to_zero_at"]),
            ]
            for r in rows
        ],
    )


@thermal_app.command("list")
def thermal_list(as_json: JsonOpt = False) -> None:
    """Every self-hosted endpoint: current and target state, timers."""
    from radiant.core.audit import jsonable

    rows = _manager().list()
    if as_json:
        print_json(jsonable({"data": rows, "count": len(rows)}))
        return
    _thermal_table(rows)


@thermal_app.command("warm")
def thermal_warm(
    model: Annotated[str, typer.Argument(help="The self-hosted model (id or alias).")],
    token: TokenOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Warm the model's endpoint now (needs a token with status:write)."""
    from radiant.core.audit import jsonable

    eng = engine()
    view = _manager().warm(model, context(token, eng))
    if as_json:
        print_json(jsonable(view))
        return
    _thermal_table([view])
