"""Billing: daily rollups and monthly invoices from metered usage, to the cent, idempotent."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from cli_in_process import run_radiant
from conftest import migrate
from radiant.billing import make_invoices, rollup_day
from radiant.cli import app
from radiant.errors import NotFoundError, ValidationError
from radiant.gateway.metering import Meter, UsageEvent
from radiant.store.billing_tables import InvoiceRow, UsageEventRow, UsageRollupRow
from radiant.store.engine import make_engine
from radiant.store.tenant_tables import TenantRow
from radiant.tenants.scope import admin_scope, tenant_scope

SRC = Path(__file__).resolve().parents[1] / "src"
A, B = "00000000-0000-0000-0000-00000000000a", "00000000-0000-0000-0000-00000000000b"


def at(day: int, hour: int = 12, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def event(event_id: str, tenant: str, **fields: Any) -> UsageEvent:
    base = UsageEvent(
        id=event_id,
        tenant_id=tenant,
        user_id=None,
        api_key_id="key-1",
        model_id="gpt-4o",
        provider_id="openai",
        platform_id="openai",
        route_id="gpt-4o@openai",
        latency_ms=100,
    )
    return replace(base, **fields)


#: Tenant A: three expensive gpt-4o calls (over $100: 5 % off), one failure, one claude call;
#: tenant B: two small calls within the free tier. Plus events just outside November.
EVENTS = [
    event("a1", A, input_tokens=50_000, output_tokens=1_000, billed_price=Decimal("40.004"),
          base_cost=Decimal("32.0032"), created_at=at(3)),
    event("a2", A, input_tokens=50_000, output_tokens=1_000, billed_price=Decimal("40.004"),
          base_cost=Decimal("32.0032"), created_at=at(3, 18), usage_estimated=True),
    event("a3", A, input_tokens=50_000, output_tokens=1_000, billed_price=Decimal("40.004"),
          base_cost=Decimal("32.0032"), created_at=datetime(2026, 11, 30, 23, 59, 59, tzinfo=UTC)),
    event("a4", A, status="error", error_code="upstream_500", latency_ms=None, created_at=at(3)),
    event("a5", A, model_id="claude-sonnet-4", provider_id="anthropic", input_tokens=10,
          output_tokens=10, billed_price=Decimal("0.0000001"), created_at=at(4)),
    event("a-dec", A, billed_price=Decimal(5), created_at=datetime(2026, 12, 1, tzinfo=UTC)),
    event("a-oct", A, billed_price=Decimal(5), created_at=at(31, 23, month=10)),
    event("b1", B, endpoint="embeddings", input_tokens=500, billed_price=Decimal("0.011"),
          created_at=at(4)),
    event("b2", B, input_tokens=400, output_tokens=100, billed_price=Decimal("0.011"),
          created_at=at(5)),
]  # fmt: skip


@pytest.fixture
def billed(migrated: Engine, tmp_path: Path) -> Engine:
    with Session(migrated) as session, session.begin():
        admin_scope(session)
        session.add(TenantRow(id=A, name="Acme", slug="acme", tier=2, settings={}))
        session.add(TenantRow(id=B, name="Beta", slug="beta", tier=1, settings={}))
    with Meter(migrated, tmp_path / "spool") as meter:
        for e in EVENTS:
            meter.record(e)
        assert meter.flush() == len(EVENTS)
    return migrated


def rollups(engine: Engine, day: date) -> dict[tuple[str, str], UsageRollupRow]:
    with Session(engine) as session:
        admin_scope(session)
        rows = session.scalars(select(UsageRollupRow).where(UsageRollupRow.rollup_date == day))
        return {(r.tenant_id, r.model_id): r for r in rows}


def invoices(engine: Engine) -> dict[str, InvoiceRow]:
    with Session(engine) as session:
        admin_scope(session)
        return {r.tenant_id: r for r in session.scalars(select(InvoiceRow))}


def test_a_daily_rollup_sums_each_tenant_and_model_and_can_be_rerun(
    billed: Engine, tmp_path: Path
) -> None:
    summary = rollup_day(billed, date(2026, 11, 3))
    assert (summary.events, summary.rows, summary.tenants) == (3, 1, 1)
    again = rollup_day(billed, date(2026, 11, 3))
    assert again == summary
    (row,) = rollups(billed, date(2026, 11, 3)).values()
    assert (row.request_count, row.success_count, row.error_count) == (3, 2, 1)
    assert (row.input_tokens, row.output_tokens, row.total_tokens) == (100_000, 2_000, 102_000)
    assert row.billed_price == Decimal("80.008")
    assert row.base_cost == Decimal("64.0064")
    assert row.avg_latency_ms == Decimal(100)
    assert row.estimated_requests == 1  # a2: a cut stream, its tokens counted by the gateway

    # a late event (flushed from a spool after the first rollup) is counted on a rerun
    with Meter(billed, tmp_path / "late") as meter:
        meter.record(event("a-late", A, billed_price=Decimal("0.002"), created_at=at(3, 23)))
        meter.flush()
    rollup_day(billed, date(2026, 11, 3))
    (row,) = rollups(billed, date(2026, 11, 3)).values()
    assert (row.request_count, row.billed_price) == (4, Decimal("80.010"))


def test_a_monthly_invoice_applies_the_volume_discount_and_the_free_tier(billed: Engine) -> None:
    summaries = {s.tenant_id: s for s in make_invoices(billed, date(2026, 11, 1))}
    stored = invoices(billed)
    acme = stored[A]
    assert acme.invoice_number == "INV-202611-acme"
    assert (acme.billing_period_start, acme.billing_period_end) == (
        date(2026, 11, 1),
        date(2026, 11, 30),
    )
    # 3 x 40.004 + 0.0000001 = 120.0120001: the subtotal is rounded once, at the end
    assert acme.subtotal == Decimal("120.01")
    assert acme.discount_amount == Decimal("6.00")  # 5 % of 120.0120001 = 6.000600005
    assert acme.free_tier_credit == 0  # 151,020 tokens: above the free 100,000
    assert acme.total_amount == Decimal("114.01")
    assert [(line["model_id"], line["amount"]) for line in acme.line_items] == [
        ("claude-sonnet-4", "1E-7"),
        ("gpt-4o", "120.012"),
    ]
    assert acme.line_items[1]["request_count"] == 4
    assert acme.line_items[1]["estimated_requests"] == 1
    assert acme.details["within_free_tier"] is False
    assert acme.details["volume_discount_percent"] == "5"

    beta = stored[B]
    assert beta.subtotal == Decimal("0.02")
    assert beta.free_tier_credit == Decimal("0.02")  # within every free-tier limit
    assert beta.total_amount == 0
    assert summaries[B].total_amount == 0

    # run again: the same invoices, not new ones
    make_invoices(billed, date(2026, 11, 1))
    again = invoices(billed)
    assert {k: (v.id, v.total_amount) for k, v in again.items()} == {
        k: (v.id, v.total_amount) for k, v in stored.items()
    }


def test_an_invoice_that_moved_on_is_kept(billed: Engine) -> None:
    make_invoices(billed, date(2026, 11, 1), "acme")
    assert set(invoices(billed)) == {A}
    with Session(billed) as session, session.begin():
        admin_scope(session)
        session.execute(update(InvoiceRow).values(status="paid"))
        session.execute(
            update(UsageEventRow).where(UsageEventRow.id == "a1").values(billed_price=Decimal(1000))
        )
    (summary,) = make_invoices(billed, date(2026, 11, 1), A)
    assert not summary.replaced and summary.status == "paid"
    assert invoices(billed)[A].total_amount == Decimal("114.01")


def test_bad_billing_input(billed: Engine) -> None:
    with pytest.raises(NotFoundError, match="tenant 'nobody'"):
        make_invoices(billed, date(2026, 11, 1), "nobody")


def test_tenants_read_only_their_own_usage(postgres_db: str, tmp_path: Path) -> None:

    migrate(postgres_db)
    owner = make_engine(postgres_db)
    with Meter(owner, tmp_path / "spool") as meter:
        for e in EVENTS:
            meter.record(e)
        meter.flush()
    rollup_day(owner, date(2026, 11, 4))
    app_engine = make_engine(postgres_db, role="radiant_app")
    with Session(app_engine) as session, session.begin():
        tenant_scope(session, B)
        assert set(session.scalars(select(UsageEventRow.id))) == {"b1", "b2"}
        assert set(session.scalars(select(UsageRollupRow.tenant_id))) == {B}
    with Session(app_engine) as session, session.begin():  # no scope: nothing
        assert list(session.scalars(select(UsageEventRow.id))) == []
    app_engine.dispose()
    owner.dispose()


def cli(url: str, *args: str) -> Any:
    result = run_radiant(["--database-url", url, "billing", *args, "--json"])
    assert result.returncode == 0, (args, result.stdout, result.stderr)
    return json.loads(result.stdout)


def test_the_billing_commands(billed: Engine, db_url: str) -> None:
    (day,) = cli(db_url, "rollup", "--day", "2026-11-04")
    assert day == {"day": "2026-11-04", "events": 2, "rows": 2, "tenants": 2}
    made = cli(db_url, "invoice", "--month", "2026-11")
    assert [(i["invoice_number"], i["total_amount"]) for i in made] == [
        ("INV-202611-acme", "114.01"),
        ("INV-202611-beta", "0.00"),
    ]
    (beta,) = cli(db_url, "invoice", "--month", "2026-11", "--tenant", "beta", "--no-rollup")
    assert beta["replaced"] is True and beta["free_tier_credit"] == "0.02"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["invoice", "--month", "2026-13"], "--month must be YYYY-MM"),
        (["invoice", "--month", "November"], "--month must be YYYY-MM"),
        (["rollup", "--day", "2026-11-31"], "--day must be a date"),
    ],
)
def test_bad_input_is_refused(sqlite_db: str, args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["--database-url", sqlite_db, "billing", *args])
    assert isinstance(result.exception, ValidationError)
    assert message in str(result.exception)


def test_bad_input_is_one_line_and_exit_2(sqlite_db: str) -> None:
    done = subprocess.run(  # noqa: PLW1510 - the exit code is what is checked
        [sys.executable, "-c", "from radiant.cli import main; main()", "billing", "invoice"]
        + ["--month", "2026-13"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(SRC), "RADIANT_DATABASE_URL": sqlite_db},
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr == "error: --month must be YYYY-MM, not '2026-13'\n"
