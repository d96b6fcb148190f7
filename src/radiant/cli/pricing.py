"""``radiant price``, ``radiant pricing ...`` and ``radiant alerts ...``.

Without ``--admin`` every command prints what a client sees: prices only. ``--admin``
adds costs, markups and margins for an administrator who may read them; writes act as
the administrator whose token ``--token`` or ``RADIANT_TOKEN`` names.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

import typer

from radiant.bounds import COUNT_MAX, INT64_MAX
from radiant.cli._auth import cost_reader
from radiant.cli._base import AdminOpt, JsonOpt, app, open_registry, print_json, table
from radiant.errors import ValidationError

pricing_app = typer.Typer(help="Prices, markups and estimated costs.", no_args_is_help=True)
alerts_app = typer.Typer(help="Estimated-cost alerts.", no_args_is_help=True)
app.add_typer(pricing_app, name="pricing")
app.add_typer(alerts_app, name="alerts")


def _service() -> Any:
    from radiant.pricing.service import PricingService

    return PricingService(open_registry())


def _principal() -> Any:
    from radiant.cli._auth import acting

    return acting()


def _decimal(name: str, value: str | None) -> Decimal | None:
    from radiant.domain.numbers import to_decimal

    return None if value is None else to_decimal(name, value)


def _money(value: Any) -> str:
    if value is None:
        return ""
    text = format(Decimal(value).normalize(), "f")
    whole, _, frac = text.partition(".")
    return f"${whole}.{frac.ljust(2, '0')}"


@app.command("price")
def price(
    model: Annotated[str, typer.Argument(help="Model id or any alias.")],
    input_tokens: Annotated[
        int, typer.Option(min=0, max=COUNT_MAX, help="Input (prompt) tokens.")
    ] = 0,
    output_tokens: Annotated[int, typer.Option(min=0, max=COUNT_MAX, help="Output tokens.")] = 0,
    cached_input_tokens: Annotated[
        int, typer.Option(min=0, max=COUNT_MAX, help="Cached prompt tokens.")
    ] = 0,
    images: Annotated[int, typer.Option(min=0, max=COUNT_MAX, help="Images generated.")] = 0,
    seconds: Annotated[str | None, typer.Option(help="Seconds (video, compute).")] = None,
    minutes: Annotated[str | None, typer.Option(help="Audio minutes.")] = None,
    requests: Annotated[int, typer.Option(min=0, max=COUNT_MAX, help="API calls.")] = 1,
    tool_calls: Annotated[int, typer.Option(min=0, max=COUNT_MAX, help="Tool calls.")] = 0,
    search_requests: Annotated[
        int, typer.Option(min=0, max=COUNT_MAX, help="Search requests.")
    ] = 0,
    batch: Annotated[bool, typer.Option("--batch", help="Through the batch API.")] = False,
    platform: Annotated[str | None, typer.Option(help="Route platform (default: first).")] = None,
    tenant: Annotated[str | None, typer.Option(help="Price on this tenant's terms.")] = None,
    as_json: JsonOpt = False,
    admin: AdminOpt = False,
) -> None:
    """The itemised price of a usage (with --admin: its cost, markup and margin too)."""
    from radiant.pricing.payloads import priced_payload
    from radiant.pricing.usage import Usage

    if admin:
        cost_reader()

    usage = Usage(
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cached_input_tokens=cached_input_tokens,
        images=images,
        seconds=_decimal("--seconds", seconds) or Decimal(0),
        minutes=_decimal("--minutes", minutes) or Decimal(0),
        requests=requests,
        tool_calls=tool_calls,
        search_requests=search_requests,
        batch=batch,
    )
    quote = _service().quote(model, usage, platform=platform, tenant=tenant)
    payload = priced_payload(
        quote.priced,
        admin=admin,
        model_id=quote.entry.id,
        platform=quote.route.platform_id,
        tenant_id=quote.tenant_id,
    )
    if as_json:
        print_json(payload)
        return
    columns = ["item", "quantity", "unit", "unit price", "price"]
    if admin:
        columns += ["unit cost", "cost"]
    rows = []
    for line in payload["lines"]:
        row = [line["item"], line["quantity"], line["unit"], _money(line["unit_price"])]
        row.append(_money(line["price"]))
        if admin:
            row += [_money(line["unit_cost"]), _money(line["cost"])]
        rows.append(row)
    table(f"{quote.entry.id} on {quote.route.platform_id}", columns, rows)
    typer.echo(f"total price: {_money(payload['total_price'])} ({payload['total_price_usd']} USD)")
    if admin:
        markup = payload["markup"]
        typer.echo(
            f"total cost: {_money(payload['total_cost'])}  margin: {_money(payload['margin'])}  "
            f"markup: {markup['percent']}% ({markup['source']})"
        )
    if payload["is_estimated"]:
        typer.echo("Estimated: the price may change")


@pricing_app.command("compare")
def compare(
    model: Annotated[list[str] | None, typer.Option(help="Model id or alias.")] = None,
    task: Annotated[str | None, typer.Option(help="Task (chat, image, ...).")] = None,
    provider: Annotated[str | None, typer.Option(help="Provider id.")] = None,
    platform: Annotated[str | None, typer.Option(help="Platform id.")] = None,
    tenant: Annotated[str | None, typer.Option(help="Price on this tenant's terms.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="At most this many routes.")] = 50,
    as_json: JsonOpt = False,
    admin: AdminOpt = False,
) -> None:
    """Compare prices across models and platforms, cheapest input price first."""
    service = _service()
    snapshot = service.registry.snapshot()
    wanted = {snapshot.resolve(m).id for m in model or []}
    entries = [
        e
        for e in snapshot.entries
        if (not wanted or e.id in wanted)
        and (task is None or e.task.value == task)
        and (provider is None or e.model.provider_id == provider)
    ]
    if admin:
        cost_reader(service.engine)
    views = service.views(entries, admin=admin, tenant=tenant, snapshot=snapshot)
    views = [v for v in views if platform is None or v.platform == platform]

    def head(view: Any) -> tuple[int, Decimal]:
        """Token prices first (by input price), then unit prices."""
        block = view.price if admin else view.prices
        if block.input_per_1m is not None:
            return 0, block.input_per_1m
        if block.units:
            return 1, next(iter(block.units.values()))
        return 2, Decimal(0)

    views.sort(key=lambda v: (head(v), v.route_id))
    views = views[:limit]
    if as_json:
        print_json([v.model_dump(mode="json") for v in views])
        return
    if admin:
        table(
            f"{len(views)} routes (admin view)",
            ["route", "cost in/out per 1M", "markup", "price in/out per 1M", "margin", "est."],
            [
                [
                    v.route_id,
                    f"{_money(v.cost.input_per_1m)} / {_money(v.cost.output_per_1m)}",
                    f"{v.markup.percent}% {v.markup.source}",
                    f"{_money(v.price.input_per_1m)} / {_money(v.price.output_per_1m)}",
                    f"{v.margin.percent_of_price:.1f}%" if v.margin.percent_of_price else "",
                    "yes" if v.estimated_cost.is_estimated else "",
                ]
                for v in views
            ],
        )
        return
    table(
        f"{len(views)} routes",
        ["route", "input / 1M", "output / 1M", "other", "tier", "estimated"],
        [
            [
                v.route_id,
                _money(v.prices.input_per_1m),
                _money(v.prices.output_per_1m),
                ", ".join(f"{k}={_money(p)}" for k, p in v.prices.units.items()),
                v.price_tier or "",
                "Estimated" if v.estimated_price.is_estimated else "",
            ]
            for v in views
        ],
    )


@pricing_app.command("estimate")
def estimate_missing(as_json: JsonOpt = False) -> None:
    """Estimate missing costs from similar models, raise alerts, resolve real ones."""
    report = _service().reconcile_estimates()
    if as_json:
        print_json(report.__dict__)
        return
    typer.echo(
        f"estimated {len(report.estimated)} route(s), alerts raised {len(report.alerts_created)}, "
        f"resolved {len(report.alerts_resolved)}, not estimable {len(report.not_estimable)}"
    )


@pricing_app.command("markup")
def markup(
    scope: Annotated[str, typer.Argument(help="provider or model.")],
    target: Annotated[str, typer.Argument(help="Provider id, or model id or alias.")],
    percent: Annotated[str | None, typer.Argument(help="New markup percent.")] = None,
    reason: Annotated[str | None, typer.Option(help="Why (kept with the override).")] = None,
    expires: Annotated[
        datetime | None, typer.Option(help="When the override stops applying (ISO date).")
    ] = None,
    remove: Annotated[bool, typer.Option("--remove", help="Delete the override.")] = False,
) -> None:
    """Set (or with --remove delete) the markup override of a provider or a model."""
    from radiant.cli._auth import context
    from radiant.cli._base import state
    from radiant.manage.operations import WriteOp
    from radiant.manage.registry_writes import RegistryWriter
    from radiant.pricing import store
    from radiant.pricing.markup import MarkupScope

    try:
        kind = MarkupScope(scope)
    except ValueError:
        raise ValidationError("scope must be 'provider' or 'model'") from None
    service = _service()
    if kind is MarkupScope.MODEL:
        target = service.registry.snapshot().resolve(target).id
    data: dict[str, Any] = {"remove": True}
    if not remove:
        value = _decimal("percent", percent)
        if value is None:
            raise ValidationError("give the markup percent, or --remove")
        data = {"percent": value, "reason": reason, "expires_at": expires}
    result = RegistryWriter(service.engine, service.registry).execute(
        WriteOp("markup", kind.value, target, data), context(state.token, service.engine)
    )
    if result.approval is not None:
        typer.echo(f"waiting for a second administrator: approval request {result.approval['id']}")
    elif remove:
        typer.echo(f"removed the {scope} markup of {target}")
    else:
        from sqlalchemy.orm import Session

        with Session(service.engine) as session:
            row = store.find_markup_override(session, kind, target)
            assert row is not None  # just written
            typer.echo(f"{scope} {target}: markup {row.percent.normalize()}% set by {row.set_by}")


# ----------------------------------------------------------------------------- alerts


@alerts_app.command("list")
def alerts_list(
    status: Annotated[str | None, typer.Option(help="pending, acknowledged, ...")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Estimated-cost alerts, newest first."""
    from radiant.pricing import store
    from radiant.pricing.alerts import AlertStatus

    try:
        wanted = AlertStatus(status) if status else None
    except ValueError:
        raise ValidationError(f"unknown status {status!r}") from None
    alerts = store.list_alerts(_service().engine, wanted)
    if as_json:
        print_json([a.model_dump(mode="json") for a in alerts])
        return
    table(
        f"{len(alerts)} alerts",
        ["id", "route", "severity", "status", "reason", "confidence", "est. cost in/out"],
        [
            [
                a.id,
                a.route_id,
                a.severity,
                a.status.value,
                a.reason.value,
                a.confidence,
                f"{_money(a.estimated_input_per_1m)} / {_money(a.estimated_output_per_1m)}",
            ]
            for a in alerts
        ],
    )


