"""Every table of Radiant, gathered on one ``MetaData`` for Alembic and the tests."""

from __future__ import annotations

from sqlalchemy import MetaData

from radiant.store import (
    admin_tables,
    billing_tables,
    discovery_tables,
    health_tables,
    pricing_sync_tables,
    pricing_tables,
    tables,
    tenant_tables,
)

__all__ = ["metadata"]

_MODULES = (
    tables,
    tenant_tables,
    admin_tables,
    pricing_tables,
    discovery_tables,
    health_tables,
    pricing_sync_tables,
    billing_tables,
)
metadata: MetaData = tables.Base.metadata
