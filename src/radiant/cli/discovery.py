"""``radiant discovery list|show|approve|ignore``: review models found upstream.

Every command acts as the administrator behind ``--token`` / ``RADIANT_TOKEN``, with the
API's permission checks: ``admin:read`` to read, ``registry:write`` to decide. Running a
discovery is ``radiant sync discovery``.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from radiant.bounds import INT64_MAX
from radiant.cli._auth import TokenOpt, context, engine
from radiant.cli._base import JsonOpt, app, money, print_json, table

__all__ = ["discovery_app"]

discovery_app = typer.Typer(
    help="Review models found upstream (run one with 'radiant sync discovery').",
    no_args_is_help=True,
)
app.add_typer(discovery_app, name="discovery")

ItemArg = Annotated[
    int, typer.Argument(min=1, max=INT64_MAX, help="The discovered model's id (from 'list').")
]
PairsOpt = Annotated[
    list[str] | None, typer.Option(help="FIELD=VALUE (VALUE as JSON when it parses); repeat.")
]
NotesOpt = Annotated[str | None, typer.Option("--notes", help="Why: kept with the decision.")]


def _service(token: str | None) -> tuple[Any, Any]:
    from radiant.manage.registry_writes import RegistryWriter
    from radiant.sync.discovery.review import DiscoveryReview

    eng = engine()
    return DiscoveryReview(eng, RegistryWriter(eng)), context(token, eng)


def _prices(item: dict[str, Any]) -> str:
    from decimal import Decimal

    prices = item.get("prices_per_1m") or {}
    given = [prices.get("input_per_1m"), prices.get("output_per_1m")]
    if all(p is None for p in given):
        return ""
    return " / ".join(money(None if p is None else Decimal(p)) or "-" for p in given)


@discovery_app.command("list")
def list_items(
    status: Annotated[str, typer.Option(help="pending, approved, ignored, or all.")] = "pending",
    platform: Annotated[str | None, typer.Option(help="Only this platform.")] = None,
    provider: Annotated[str | None, typer.Option(help="Only this suggested provider.")] = None,
    search: Annotated[str | None, typer.Option("--search", help="Text in the id.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
    offset: Annotated[int, typer.Option(min=0, max=INT64_MAX)] = 0,
    token: TokenOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Models found upstream, newest first (pending review by default)."""
    from radiant.sync.discovery.review import DiscoveryQuery

    review, ctx = _service(token)
    query = DiscoveryQuery(
        status=None if status == "all" else status,
        platform=platform,
        provider=provider,
        q=search,
        limit=limit,
        offset=offset,
    )
    rows, total = review.list_items(ctx.principal, query)
    if as_json:
        print_json({"data": rows, "count": len(rows), "total": total})
        return
    table(
        f"{len(rows)} of {total} discovered models ({status})",
        [
            "id",
            "platform",
            "upstream id",
            "provider",
            "context",
            "cost in/out per 1M",
            "first seen",
        ],
        [
            [
                r["id"],
                r["platform_id"],
                r["upstream_id"],
                r["suggested"]["provider_id"],
                r["suggested"]["context_window"],
                _prices(r),
                (r["first_seen_at"] or "")[:19],
            ]
            for r in rows
        ],
    )


@discovery_app.command("show")
def show(item_id: ItemArg, token: TokenOpt = None, as_json: JsonOpt = False) -> None:
    """One discovered model: what upstream said, and what approving it would create."""
    review, ctx = _service(token)
    item = review.get(ctx.principal, item_id)
    if as_json:
        print_json(item)
        return
    suggested = item["suggested"]
    lines = [
        f"discovered model {item['id']}: {item['upstream_id']} on {item['platform_id']} "
        f"({item['status']})",
        f"  suggested id:  {suggested['model_id']} (provider {suggested['provider_id'] or '?'})",
        f"  name:          {suggested['display_name'] or ''}",
        f"  context:       {suggested['context_window'] or ''}",
        f"  modalities:    {', '.join(suggested['input_modalities']) or '-'} -> "
        f"{', '.join(suggested['output_modalities']) or '-'}",
        f"  cost per 1M:   {_prices(item) or '-'}",
        f"  first seen:    {item['first_seen_at']}",
        f"  last seen:     {item['last_seen_at']}",
    ]
    if item["known_model_id"]:
        lines.append(f"  known model:   {item['known_model_id']} (approving adds a route)")
    if item["decided_by"]:
        lines.append(f"  decided by:    {item['decided_by']} at {item['decided_at']}")
    typer.echo("\n".join(lines))


@discovery_app.command("approve")
def approve(
    item_id: ItemArg,
    model: PairsOpt = None,
    route: PairsOpt = None,
    price: PairsOpt = None,
    notes: NotesOpt = None,
    token: TokenOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add it to the registry: a model (unless known) and its route on that platform,
    from what upstream said; --model/--route/--price FIELD=VALUE override."""
    from radiant.cli.manage import parse_fields

    body: dict[str, Any] = {}
    for key, pairs in (("model", model), ("route", route), ("price", price)):
        if pairs:
            body[key] = parse_fields(pairs, None)
    if notes:
        body["notes"] = notes
    review, ctx = _service(token)
    done = review.approve(ctx, item_id, body)
    if as_json:
        print_json(done)
    elif "approvals" in done:
        ids = ", ".join(a["id"] for a in done["approvals"])
        typer.echo(
            f"pending approval {ids}: a second administrator must approve "
            "(radiant approvals approve ID), the model before its route"
        )
    else:
        result = done["result"]
        typer.echo(f"approved: model {result['model_id']}, route {result['route_id']}")


@discovery_app.command("ignore")
def ignore(
    item_id: ItemArg, notes: NotesOpt = None, token: TokenOpt = None, as_json: JsonOpt = False
) -> None:
    """Never suggest it again (it stays listed under --status ignored)."""
    review, ctx = _service(token)
    done = review.ignore(ctx, item_id, notes)
    if as_json:
        print_json(done)
    else:
        typer.echo(f"ignored: {done['upstream_id']} on {done['platform_id']}")
