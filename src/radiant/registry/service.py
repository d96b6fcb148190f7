"""The registry facade: reads come from the current snapshot, writes go through the store.

A process keeps one snapshot. It checks the registry version at most every
``check_interval`` seconds (a one-row query) and rebuilds when another process wrote.
Every build asks ``route_check`` (a factory of :data:`~radiant.registry.snapshot.RouteCheck`,
by default :class:`~radiant.providers.callability.CallabilityCheck` on this process's
environment) which routes this process can call, and runs the ``prepare`` hooks (see
:meth:`Registry.prepare`) before the snapshot is served.

Readers never wait for another reader's rebuild: while one is under way they get the
snapshot in force. With ``background=True`` (what ``radiant serve`` uses) a change noticed
by the version check is built on a thread of its own and served once ready, so no request
waits for a rebuild; a write made through this process (:meth:`Registry.invalidate` with
its version, :meth:`Registry.refresh`) still waits for the snapshot that shows it.
"""

from __future__ import annotations

import gc
import logging
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from radiant.domain import HostingType, Route
from radiant.errors import NotFoundError
from radiant.providers.callability import CallabilityCheck
from radiant.registry.entry import ModelEntry
from radiant.registry.listener import VersionListener
from radiant.registry.query import ModelQuery
from radiant.registry.snapshot import Page, RouteCheck, Snapshot
from radiant.registry.views import search, unified_rows
from radiant.store import repository

if TYPE_CHECKING:
    from radiant.registry.listener import VersionListener

__all__ = ["Registry", "build_snapshot"]

log = logging.getLogger(__name__)

#: how soon (s) a thread that asks for the interpreter lock gets it while a snapshot is
#: built on another thread: Python's default of 5 ms, paid at every socket read and
#: write of a request being served meanwhile, made one select wait a quarter of a second
_BUILD_SWITCH_INTERVAL = 0.0005


