"""Keeping the registry current: catalog sync (discovery, pricing and health come later)."""

from radiant.sync.catalog_sync import SyncReport, fail_sync_log, start_sync_log, sync_catalog

__all__ = ["SyncReport", "fail_sync_log", "start_sync_log", "sync_catalog"]
