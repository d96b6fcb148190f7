"""Keeping the registry current.

Jobs (:mod:`radiant.sync.jobs`: catalog, discovery, health, thermal, pricing) are run by
name by :mod:`radiant.sync.runner` (sync log, progress, the ``RegistrySyncCompleted``
event of :mod:`radiant.sync.events`, webhooks), on the schedules of
:mod:`radiant.sync.scheduler` or from the CLI and API.
"""

from radiant.sync.catalog_sync import SyncReport, fail_sync_log, start_sync_log, sync_catalog

__all__ = ["SyncReport", "fail_sync_log", "start_sync_log", "sync_catalog"]
