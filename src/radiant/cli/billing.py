"""``radiant billing``: daily usage rollups and monthly invoices.

Like ``radiant sync``, these are operator jobs: they run with the database access of the
CLI (``--database-url``), over every tenant (or one, ``--tenant``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import typer

from radiant.cli._base import JsonOpt, app, disposed_with_command, load_settings, print_json, table

billing_app = typer.Typer(help="Usage rollups and invoices.", no_args_is_help=True)
app.add_typer(billing_app, name="billing")


def _engine() -> Any:
    from radiant.store.engine import make_engine

    settings = load_settings()
    return disposed_with_command(
        make_engine(settings.database_url, role=settings.database_role or None)
    )


@billing_app.command("rollup")
def rollup(
    day: Annotated[
        str | None,
        typer.Option(help="The UTC day YYYY-MM-DD (default: yesterday and today)."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Rebuild the daily usage rollups (per tenant and model) of a day."""
    from radiant.billing import parse_day, rollup_day

    if day is not None:
        days = [parse_day(day)]
    else:
        today = datetime.now(UTC).date()
        days = [today - timedelta(days=1), today]
    engine = _engine()
    try:
        results = [rollup_day(engine, d) for d in days]
    finally:
        engine.dispose()
    data = [
        {"day": r.day.isoformat(), "events": r.events, "rows": r.rows, "tenants": r.tenants}
        for r in results
    ]
    if as_json:
        print_json(data)
        return
    table("usage rollups", ["day", "events", "rows", "tenants"], [list(d.values()) for d in data])


@billing_app.command("invoice")
def invoice(
    month: Annotated[str, typer.Option(help="The month YYYY-MM.")],
    tenant: Annotated[str | None, typer.Option(help="One tenant (id or slug).")] = None,
    rollup: Annotated[bool, typer.Option(help="Rebuild the month's daily rollups first.")] = True,
    as_json: JsonOpt = False,
) -> None:
    """Make (or remake) the month's draft invoices, with discounts and the free tier."""
    from radiant.billing import make_invoices, parse_month

    first = parse_month(month)
    engine = _engine()
    try:
        results = make_invoices(engine, first, tenant, rollup=rollup)
    finally:
        engine.dispose()
    if as_json:
        print_json(
            [
                {
                    "tenant_id": r.tenant_id,
                    "invoice_number": r.invoice_number,
                    "status": r.status,
                    "subtotal": str(r.subtotal),
                    "discount_amount": str(r.discount_amount),
                    "free_tier_credit": str(r.free_tier_credit),
                    "total_amount": str(r.total_amount),
                    "lines": r.lines,
                    "replaced": r.replaced,
                }
                for r in results
            ]
        )
        return
    table(
        f"invoices {month}",
        ["invoice", "tenant", "status", "lines", "subtotal", "discount", "free tier", "total"],
        [
            [
                r.invoice_number,
                r.tenant_id,
                r.status if r.replaced else f"{r.status} (kept)",
                r.lines,
                f"${r.subtotal:.2f}",
                f"${r.discount_amount:.2f}",
                f"${r.free_tier_credit:.2f}",
                f"${r.total_amount:.2f}",
            ]
            for r in results
        ],
    )
