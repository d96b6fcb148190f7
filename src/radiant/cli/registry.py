"""Registry commands: migrations, catalog sync, the server, and browsing the registry."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from radiant.bounds import INT32_MAX, INT64_MAX
from radiant.cli._base import (
    AdminOpt,
    JsonOpt,
    app,
    db_app,
    load_settings,
    models_app,
    money,
    open_registry,
    platforms_app,
    price_lens,
    print_json,
    providers_app,
    read_snapshot,
    safe_url,
    sync_app,
    table,
)

# ---------------------------------------------------------------------------- db, serve, sync


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Migrate the database to REVISION (default: head)."""
    from radiant.store.migrate import upgrade

    settings = load_settings()
    upgrade(settings.database_url, revision)
    typer.echo(f"database at {revision}: {safe_url(settings.database_url)}")


@sync_app.command("catalog")
def sync_catalog_cmd(
    directory: Annotated[
        Path | None, typer.Option("--dir", help="A catalog directory (default: built-in).")
    ] = None,
    as_json: JsonOpt = False,
    progress: Annotated[
        bool | None,
        typer.Option("--progress/--no-progress", help="A progress bar on stderr."),
    ] = None,
) -> None:
    """Upsert a catalog into the registry (adds, updates, deprecates; never deletes).

    Then estimates the costs the catalog does not give and raises or resolves the
    estimated-cost alerts (``radiant alerts list``).
    """
    from radiant.cli.sync import run_sync

    options = {"directory": str(directory)} if directory else {}
    run = run_sync("catalog", options, as_json=as_json, progress=progress)
    estimates = run.details.get("estimates")
    if estimates and not as_json:
        typer.echo(
            f"estimated costs: {estimates['estimated']} route(s) estimated, "
            f"alerts +{estimates['alerts_created']} resolved {estimates['alerts_resolved']}"
        )


@app.command("serve")
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind.")] = None,
    port: Annotated[int | None, typer.Option(min=1, max=65535, help="Port to listen on.")] = None,
) -> None:
    """Serve the REST API (OpenAPI docs at /docs) and run the scheduled syncs
    (RADIANT_SCHEDULE_*; RADIANT_SCHEDULER=false turns them off)."""
    import uvicorn

    from radiant.api.app import create_app
    from radiant.health.monitor import monitor_from_settings
    from radiant.health.thermal import manager_from_settings
    from radiant.sync.scheduler import SyncScheduler

    settings = load_settings()
    registry = open_registry()
    registry.snapshot()  # fail fast, with a clear message, when the store is not ready
    uvicorn.run(
        create_app(
            registry,
            max_body_bytes=settings.max_body_bytes,
            require_auth_for_reads=settings.require_auth_for_reads,
            scheduler=SyncScheduler(registry.engine, settings),
            health=monitor_from_settings(registry.engine),
            thermal=manager_from_settings(registry.engine),
        ),
        host=host or settings.host,
        port=port or settings.port,
        log_level=settings.log_level,
    )


# ---------------------------------------------------------------------------- models


