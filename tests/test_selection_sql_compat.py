"""Migration 0005's SQL on PostgreSQL: ``select_model()`` ranks exactly as the in-memory selection.

The built-in catalog is synced, then given varied health (statuses, latencies, one
provider measured only outside us-east-1), thermal states, markup overrides (one
expired), a deprecated model and an inactive route. For several hundred random criteria
that both understand, the function's rows and ``radiant.selection.engine.select`` agree:
same models and hosting types in the same order (so the same first choice, and nothing
together), and the same estimated price per request.

Callability: the SQL function knows nothing of adapters nor of this process's
credentials (it reads the database, which every process shares), so it does not filter
routes this process cannot call. The snapshot here is built as the product builds it
(with :class:`~radiant.providers.callability.CallabilityCheck` on this environment, where
most routes cannot be called), and the in-memory side is asked with
``include_uncallable=True``: the same registry-wide ranking an administrator sees.
``test_the_in_memory_side_also_skips_uncallable_routes`` checks the difference.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, delete, insert, text, update

from conftest import migrate
from radiant.catalog import load_catalog
from radiant.domain import Task
from radiant.pricing.markup import MarkupBook
from radiant.pricing.store import markup_book
from radiant.providers.callability import CallabilityCheck
from radiant.registry import Snapshot
from radiant.registry.service import build_snapshot
from radiant.selection.criteria import HostingPreference, SelectionCriteria
from radiant.selection.engine import select
from radiant.store.engine import make_engine
from radiant.store.migrate import downgrade
from radiant.store.pricing_tables import MarkupOverrideRow
from radiant.store.tables import (
    ModelRow,
    ProviderHealthRow,
    RouteRow,
    ThermalStateRow,
    utcnow,
)
from radiant.sync import sync_catalog
from services import PG_ADMIN_URL

pytestmark = pytest.mark.postgres

CALL = text(
    "SELECT * FROM select_model(:task, CAST(:inputs AS TEXT[]), CAST(:outputs AS TEXT[]),"
    " :tier, :hosting, CAST(:caps AS TEXT[]), :context, :hipaa, :tokens_in, :tokens_out,"
    " :deprecated, :limit)"
)
SEED_CALL = text(
    "SELECT * FROM select_model(:task, CAST(:inputs AS TEXT[]), CAST(:outputs AS TEXT[]), :tier)"
)


@dataclass
class World:
    owner: Engine
    app: Engine
    snapshot: Snapshot
    book: MarkupBook


def _prepare(engine: Engine, rnd: random.Random) -> None:
    """Health, thermal states, markups, a deprecated model and an inactive route."""
    catalog = load_catalog()
    providers = sorted(p for p in catalog.providers if p != "self_hosted")
    statuses = ["healthy", "healthy", "degraded", "unhealthy", "unknown"]
    latencies: list[int | None] = [None, 120, 120, 300, 800]
    with engine.begin() as conn:
        for i, provider in enumerate(providers):
            if i % 4 == 3:
                continue  # no health record at all
            region = "eu-west-1" if provider == providers[0] else "us-east-1"
            conn.execute(
                insert(ProviderHealthRow).values(
                    target=provider,
                    platform_id="direct",
                    provider_id=provider,
                    region=region,
                    status=rnd.choice(statuses),
                    avg_latency_ms=rnd.choice(latencies),
                )
            )
        # a second region never changes a provider measured in us-east-1
        conn.execute(
            insert(ProviderHealthRow).values(
                target=providers[1],
                platform_id="direct",
                provider_id=providers[1],
                region="ap-south-1",
                status="unhealthy",
            )
        )
        hosted = sorted(
            r.model_id for r in catalog.routes.values() if r.platform_id == "self_hosted"
        )
        for model_id in hosted:
            state = rnd.choice(["HOT", "WARM", "COLD", "COLD", "OFF", None])
            conn.execute(delete(ThermalStateRow).where(ThermalStateRow.model_id == model_id))
            if state is not None:
                conn.execute(insert(ThermalStateRow).values(model_id=model_id, current_state=state))
        chat = sorted(m.id for m in catalog.models.values() if m.primary_task is Task.CHAT)
        now = utcnow()
        for scope, target, percent, expires in [
            ("model", chat[0], Decimal("5"), None),
            ("model", chat[1], Decimal("250"), now + timedelta(days=1)),
            ("model", chat[2], Decimal("0"), now - timedelta(days=1)),  # expired
            ("provider", "openai", Decimal("12.5"), None),
            ("provider", "self_hosted", Decimal("20"), None),
        ]:
            conn.execute(
                insert(MarkupOverrideRow).values(
                    scope=scope,
                    target_id=target,
                    percent=percent,
                    set_by="test",
                    expires_at=expires,
                )
            )
        conn.execute(update(ModelRow).where(ModelRow.id == chat[3]).values(status="deprecated"))
        conn.execute(
            update(RouteRow).where(RouteRow.id == f"{chat[4]}@direct").values(status="inactive")
        )
        conn.execute(text("UPDATE registry_state SET version = version + 1"))


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    """One prepared database for the module (building it takes a while); never skipped."""
    name = f"radiant_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - whatever the reason: fail, never skip
        admin.dispose()
        pytest.fail(f"PostgreSQL is required for this test and is not reachable: {exc}")
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    try:
        migrate(url)
        owner = make_engine(url)
        sync_catalog(owner, load_catalog())
        _prepare(owner, random.Random(2026))
        app = make_engine(url, role="radiant_app")
        yield World(owner, app, build_snapshot(app, CallabilityCheck()), markup_book(app))
        owner.dispose()
        app.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _sql(world: World, c: SelectionCriteria) -> list[dict[str, Any]]:
    params = {
        "task": c.task.value,
        "inputs": c.input_modalities,
        "outputs": c.output_modalities,
        "tier": c.tier,
        "hosting": c.hosting.value,
        "caps": c.required_capabilities,
        "context": c.min_context_window,
        "hipaa": "HIPAA" in c.compliance,
        "tokens_in": c.estimated_input_tokens,
        "tokens_out": c.estimated_output_tokens,
        "deprecated": c.allow_deprecated,
        "limit": c.limit,
    }
    with world.app.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(CALL, params)]


def _memory(world: World, c: SelectionCriteria) -> list[tuple[str, str, Decimal | None]]:
    everything = c.model_copy(update={"include_uncallable": True})
    found = select(world.snapshot, everything, markups=world.book)
    return [(x.model_id, x.hosting_type.value, x.price_per_request) for x in found.candidates]


def _vocabulary(snapshot: Snapshot) -> tuple[list[str], list[str], list[str]]:
    inputs, outputs, caps = set(), set(), set()
    for entry in snapshot.entries:
        inputs.update(entry.model.input_modalities)
        outputs.update(entry.model.output_modalities)
        caps.update(entry.model.capabilities)
    return sorted(inputs), sorted(outputs), sorted(caps)


def _random_criteria(rnd: random.Random, snapshot: Snapshot) -> SelectionCriteria:
    """Mostly criteria a real model meets (so most have answers), some from anywhere."""
    inputs, outputs, caps = _vocabulary(snapshot)
    live = [e.model for e in snapshot.entries if e.routes and not e.model.is_deprecated]
    model = rnd.choice(live) if rnd.random() < 0.8 else None
    task = model.primary_task if model else rnd.choice(list(Task))

    def some(pool: list[str], own: list[str] | None) -> list[str]:
        source = own if model is not None and rnd.random() < 0.9 else pool
        return rnd.sample(source or [], k=min(len(source or []), rnd.choice([0, 0, 1, 1, 2])))

    windows: list[int | None] = [None, None, 0, 4_096, 32_000, 128_000, 1_000_000]
    if model is not None and rnd.random() < 0.7:
        windows = [None, model.context_window, (model.context_window or 0) // 2]
    return SelectionCriteria(
        task=task,
        input_modalities=some(inputs, model.input_modalities if model else None),
        output_modalities=some(outputs, model.output_modalities if model else None),
        tier=rnd.choice([None, 1, 2, 3, 4, 5, 5]),
        hosting=rnd.choice([HostingPreference.ANY] * 3 + list(HostingPreference)),
        required_capabilities=some(caps, model.capabilities if model else None),
        min_context_window=rnd.choice(windows),
        compliance=["HIPAA"] if rnd.random() < 0.1 else [],
        estimated_input_tokens=rnd.choice([0, 1, 1_000, 7_777, 250_000]),
        estimated_output_tokens=rnd.choice([0, 500, 4_096, 100_000]),
        allow_deprecated=rnd.random() < 0.3,
        limit=rnd.choice([1, 3, 10, 50]),
    )


def test_select_model_ranks_as_the_in_memory_selection(world: World) -> None:
    rnd = random.Random(7)
    answered = empty = 0
    for _ in range(600):
        criteria = _random_criteria(rnd, world.snapshot)
        rows = _sql(world, criteria)
        ours = _memory(world, criteria)
        theirs = [
            (r["model_id"], r["hosting_type"], r["estimated_price_per_request"]) for r in rows
        ]
        assert theirs == ours, criteria
        if ours:
            answered += 1
        else:
            empty += 1
    # the comparison covered both outcomes, plentifully
    assert answered >= 200 and empty >= 40, (answered, empty)


def test_the_in_memory_side_also_skips_uncallable_routes(world: World) -> None:
    """What the SQL function cannot know: without ``include_uncallable`` only the routes
    this process can call are candidates (here, with no credential set, only the local
    routes that need none)."""
    snapshot = world.snapshot
    assert snapshot.uncallable  # most routes: no key in this environment, or no adapter
    criteria = SelectionCriteria(task=Task.CHAT, limit=1000)
    callable_only = select(snapshot, criteria, markups=world.book).candidates
    assert all(snapshot.not_callable(c.route) is None for c in callable_only)
    assert len(_memory(world, criteria)) > len(callable_only)


def test_hand_checked_cases(world: World) -> None:
    snapshot = world.snapshot
    # 1. thermal first: a HOT self-hosted chat model beats every external one
    with world.owner.begin() as conn:
        hot = conn.execute(
            text(
                "SELECT model_id FROM unified_model_registry WHERE hosting_type = 'self_hosted'"
                " AND primary_mode = 'chat' ORDER BY model_id LIMIT 1"
            )
        ).scalar_one()
        tier = conn.execute(
            text("SELECT min_tier FROM models WHERE id = :m"), {"m": hot}
        ).scalar_one()
        conn.execute(
            text(
                "INSERT INTO thermal_states (model_id, current_state, is_transitioning,"
                " instance_count, updated_at) VALUES (:m, 'HOT', false, 1, now())"
                " ON CONFLICT (model_id) DO UPDATE SET current_state = 'HOT'"
            ),
            {"m": hot},
        )
    params = {"task": "chat", "inputs": ["text"], "outputs": ["text"], "tier": 5}
    with world.app.connect() as conn:
        first = conn.execute(SEED_CALL, params).mappings().first()
        assert first is not None
        assert (first["model_id"], first["thermal_state"], first["health_status"]) == (
            hot,
            "HOT",
            "healthy",
        )
        assert first["warmup_required"] is False
        # below the model's tier the self-hosted row is not offered
        if tier > 1:
            rows = conn.execute(SEED_CALL, {**params, "tier": tier - 1}).mappings().all()
            assert hot not in [r["model_id"] for r in rows]

        # 2. an unhealthy provider's models are never chosen; in-memory agrees
        unhealthy = (
            conn.execute(
                text(
                    "SELECT DISTINCT provider_id FROM unified_model_registry"
                    " WHERE health_status = 'unhealthy'"
                )
            )
            .scalars()
            .all()
        )
        assert unhealthy  # the random health put at least one provider down
        everything = (
            conn.execute(
                CALL,
                {
                    **params,
                    "tier": None,
                    "hosting": "any",
                    "caps": [],
                    "context": None,
                    "hipaa": False,
                    "tokens_in": 1000,
                    "tokens_out": 500,
                    "deprecated": True,
                    "limit": 1000,
                },
            )
            .mappings()
            .all()
        )
        assert not {r["provider_name"] for r in everything} & set(unhealthy)

        # 3. the price of a request: (1000 × input + 500 × output) / 1M × (1 + 40 %)
        row = (
            conn.execute(
                text(
                    "SELECT model_id, route_id FROM unified_model_registry WHERE"
                    " hosting_type = 'external' AND route_id IN (SELECT route_id"
                    " FROM unified_model_registry WHERE pricing_type = 'per_token'"
                    " AND markup_percent = 40 AND input_cost_per_1m > 0) ORDER BY model_id LIMIT 1"
                )
            )
            .mappings()
            .one()
        )
        entry = snapshot.resolve(row["model_id"])
        sheet = load_catalog().routes[row["route_id"]].price  # the catalog file's numbers
        assert sheet is not None and sheet.input_per_1m is not None
        expected = (
            (1000 * sheet.input_per_1m + 500 * (sheet.output_per_1m or 0))
            / Decimal(1_000_000)
            * Decimal("1.4")
        )
        priced = (
            conn.execute(
                CALL,
                {
                    "task": entry.task.value,
                    "inputs": [],
                    "outputs": [],
                    "tier": None,
                    "hosting": "external",
                    "caps": [],
                    "context": None,
                    "hipaa": False,
                    "tokens_in": 1000,
                    "tokens_out": 500,
                    "deprecated": True,
                    "limit": 1000,
                },
            )
            .mappings()
            .all()
        )
        [mine] = [r for r in priced if r["model_id"] == row["model_id"]]
        assert mine["estimated_price_per_request"] == expected

        # 4. a model markup override wins over the provider's and the default
        overridden = conn.execute(
            text(
                "SELECT u.markup_percent FROM unified_model_registry u JOIN markup_overrides o"
                " ON o.scope = 'model' AND o.target_id = u.model_id AND o.expires_at IS NULL"
            )
        ).scalar_one()
        assert overridden == Decimal(5)


def test_the_seed_view_and_function_go_away_on_downgrade(postgres_db: str) -> None:
    migrate(postgres_db)
    engine = make_engine(postgres_db)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM unified_model_registry")).scalar() == 0
        assert (
            conn.execute(SEED_CALL, {"task": "chat", "inputs": [], "outputs": [], "tier": 1}).all()
            == []
        )
    downgrade(postgres_db, "0004")
    with engine.connect() as conn:
        found = (
            conn.execute(
                text(
                    "SELECT count(*) FROM pg_proc WHERE proname = 'select_model'"
                    " UNION ALL SELECT count(*) FROM pg_views"
                    " WHERE viewname = 'unified_model_registry'"
                )
            )
            .scalars()
            .all()
        )
    assert found == [0, 0]
    engine.dispose()
