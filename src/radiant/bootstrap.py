"""Wiring: settings -> engine -> registry facade. Nothing here runs at import time."""

from __future__ import annotations

from radiant.registry.service import Registry
from radiant.settings import Settings
from radiant.store.engine import make_engine

__all__ = ["open_registry"]


def open_registry(settings: Settings) -> Registry:
    engine = make_engine(settings.database_url, role=settings.database_role or None)
    return Registry(
        engine,
        check_interval=settings.snapshot_check_interval,
        catalog_dir=settings.catalog_dir,
        background=settings.snapshot_background_refresh,
    )