@models_app.command("list")
def models_list(
    capability: Annotated[list[str] | None, typer.Option(help="Required capability.")] = None,
    exclude_capability: Annotated[
        list[str] | None, typer.Option(help="Capability the model must not have.")
    ] = None,
    provider: Annotated[list[str] | None, typer.Option(help="Provider id.")] = None,
    platform: Annotated[list[str] | None, typer.Option(help="Platform id.")] = None,
    task: Annotated[list[str] | None, typer.Option(help="Task (chat, embedding, ...).")] = None,
    category: Annotated[list[str] | None, typer.Option(help="Category.")] = None,
    input_modality: Annotated[list[str] | None, typer.Option(help="Accepted input.")] = None,
    output_modality: Annotated[list[str] | None, typer.Option(help="Produced output.")] = None,
    status: Annotated[list[str] | None, typer.Option(help="active, deprecated, ...")] = None,
    hosting_type: Annotated[str | None, typer.Option(help="external or self_hosted.")] = None,
    min_context: Annotated[
        int | None, typer.Option(min=0, max=INT32_MAX, help="Minimum context window.")
    ] = None,
    max_input_price: Annotated[
        str | None, typer.Option(help="Max input price, USD per 1M tokens.")
    ] = None,
    max_output_price: Annotated[
        str | None, typer.Option(help="Max output price, USD per 1M tokens.")
    ] = None,
    tier: Annotated[int | None, typer.Option(min=1, max=5, help="Tenant tier 1-5.")] = None,
    sort: Annotated[str, typer.Option(help="id, name, input_price, context_window, ...")] = "id",
    descending: Annotated[bool, typer.Option("--descending", help="Reverse the order.")] = False,
    search: Annotated[str | None, typer.Option("--search", "-q", help="Text search.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="At most this many.")] = 50,
    offset: Annotated[int, typer.Option(min=0, max=INT64_MAX, help="Skip this many.")] = 0,
    as_json: JsonOpt = False,
) -> None:
    """List models, filtered."""
    from radiant.api.schemas import list_priced, model_summary
    from radiant.registry import ModelQuery

    query = _validated(
        ModelQuery,
        capabilities=capability or [],
        exclude_capabilities=exclude_capability or [],
        input_modalities=input_modality or [],
        output_modalities=output_modality or [],
        status=status or [],
        provider=provider or [],
        platform=platform or [],
        task=task or [],
        category=category or [],
        hosting_type=hosting_type,
        min_context_window=min_context,
        max_input_price=max_input_price,
        max_output_price=max_output_price,
        tier=tier,
        sort=sort,
        descending=descending,
        q=search,
        limit=limit,
        offset=offset,
    )
    lens = price_lens(admin=False)
    data, count = list_priced(lens.snapshot, query, lens)
    if as_json:
        print_json(
            {
                "data": [model_summary(e, lens).model_dump(mode="json") for e in data],
                "count": count,
            }
        )
        return
    table(
        f"{len(data)} of {count} models",
        ["id", "provider", "hosting", "task", "context", "price (first route)"],
        [
            [
                e.id,
                e.model.provider_id,
                e.hosting_type,
                e.task.value,
                e.model.context_window,
                _headline(lens.price_sheet(e, e.routes[0]) if e.routes else None),
            ]
            for e in data
        ],
    )


def _validated(cls: Any, **data: Any) -> Any:
    import pydantic

    from radiant.errors import ValidationError

    try:
        return cls.model_validate(data)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ValidationError(f"invalid {where}: {first['msg']}") from None


@models_app.command("show")
def models_show(
    name: Annotated[str, typer.Argument(help="Model id or any alias.")],
    as_json: JsonOpt = False,
    admin: AdminOpt = False,
) -> None:
    """Show one model with its routes and prices (costs too with --admin)."""
    from radiant.api.schemas import RouteAdmin, model_detail

    lens = price_lens(admin=admin)
    detail = model_detail(lens.snapshot.resolve(name), lens)
    if as_json:
        print_json(detail.model_dump(mode="json"))
        return
    typer.echo(
        f"{detail.display_name} ({detail.id})  provider={detail.provider}  "
        f"hosting={detail.hosting_type}  task={detail.task}"
    )
    typer.echo(f"aliases: {', '.join(detail.aliases) or '-'}")
    typer.echo(f"capabilities: {', '.join(detail.capabilities) or '-'}")
    typer.echo(f"context window: {detail.context_window}  max output: {detail.max_output_tokens}")
    table(
        "routes",
        ["platform", "model string", "priority", "status", "pricing", "estimated"],
        [
            [
                r.platform,
                r.model_string,
                r.priority,
                r.status,
                r.price.pricing_type.value if r.price else "",
                "yes" if r.price and r.price.is_estimated else "",
            ]
            for r in detail.routes
        ],
    )
    for r in detail.routes:
        if r.price is not None:
            typer.echo(f"price on {r.platform}: {_prices(r.price)}")
        if isinstance(r, RouteAdmin) and r.cost is not None:
            typer.echo(
                f"cost on {r.platform}: {_prices(r.cost)}  "
                f"(markup {r.markup_percent}% from {r.markup_source})"
            )


_UNITS = (
    ("per_image", "image"),
    ("per_second", "second"),
    ("per_minute", "minute"),
    ("per_video_minute", "video minute"),
    ("per_hour", "hour"),
    ("per_3d_model", "3D model"),
    ("per_request", "request"),
)


def _headline(price: Any) -> str:
    """The price a person looks for first: tokens in/out, or the unit the sheet charges by."""
    if price is None:
        return ""
    if price.input_per_1m is not None or price.output_per_1m is not None:
        return f"{money(price.input_per_1m) or '-'} / {money(price.output_per_1m) or '-'} per 1M"
    for name, unit in _UNITS:
        value = getattr(price, name)
        if value is not None:
            return f"{money(value)} per {unit}"
    return ""


def _prices(price: Any) -> str:
    """``input_per_1m=$3, output_per_1m=$15, ...`` for the money fields that are set."""
    return ", ".join(f"{k}={money(v)}" for k, v in price.prices().items())


@models_app.command("search")
def models_search(
    text: Annotated[str, typer.Argument(help="Words to look for.")],
    limit: Annotated[int, typer.Option(min=1, max=200, help="At most this many.")] = 20,
    as_json: JsonOpt = False,
) -> None:
    """Search models by id, alias, name and description."""
    from radiant.api.schemas import model_summary
    from radiant.registry.views import search

    lens = price_lens(admin=False)
    found = search(lens.snapshot, text, limit)
    if as_json:
        data = [model_summary(e, lens).model_dump(mode="json") for e in found]
        print_json({"data": data, "count": len(found)})
        return
    table(
        f"{len(found)} models",
        ["id", "name", "provider", "task"],
        [[e.id, e.model.display_name, e.model.provider_id, e.task.value] for e in found],
    )


# ---------------------------------------------------------------------------- others


@providers_app.command("list")
def providers_list(as_json: JsonOpt = False) -> None:
    """List providers."""
    providers = list(read_snapshot().providers.values())
    if as_json:
        print_json(
            {"data": [p.model_dump(mode="json") for p in providers], "count": len(providers)}
        )
        return
    table(
        f"{len(providers)} providers",
        ["id", "name", "category", "api base", "enabled"],
        [[p.id, p.display_name, p.category, p.api_base_url, p.enabled] for p in providers],
    )


@platforms_app.command("list")
def platforms_list(as_json: JsonOpt = False) -> None:
    """List platforms."""
    platforms = list(read_snapshot().platforms.values())
    if as_json:
        print_json(
            {"data": [p.model_dump(mode="json") for p in platforms], "count": len(platforms)}
        )
        return
    table(
        f"{len(platforms)} platforms",
        ["id", "name", "kind", "base url", "status"],
        [[p.id, p.name, p.kind.value, p.base_url, p.status.value] for p in platforms],
    )


@app.command("stats")
def stats(as_json: JsonOpt = False) -> None:
    """Counts by hosting type, category, provider, health and thermal state."""
    data = read_snapshot().stats()
    if as_json:
        print_json(data)
        return
    rows: list[list[Any]] = [[k, v] for k, v in data.items() if not isinstance(v, dict)]
    for key, counts in data.items():
        if isinstance(counts, dict):
            rows.extend([f"{key}.{k}", v] for k, v in counts.items())
    table("registry", ["what", "count"], rows)
