"""PostgreSQL LISTEN/NOTIFY: refresh the snapshot as soon as another process writes.

Every write bumps the registry version and sends ``NOTIFY radiant_registry`` in the same
transaction; this thread listens on its own connection and rebuilds the snapshot when a
notification arrives. On SQLite there is no listener: the facade's cheap version check
does the job.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy import Engine

from radiant.store.repository import NOTIFY_CHANNEL

__all__ = ["VersionListener"]

log = logging.getLogger(__name__)


class VersionListener:
    def __init__(self, engine: Engine, on_change: Callable[[int], None]) -> None:
        self.engine = engine
        self.on_change = on_change
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, timeout: float = 5.0) -> None:
        self._thread = threading.Thread(target=self._run, name="radiant-listen", daemon=True)
        self._thread.start()
        self._ready.wait(timeout)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _conninfo(self) -> str:
        url = self.engine.url.set(drivername="postgresql")
        return url.render_as_string(hide_password=False)

    def _run(self) -> None:
        import psycopg  # the PostgreSQL driver: not loaded by a process on SQLite

        while not self._stop.is_set():
            try:
                with psycopg.connect(self._conninfo(), autocommit=True) as conn:
                    conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    self._ready.set()
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=0.5, stop_after=1):
                            self.on_change(int(note.payload) if note.payload.isdigit() else -1)
            except (
                psycopg.Error,
                OSError,
            ) as exc:  # the connection dropped: log, wait, listen again
                log.warning("registry listener: %s; retrying", exc)
                self._ready.set()
                self._stop.wait(2.0)