class _SwitchInterval:
    """Hands the interpreter lock over sooner while any build runs beside the serving
    thread (the setting is process-wide: the first build in lowers it, the last out
    puts back what it was)."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._builds = 0
        self._saved = sys.getswitchinterval()

    @contextmanager
    def lowered(self) -> Iterator[None]:
        with self._guard:
            if self._builds == 0:
                self._saved = sys.getswitchinterval()
                sys.setswitchinterval(min(self._saved, _BUILD_SWITCH_INTERVAL))
            self._builds += 1
        try:
            yield
        finally:
            with self._guard:
                self._builds -= 1
                if self._builds == 0:
                    sys.setswitchinterval(self._saved)


_sharing_the_interpreter = _SwitchInterval().lowered


def build_snapshot(
    engine: Engine, route_check: RouteCheck | None = None, previous: Snapshot | None = None
) -> Snapshot:
    """The registry in ``engine`` as a snapshot; ``route_check`` decides which routes are
    callable (None: every one). Given the ``previous`` snapshot, only the models changed
    since its version are read from the database (when the change records say which);
    the others, and their routes, are taken from it as they are (they are immutable)."""
    # Building allocates many small objects that all live on; pausing the cyclic collector
    # while it runs saves about a third of the time on large registries.
    enabled = gc.isenabled()
    gc.disable()
    try:
        data = repository.read_registry(
            engine, since=None if previous is None else previous.version
        )
        models, routes = data.models, data.routes
        if data.changed is not None and previous is not None:
            kept = [e for e in previous.entries if e.model.id not in data.changed]
            models = [e.model for e in kept] + models
            routes = [r for e in kept for r in e.routes] + routes
        return Snapshot.build(
            data.version,
            data.platforms,
            data.providers,
            models,
            routes,
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
        background: bool = False,
    ) -> None:
        self.engine = engine
        #: makes the check of one snapshot build (a new one each build: keys may be set since)
        self.route_check = route_check
        #: the catalog a sync started through the API applies (None: the built-in one)
        self.catalog_dir = catalog_dir
        self.check_interval = check_interval
        #: rebuild on a thread of its own when the version check finds a change
        self.background = background
        self._snapshot: Snapshot | None = None
        self._checked_at = float("-inf")
        #: held while a snapshot is built (one build at a time)
        self._lock = threading.Lock()
        self._listener: VersionListener | None = None
        self._prepare: list[Callable[[Snapshot], object]] = []
        self._refresher: threading.Thread | None = None

    # ------------------------------------------------------------------ snapshot

    def prepare(self, hook: Callable[[Snapshot], object]) -> None:
        """Run ``hook`` on every snapshot built from now on, before it is served: what a
        reader would otherwise derive on first use (e.g. the selection index) is then
        ready when the snapshot is. Registering the same hook again does nothing."""
        if hook not in self._prepare:
            self._prepare.append(hook)

    @property
    def served(self) -> Snapshot | None:
        """The snapshot in force, without a version check (None before the first build)."""
        return self._snapshot

    def snapshot(self) -> Snapshot:
        current = self._snapshot
        if current is not None and time.monotonic() - self._checked_at < self.check_interval:
            return current
        if current is None:
            self._lock.acquire()  # nothing to serve yet: wait for the first build
        elif not self._lock.acquire(blocking=False):
            return current  # a rebuild is under way: serve the snapshot in force meanwhile
        try:
            current = self._snapshot
            if current is not None and time.monotonic() - self._checked_at < self.check_interval:
                return current
            if current is not None and self.background:
                if repository.registry_version(self.engine) != current.version:
                    self._refresh_in_background()
                self._checked_at = time.monotonic()
                return current
            return self._catch_up()
        finally:
            self._lock.release()

    def _catch_up(self) -> Snapshot:
        """The snapshot of the registry's version now, built if it is not the one in force
        (called with the lock held)."""
        current = self._snapshot
        if current is None or current.version != repository.registry_version(self.engine):
            current = self._snapshot = self._build(current)
        self._checked_at = time.monotonic()
        return current

    def _build(self, previous: Snapshot | None = None) -> Snapshot:
        snapshot = build_snapshot(self.engine, self.route_check(), previous)
        for hook in self._prepare:
            hook(snapshot)
        return snapshot

    def _refresh_in_background(self) -> None:
        """Start the one refresher thread unless it runs (called with the lock held)."""
        if self._refresher is not None and self._refresher.is_alive():
            return
        self._refresher = threading.Thread(
            target=self._background_refresh, name="radiant-snapshot", daemon=True
        )
        self._refresher.start()

    def _background_refresh(self) -> None:
        try:
            with self._lock, _sharing_the_interpreter():
                self._catch_up()
        except Exception:  # a thread's last resort: log it and keep serving the old one
            log.exception("snapshot rebuild failed; serving version %s until the next check",
                          getattr(self._snapshot, "version", None))  # fmt: skip

    def wait_for_refresh(self, timeout: float | None = None) -> None:
        """Until a background rebuild under way is served (tests, benchmarks, shutdown)."""
        refresher = self._refresher
        if refresher is not None:
            refresher.join(timeout)

    def invalidate(self, version: int = -1) -> None:
        """A write reached ``version`` (-1: unknown): rebuild now unless already that
        fresh; returns once the snapshot shows it."""
        current = self._snapshot
        if current is not None and version >= 0 and current.version >= version:
            return
        with self._lock:
            current = self._snapshot
            if current is None or version < 0 or current.version < version:
                self._catch_up()

    def start_listening(self) -> None:
        """On PostgreSQL, refresh as soon as another process writes (LISTEN/NOTIFY)."""
        if self.engine.dialect.name != "postgresql" or self._listener is not None:
            return

        self._listener = VersionListener(self.engine, self._invalidate_beside_the_server)
        self._listener.start()

    def _invalidate_beside_the_server(self, version: int) -> None:
        """The listener's thread rebuilds while requests are served on another."""
        with _sharing_the_interpreter():
            self.invalidate(version)

    def stop_listening(self) -> None:
        if self._listener is not None:
            self._listener.stop()
            self._listener = None

    def refresh(self) -> Snapshot:
        """Rebuild now, whatever the version says."""
        with self._lock:
            self._snapshot = self._build()
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

    def sync_run(self, sync_id: str) -> dict[str, Any]:
        run = repository.sync_run(self.engine, sync_id)
        if run is None:
            raise NotFoundError("sync", sync_id)
        return run
