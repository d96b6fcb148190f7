"""Migrations: blank -> head, no drift between tables and migrations, head -> base."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

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