def _show(alert: Any) -> None:
    typer.echo(f"alert {alert.id} on {alert.route_id}: {alert.status.value}")


@alerts_app.command("ack")
def alerts_ack(
    alert_id: Annotated[int, typer.Argument(min=1, max=INT64_MAX, help="Alert id.")],
) -> None:
    """Acknowledge a pending alert."""
    from radiant.pricing import store

    _show(store.acknowledge_alert(_service().engine, _principal(), alert_id))


@alerts_app.command("adjust")
def alerts_adjust(
    alert_id: Annotated[int, typer.Argument(min=1, max=INT64_MAX, help="Alert id.")],
    input_per_1m: Annotated[str | None, typer.Option(help="Input cost per 1M tokens.")] = None,
    output_per_1m: Annotated[str | None, typer.Option(help="Output cost per 1M tokens.")] = None,
) -> None:
    """Set the estimated cost by hand (it stays marked estimated until resolved)."""
    from radiant.pricing import store

    alert = store.adjust_alert(
        _service().engine,
        _principal(),
        alert_id,
        _decimal("--input-per-1m", input_per_1m),
        _decimal("--output-per-1m", output_per_1m),
    )
    _show(alert)


@alerts_app.command("resolve")
def alerts_resolve(
    alert_id: Annotated[int, typer.Argument(min=1, max=INT64_MAX, help="Alert id.")],
    input_per_1m: Annotated[str | None, typer.Option(help="The real input cost per 1M.")] = None,
    output_per_1m: Annotated[str | None, typer.Option(help="The real output cost per 1M.")] = None,
) -> None:
    """Resolve an alert: the route's cost (as it is, or as given) is confirmed real."""
    from radiant.pricing import store

    alert = store.resolve_alert(
        _service().engine,
        _principal(),
        alert_id,
        _decimal("--input-per-1m", input_per_1m),
        _decimal("--output-per-1m", output_per_1m),
    )
    _show(alert)
