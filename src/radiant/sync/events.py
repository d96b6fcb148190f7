"""``RegistrySyncCompleted``: what every finished sync run announces (to subscribers and webhooks).

The runner publishes one event per run, after its log row is written, whatever the
outcome (``completed``, ``failed``). In-process subscribers (:func:`subscribe`) are
called in the thread that ran the sync, in the order they subscribed; one that raises
is logged and never fails the sync. Configured webhooks get the same event as JSON
(:mod:`radiant.sync.webhooks`), delivered by threads of their own.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from radiant.store.tables import SyncLogRow

__all__ = ["RegistrySyncCompleted", "Subscriber", "publish", "subscribe"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RegistrySyncCompleted:
    sync_id: str
    sync_type: str
    status: str
    counts: dict[str, int]
    duration_ms: int
    started_at: datetime
    completed_at: datetime
    trigger: str | None = None
    errors: list[str] = field(default_factory=list)
    error_message: str | None = None
    #: unique per event; a webhook receiver can drop a delivery it saw before
    event_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    name: ClassVar[str] = "RegistrySyncCompleted"
    source: ClassVar[str] = "radiant.registry"

    @classmethod
    def from_row(cls, row: SyncLogRow, counts: dict[str, int]) -> RegistrySyncCompleted:
        return cls(
            sync_id=row.id,
            sync_type=row.sync_type,
            status=row.status,
            counts=dict(counts),
            duration_ms=row.duration_ms or 0,
            started_at=row.started_at,
            completed_at=row.completed_at or row.started_at,
            trigger=row.trigger,
            errors=list(row.errors or []),
            error_message=row.error_message,
        )

    def as_dict(self) -> dict[str, Any]:
        """The JSON a webhook receives."""
        return {
            "id": self.event_id,
            "type": self.name,
            "source": self.source,
            "time": self.completed_at.isoformat(),
            "data": {
                "sync_id": self.sync_id,
                "sync_type": self.sync_type,
                "status": self.status,
                "trigger": self.trigger,
                "counts": dict(self.counts),
                "errors": list(self.errors),
                "error_message": self.error_message,
                "duration_ms": self.duration_ms,
                "started_at": self.started_at.isoformat(),
                "completed_at": self.completed_at.isoformat(),
            },
        }


Subscriber = Callable[[RegistrySyncCompleted], None]

_subscribers: list[Subscriber] = []
_lock = threading.Lock()


def subscribe(callback: Subscriber) -> Callable[[], None]:
    """Call ``callback`` with every event of this process; returns the unsubscribe."""
    with _lock:
        _subscribers.append(callback)

    def unsubscribe() -> None:
        with _lock:
            if callback in _subscribers:
                _subscribers.remove(callback)

    return unsubscribe


def publish(event: RegistrySyncCompleted) -> None:
    """Hand ``event`` to every subscriber; a subscriber's error is logged, not raised."""
    with _lock:
        subscribers = list(_subscribers)
    for callback in subscribers:
        try:
            callback(event)
        except Exception:
            logger.exception("a RegistrySyncCompleted subscriber failed (sync %s)", event.sync_id)
