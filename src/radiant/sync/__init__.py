"""Keeping the registry current: catalog sync (discovery, pricing and health come later)."""

from radiant.sync.catalog_sync import SyncReport, sync_catalog

__all__ = ["SyncReport", "sync_catalog"]
