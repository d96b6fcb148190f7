"""Migrations: blank -> head, no drift between tables and migrations, head -> base."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text

from radiant.store.engine import make_engine
from radiant.store.migrate import alembic_config, current_revision, downgrade, upgrade
from radiant.store.schema import metadata

SEED_TABLES = {
    "providers",
    "models",
    "self_hosted_models",
    "platforms",
    "routes",
    "price_history",
    "provider_health",
    "thermal_states",
    "registry_sync_log",
    "routing_rules",
    "usage_events",
    "usage_rollups",
    "invoices",
}


def test_upgrade_check_downgrade(db_url: str) -> None:
    engine = make_engine(db_url)
    assert current_revision(engine) is None

    upgrade(db_url)
    tables = set(inspect(engine).get_table_names())
    assert tables >= SEED_TABLES
    assert set(metadata.tables) <= tables
    assert current_revision(engine) is not None

    # raises when the models and the migrations disagree
    command.check(alembic_config(db_url))

    downgrade(db_url, "base")
    left = set(inspect(engine).get_table_names()) - {"alembic_version"}
    assert left == set()

    upgrade(db_url)  # and back up again, cleanly
    assert set(inspect(engine).get_table_names()) >= SEED_TABLES
    engine.dispose()


def test_usage_events_keep_their_rows_across_0011(db_url: str) -> None:
    """0011 makes the gateway's own id the key: an event of before keeps its request id as
    its id, and events sharing a request id (allowed from 0011 on) survive a downgrade."""
    upgrade(db_url, "0010")
    engine = make_engine(db_url)
    row = {
        "tenant_id": "t",
        "model_id": "m",
        "provider_id": "p",
        "endpoint": "chat",
        "input_tokens": 1,
        "output_tokens": 2,
        "cached_tokens": 0,
        "images": 0,
        "seconds": 0,
        "minutes": 0,
        "base_cost": 0,
        "billed_price": "0.5",
        "status": "success",
        "created_at": "2026-11-30 12:00:00+00:00",
    }
    columns = ", ".join(row)
    values = ", ".join(f":{name}" for name in row)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(f"INSERT INTO usage_events (request_id, {columns}) VALUES ('old', {values})"),
                row,
            )
        upgrade(db_url)
        with engine.begin() as conn:
            assert conn.execute(
                text("SELECT id, request_id, usage_estimated FROM usage_events")
            ).all() == [("old", "old", False)]
            for new in ("n1", "n2"):  # two events of one request id
                conn.execute(
                    text(
                        f"INSERT INTO usage_events (id, request_id, usage_estimated, {columns})"
                        f" VALUES ('{new}', 'shared', false, {values})"
                    ),
                    row,
                )
        downgrade(db_url, "0010")
        with engine.begin() as conn:
            ids = conn.execute(text("SELECT request_id FROM usage_events")).scalars().all()
        assert sorted(ids) == ["n1", "n2", "old"]
    finally:
        engine.dispose()
