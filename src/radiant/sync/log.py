"""The ``registry_sync_log`` rows of runs: start, heartbeat and progress, finish, reap.

A run is written ``running`` with its owner (``host:pid``) before its job starts, and
``completed``, ``failed`` or ``abandoned`` after. While it runs a heartbeat thread
(:class:`Monitor`) writes ``heartbeat_at`` and the progress the job reports, so the API
can show how far it got and a later process can tell a live run from a dead one.

A job writes its counts into the row **in its own transaction**, just before it commits
(:func:`record_committed`, through ``JobContext.record``): the row then commits with the
changes it describes, marked ``details.committed`` (when, and whether that was the job's
last change, ``final``). The run's normal end (:func:`finish_run`) writes over it.

A run whose process is gone is reaped: a process of this host whose pid no longer
exists; a process of another host that wrote no heartbeat for ``stale_after``; or any run
silent for :data:`UNTRACKED_STALE_AFTER` (rows written without a heartbeat, a process that
hangs). The next run of any type, and the start of ``radiant serve``, reap those rows
(:func:`reap_abandoned`): ``completed`` when its final changes had committed (the counts
are those of that commit, ``details.recovered`` says what happened), else ``abandoned``,
keeping the counts of whatever part did commit.

A scheduled slot is **done** (:func:`slot_state`) once a run of its type started at or
after the slot's time and completed, or failed on its own (not by an interruption, which
``details.interrupted`` marks); an abandoned run leaves it open.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from radiant.domain import SyncStatus
from radiant.errors import ConflictError
from radiant.store.engine import session_scope
from radiant.store.repository import store_errors
from radiant.store.tables import SyncLogRow, utcnow

__all__ = [
    "COMMITTED",
    "COUNT_COLUMNS",
    "INTERRUPTED",
    "RECOVERED",
    "UNTRACKED_STALE_AFTER",
    "Monitor",
    "RunOutcome",
    "SlotState",
    "current_owner",
    "finish_run",
    "reap_abandoned",
    "record_committed",
    "slot_state",
    "start_run",
    "update_details",
]

logger = logging.getLogger(__name__)

#: counts that have a column of their own; any other count goes to ``details.counts``
COUNT_COLUMNS = (
    "providers_updated",
    "models_added",
    "models_updated",
    "models_deprecated",
    "routes_added",
    "routes_updated",
    "prices_changed",
)
#: a running row without a heartbeat is taken for dead after this long
UNTRACKED_STALE_AFTER = timedelta(minutes=15)
#: ``details`` keys: the outcome a job committed with its changes (``{"at", "final"}``),
#: why a reaped run counts as completed, and the exception that interrupted a run
COMMITTED = "committed"
RECOVERED = "recovered"
INTERRUPTED = "interrupted"
#: a scheduled slot: a run covered it, one of its type is running now, or neither
SlotState = Literal["done", "running", "open"]

_start_lock = threading.Lock()


def current_owner() -> str:
    """This process, as the sync log names it (computed each time: a fork changes the pid)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def start_run(
    engine: Engine,
    sync_type: str,
    *,
    trigger: str,
    source: str | None,
) -> str:
    """Record a new run as running and return its id (reap dead runs first:
    :func:`reap_abandoned`). Raises ConflictError while another run of ``sync_type`` is
    running (one run per type)."""
    sync_id = str(uuid.uuid4())
    now = utcnow()
    with _start_lock, store_errors(), session_scope(engine) as session:
        running = session.execute(
            select(SyncLogRow.id)
            .where(SyncLogRow.sync_type == sync_type, SyncLogRow.status == "running")
            .limit(1)
        ).scalar()
        if running is not None:
            raise ConflictError(f"{sync_type} sync {running} is still running")
        session.add(
            SyncLogRow(
                id=sync_id,
                sync_type=sync_type,
                source=source,
                trigger=trigger,
                owner=current_owner(),
                started_at=now,
                heartbeat_at=now,
                errors=[],
            )
        )
    return sync_id


def reap_abandoned(engine: Engine, stale_after: timedelta) -> list[SyncLogRow]:
    """Close running rows whose process is gone; those rows, detached.

    A row whose job committed its final changes (``details.committed.final``) becomes
    ``completed`` with the counts of that commit; any other becomes ``abandoned``, keeping
    the counts of what did commit. A row is changed only while it is still ``running``: a
    run that finishes meanwhile keeps its outcome.
    """
    now = utcnow()
    with store_errors(), session_scope(engine) as session:
        candidates = [
            (row, reason)
            for row in session.execute(
                select(SyncLogRow).where(SyncLogRow.status == "running")
            ).scalars()
            if (reason := _dead(row, now, stale_after)) is not None
        ]
        reaped: list[str] = []
        for row, reason in candidates:
            result = session.execute(
                update(SyncLogRow)
                .where(SyncLogRow.id == row.id, SyncLogRow.status == "running")
                .values(**_reaped(row, reason, now))
                .execution_options(synchronize_session=False)
            )
            if result.rowcount:  # type: ignore[attr-defined]
                reaped.append(row.id)
    for sync_id in reaped:
        logger.warning("sync %s was left running by a process that is gone", sync_id)
    if not reaped:
        return []
    with store_errors(), Session(engine, expire_on_commit=False) as session:
        rows = list(session.execute(select(SyncLogRow).where(SyncLogRow.id.in_(reaped))).scalars())
        session.expunge_all()
    return rows


