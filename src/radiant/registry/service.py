"""The registry facade: reads come from the current snapshot, writes go through the store.

A process keeps one snapshot. It checks the registry version at most every
``check_interval`` seconds (a one-row query) and rebuilds when another process wrote.
Every build asks ``route_check`` (a factory of :data:`~radiant.registry.snapshot.RouteCheck`,
by default :class:`~radiant.providers.callability.CallabilityCheck` on this process's
environment) which routes this process can call.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from radiant.catalog import load_catalog
from radiant.domain import HostingType, Route
from radiant.errors import ConflictError, NotFoundError, RadiantError
from radiant.providers.callability import CallabilityCheck
from radiant.registry.entry import ModelEntry
from radiant.registry.query import ModelQuery
from radiant.registry.snapshot import Page, RouteCheck, Snapshot
from radiant.registry.views import search, unified_rows
from radiant.store import repository
from radiant.sync import SyncReport, fail_sync_log, start_sync_log, sync_catalog

if TYPE_CHECKING:
    from radiant.registry.listener import VersionListener

__all__ = ["SYNC_STALE_AFTER", "Registry", "build_snapshot"]

#: A sync still "running" after this long is taken for a crashed run.
SYNC_STALE_AFTER = timedelta(minutes=15)


def build_snapshot(engine: Engine, route_check: RouteCheck | None = None) -> Snapshot:
    """The registry in ``engine`` as a snapshot; ``route_check`` decides which routes are
    callable (None: every one)."""
    # Building allocates many small objects that all live on; pausing the cyclic collector
    # while it runs saves about a third of the time on large registries.
    enabled = gc.isenabled()
    gc.disable()
    try:
        data = repository.read_registry(engine)
        return Snapshot.build(
            data.version,
            data.platforms,
            data.providers,
            data.models,
            data.routes,
            data.health,
            data.thermal,
            route_check,
        )
    finally:
        if enabled:
            gc.enable()


class Registry:
    def __init__(
        self,
        engine: Engine,
        *,
        check_interval: float = 0.5,
        catalog_dir: Path | None = None,
        route_check: Callable[[], RouteCheck] = CallabilityCheck,
    ) -> None:
        self.engine = engine
        #: makes the check of one snapshot build (a new one each build: keys may be set since)
        self.route_check = route_check
        #: the catalog a sync started through the API applies (None: the built-in one)
        self.catalog_dir = catalog_dir
        self.check_interval = check_interval
        self._snapshot: Snapshot | None = None
        self._checked_at = float("-inf")
        self._lock = threading.Lock()
        self._sync_lock = threading.Lock()
        self._listener: VersionListener | None = None

    # ------------------------------------------------------------------ snapshot

    def snapshot(self) -> Snapshot:
        current = self._snapshot
        now = time.monotonic()
        if current is not None and now - self._checked_at < self.check_interval:
            return current
        with self._lock:
            current = self._snapshot
            if current is not None and time.monotonic() - self._checked_at < self.check_interval:
                return current
            version = repository.registry_version(self.engine)
            if current is None or current.version != version:
                current = build_snapshot(self.engine, self.route_check())
                self._snapshot = current
            self._checked_at = time.monotonic()
            return current

    def invalidate(self, version: int = -1) -> None:
        """Another process wrote (``version``): rebuild now unless already that fresh."""
        current = self._snapshot
        if current is not None and version >= 0 and current.version >= version:
            return
        self._checked_at = float("-inf")
        self.snapshot()

    def start_listening(self) -> None:
        """On PostgreSQL, refresh as soon as another process writes (LISTEN/NOTIFY)."""
        if self.engine.dialect.name != "postgresql" or self._listener is not None:
            return
        from radiant.registry.listener import VersionListener

        self._listener = VersionListener(self.engine, self.invalidate)
        self._listener.start()

    def stop_listening(self) -> None:
        if self._listener is not None:
            self._listener.stop()
            self._listener = None

    def refresh(self) -> Snapshot:
        """Rebuild now, whatever the version says."""
        with self._lock:
            self._snapshot = build_snapshot(self.engine, self.route_check())
            self._checked_at = time.monotonic()
            return self._snapshot

    # ------------------------------------------------------------------ reads

    def list_models(self, query: ModelQuery) -> Page:
        return self.snapshot().list(query)

    def get_model(self, name: str) -> ModelEntry:
        return self.snapshot().resolve(name)

    def model_routes(self, name: str) -> tuple[Route, ...]:
        return self.get_model(name).routes

    def search(self, text: str, limit: int = 20) -> list[ModelEntry]:
        return search(self.snapshot(), text, limit)

    def capability_matrix(self) -> dict[str, list[str]]:
        return self.snapshot().capability_matrix()

    def unified(
        self,
        *,
        category: str | None = None,
        hosting_type: HostingType | None = None,
        enabled: bool | None = None,
    ) -> list[dict[str, Any]]:
        return unified_rows(
            self.snapshot(), category=category, hosting_type=hosting_type, enabled=enabled
        )

    def stats(self) -> dict[str, Any]:
        return self.snapshot().stats()

    def sync_history(
        self,
        limit: int = 50,
        *,
        sync_type: str | None = None,
        status: str | None = None,
        offset: int = 0,
    ) -> tuple[list[dict[str, Any]], int]:
        """Sync runs, newest first (of one type and/or status), and how many match."""
        rows = repository.sync_history(
            self.engine, limit, sync_type=sync_type, status=status, offset=offset
        )
        total = repository.count_sync_runs(self.engine, sync_type=sync_type, status=status)
        return rows, total

    # ------------------------------------------------------------------ writes

    def sync_catalog(
        self, directory: Path | None = None, *, sync_id: str | None = None
    ) -> SyncReport:
        """Load and apply a catalog now; ``sync_id`` continues :meth:`start_catalog_sync`."""
        source = str(directory) if directory else "builtin"
        try:
            catalog = load_catalog(directory)
        except RadiantError as exc:
            if sync_id is not None:
                fail_sync_log(self.engine, sync_id, str(exc))
            raise
        report = sync_catalog(self.engine, catalog, source=source, sync_id=sync_id)
        self.refresh()
        return report

    def start_catalog_sync(self, directory: Path | None = None) -> str:
        """Record a catalog sync as running and return its id; run it with :meth:`sync_catalog`.

        Raises ConflictError while another catalog sync started in the last
        ``SYNC_STALE_AFTER`` is still running (an older "running" row is a crashed run).
        """
        since = datetime.now(UTC) - SYNC_STALE_AFTER
        with self._sync_lock:
            running = repository.running_sync(self.engine, "catalog", since)
            if running is not None:
                raise ConflictError(f"catalog sync {running} is still running")
            return start_sync_log(self.engine, source=str(directory) if directory else "builtin")

    def sync_run(self, sync_id: str) -> dict[str, Any]:
        run = repository.sync_run(self.engine, sync_id)
        if run is None:
            raise NotFoundError("sync", sync_id)
        return run
