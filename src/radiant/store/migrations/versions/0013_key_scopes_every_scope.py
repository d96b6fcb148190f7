"""tenant API keys issued without scopes keep every scope, now that scopes are checked

Revision ID: 0013
Revises: 0012

Until scopes were enforced, a key issued without ``--scope`` was stored with the old
default (``chat``, ``models``, ``embeddings``) and could call every endpoint all the same.
Scopes are checked now, and a key stored with no scopes may use every one; so that such
keys keep working as they did (images and audio included), the rows holding exactly the
old default are given none. A key issued with other scopes keeps them, and now has only
them. Data only: no table changes. The downgrade gives keys without scopes the old
default back.

On PostgreSQL ``tenant_api_keys`` has forced row-level security: the migration sees the
rows through the administrator bypass of migration 0002, for its own transaction only.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_OLD_DEFAULT = ["chat", "models", "embeddings"]

_keys = sa.table("tenant_api_keys", sa.column("id", sa.String), sa.column("scopes", sa.JSON))


def _scopes(value: Any) -> list[str]:
    if isinstance(value, str):  # a driver that hands JSON back as text
        value = json.loads(value)
    return list(value or [])


def _rewrite(old: list[str] | None, new: list[str]) -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        bind.execute(sa.text("SELECT set_config('app.admin_bypass', 'on', true)"))
    rows = bind.execute(sa.select(_keys.c.id, _keys.c.scopes)).all()
    for key_id, scopes in rows:
        current = _scopes(scopes)
        if (current == old) if old is not None else not current:
            bind.execute(_keys.update().where(_keys.c.id == key_id).values(scopes=new))


def upgrade() -> None:
    _rewrite(_OLD_DEFAULT, [])


def downgrade() -> None:
    _rewrite(None, _OLD_DEFAULT)