def _reaped(row: SyncLogRow, reason: str, now: datetime) -> dict[str, Any]:
    """The columns of a dead run: recovered when its final changes committed."""
    details = dict(row.details or {})
    committed = details.get(COMMITTED) or {}
    if not committed.get("final"):
        return {
            "status": SyncStatus.ABANDONED.value,
            "completed_at": now,
            "error_message": f"abandoned: {reason}",
        }
    at = _when(committed.get("at")) or now
    details[RECOVERED] = f"its changes had committed when {reason}"
    return {
        "status": SyncStatus.COMPLETED.value,
        "completed_at": at,
        "duration_ms": max(0, int((at - row.started_at).total_seconds() * 1000)),
        "error_message": None,
        "details": details,
    }


def _when(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def update_details(engine: Engine, sync_id: str, details: dict[str, Any]) -> None:
    """Merge ``details`` into a finished run's (what recovering it added)."""
    with store_errors(), session_scope(engine) as session:
        row = session.get(SyncLogRow, sync_id)
        if row is not None:
            row.details = {**(row.details or {}), **_jsonable(details)}


def slot_state(engine: Engine, sync_type: str, since: datetime) -> SlotState:
    """Whether a scheduled slot of ``sync_type`` due at ``since`` is done (see the module
    docstring), has a run of its type going, or is still open. A slot older than the whole
    sync log is done: nothing kept the registry then, so nothing was missed."""
    with store_errors(), Session(engine) as session:
        rows = session.execute(
            select(SyncLogRow.status, SyncLogRow.details).where(
                SyncLogRow.sync_type == sync_type, SyncLogRow.started_at >= since
            )
        ).all()
        running = session.execute(
            select(SyncLogRow.id)
            .where(SyncLogRow.sync_type == sync_type, SyncLogRow.status == "running")
            .limit(1)
        ).scalar()
        kept = session.execute(
            select(SyncLogRow.id).where(SyncLogRow.started_at < since).limit(1)
        ).scalar()
    for status, details in rows:
        if status == SyncStatus.COMPLETED.value:
            return "done"
        if status == SyncStatus.FAILED.value and INTERRUPTED not in (details or {}):
            return "done"
    if running is not None:
        return "running"
    return "open" if kept is not None else "done"


def _dead(row: SyncLogRow, now: datetime, stale_after: timedelta) -> str | None:
    alive = _alive_here(row.owner)
    if alive is False:
        return f"its process ({row.owner}) is gone"
    seen = row.heartbeat_at or row.started_at
    # a live process of this host may beat late (its job holding SQLite's write lock, say)
    quick = alive is None and row.heartbeat_at is not None
    if seen < now - (stale_after if quick else UNTRACKED_STALE_AFTER):
        return f"no heartbeat since {seen.isoformat()}"
    return None


def _alive_here(owner: str | None) -> bool | None:
    """Whether the owner, a process of this host, still runs; None when it is elsewhere."""
    host, _, pid = (owner or "").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return None  # another machine: only its heartbeat tells
    if int(pid) == os.getpid():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


@dataclass
class RunOutcome:
    """What a run ends with, as the log row stores it."""

    status: str
    counts: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    error_message: str | None = None
    source: str | None = None
    duration_ms: int = 0
    #: the last progress the job reported: (done, total, message)
    progress: tuple[int, int | None, str] | None = None


def finish_run(engine: Engine, sync_id: str, outcome: RunOutcome) -> SyncLogRow:
    """Write how the run ended; the row, detached, as it now stands.

    Should the outcome not be storable (a job's details that JSON cannot hold, say), the
    run is still closed: ``failed``, saying why, never left ``running``.
    """
    try:
        return _finish(engine, sync_id, outcome)
    except Exception as exc:
        logger.exception("sync %s: its outcome could not be recorded", sync_id)
        fallback = RunOutcome(
            status=SyncStatus.FAILED.value,
            counts={k: v for k, v in outcome.counts.items() if k in COUNT_COLUMNS},
            error_message=f"its outcome could not be recorded: {exc}",
            duration_ms=outcome.duration_ms,
        )
        return _finish(engine, sync_id, fallback)


def _jsonable(value: Any) -> Any:
    """What a job reported, as JSON can hold it (dates as ISO 8601, Decimals as strings)."""
    return json.loads(json.dumps(value, default=_plain))


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return str(value)


def _columns(outcome: RunOutcome) -> dict[str, Any]:
    """The sync log columns of what a job reported (counts without a column go to
    ``details.counts``)."""
    counts = {k: v for k, v in outcome.counts.items() if k not in COUNT_COLUMNS}
    details = _jsonable(dict(outcome.details))
    if counts:
        details["counts"] = {**details.get("counts", {}), **counts}
    values: dict[str, Any] = {
        column: int(outcome.counts.get(column, 0)) for column in COUNT_COLUMNS
    }
    values["errors"] = [str(error) for error in outcome.errors]
    values["details"] = details or None
    if outcome.source:
        values["source"] = outcome.source
    return values


def record_committed(
    session: Session, sync_id: str, outcome: RunOutcome, *, final: bool = True
) -> None:
    """Write ``outcome`` into the running row of ``sync_id`` inside ``session``, the job's
    own transaction: the row commits with the changes it counts, or not at all.

    ``final``: nothing the run changes is left after this commit (what is left, such as
    resolving alerts, the job's recovery redoes should the process die). The status stays
    ``running``; :func:`finish_run` closes the run, :func:`reap_abandoned` a dead one.
    """
    values = _columns(outcome)
    values["details"] = {
        **(values["details"] or {}),
        COMMITTED: {"at": utcnow().isoformat(), "final": final},
    }
    session.execute(
        update(SyncLogRow)
        .where(SyncLogRow.id == sync_id, SyncLogRow.status == "running")
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def _finish(engine: Engine, sync_id: str, outcome: RunOutcome) -> SyncLogRow:
    values = _columns(outcome)
    with store_errors(), session_scope(engine) as session:
        row = session.get(SyncLogRow, sync_id)
        if row is None:  # pragma: no cover - written at the start
            raise ConflictError(f"sync {sync_id} is not in the sync log")
        for column, value in values.items():
            setattr(row, column, value)
        row.status = outcome.status
        row.error_message = outcome.error_message
        row.completed_at = utcnow()
        row.duration_ms = outcome.duration_ms
        if outcome.progress is not None:
            done, total, message = outcome.progress
            row.progress_done, row.progress_total = done, total
            row.progress_message = message[:500] or None
        session.flush()
        session.expunge(row)
    return row


class Monitor:
    """A run's progress (the job's :class:`~radiant.sync.jobs.Progress`) and heartbeat.

    Progress is kept in memory; a thread writes it with the heartbeat, at most once a
    second while it changes and every ``heartbeat`` seconds anyway. A write that fails
    (e.g. SQLite busy while the job holds its write transaction) is tried again later.
    """

    def __init__(self, engine: Engine, sync_id: str, heartbeat: float) -> None:
        self.engine = engine
        self.sync_id = sync_id
        self.heartbeat = heartbeat
        self.done = 0
        self.total: int | None = None
        self.message = ""
        self._dirty = False
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._loop, name=f"radiant-sync-{sync_id[:8]}", daemon=True
        )

    # Progress protocol
    def start(self, total: int | None, message: str = "") -> None:
        self.done, self.total, self.message = 0, total, message
        self._dirty = True

    def advance(self, amount: int = 1, message: str | None = None) -> None:
        self.done += amount
        if message is not None:
            self.message = message
        self._dirty = True

    @property
    def state(self) -> tuple[int, int | None, str]:
        return self.done, self.total, self.message

    # lifecycle
    def __enter__(self) -> Monitor:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=2 * self.heartbeat + 1)

    def _loop(self) -> None:
        last = 0.0
        tick = min(1.0, self.heartbeat)
        elapsed = 0.0
        while not self._stop.wait(tick):
            elapsed += tick
            if (self._dirty or elapsed - last >= self.heartbeat) and self._write():
                last = elapsed

    def _write(self) -> bool:
        self._dirty = False
        values: dict[str, Any] = {
            "heartbeat_at": utcnow(),
            "progress_done": self.done,
            "progress_total": self.total,
            "progress_message": (self.message or "")[:500] or None,
        }
        try:
            with Session(self.engine) as session, session.begin():
                session.execute(
                    update(SyncLogRow)
                    .where(SyncLogRow.id == self.sync_id, SyncLogRow.status == "running")
                    .values(**values)
                )
        except (SQLAlchemyError, OSError) as exc:  # the job goes on; the next beat tries again
            self._dirty = True
            logger.debug("sync %s heartbeat not written: %s", self.sync_id, exc)
            return False
        return True
