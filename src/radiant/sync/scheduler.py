"""Scheduled syncs (docs/operations.md), run by exactly one process per database.

``radiant serve`` starts a :class:`SyncScheduler`: an APScheduler 3 background scheduler
with the schedules of the settings (defaults: ``full`` daily at 00:00 UTC, ``health``
and ``thermal`` every 5 minutes, ``pricing`` Sundays at 00:00 UTC). Every server runs
one; only the **leader** runs jobs.

* PostgreSQL: the leader holds the session advisory lock :data:`LEADER_LOCK` on a
  connection of its own. The others try to take it every
  ``scheduler_leader_check_seconds``; a leader that dies loses its connection and with it
  the lock, and the next try of another server makes that one the leader. Before each
  run the leader checks its connection still answers.
* SQLite: one process is assumed to use the file (Radiant's embedded default), so the
  scheduler of every process leads. Run one server per SQLite file, or turn the
  scheduler off (``RADIANT_SCHEDULER=false``) on all but one.

A schedule is a cron line (``"0 0 * * *"``, UTC) or an interval (``"90s"``, ``"5m"``,
``"1h"``, ``"1d"``); ``"off"`` (or empty) turns it off. The pricing schedule runs only
when ``RADIANT_PRICING_SOURCES`` names where prices come from. One run per type at a
time: an interval's run that would start while the previous one is still going is
skipped.

**Catch-up.** When a process becomes the leader (and when a server starts and leads), it
looks at each schedule's last due time (:func:`last_due`: a cron line's latest slot; for
an interval, one interval ago) and, when no run of that type started since then has
completed (or failed on its own), runs it once: a slot whose run was abandoned by a
dying leader, interrupted, or missed while nobody led. Several missed slots make one
run; a slot older than the whole sync log missed nothing (a fresh install does not sync
at once). A slot whose run is still going elsewhere (a dead leader's, not yet found dead) is
looked at again at every leader check until that run ends. A cron tick whose slot a
catch-up already ran does nothing, and one that finds its type busy is retried the same
way, so each slot of a cron schedule gets exactly one run.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

from radiant.errors import ConflictError, RadiantError, ValidationError
from radiant.settings import Settings
from radiant.store.tables import utcnow
from radiant.sync.log import slot_state
from radiant.sync.options import default_options, pricing_sources
from radiant.sync.runner import reap, run_job, webhook_dispatcher

__all__ = ["LEADER_LOCK", "SCHEDULED", "SyncScheduler", "last_due", "parse_schedule"]

logger = logging.getLogger(__name__)

#: the advisory lock key of the scheduler's leader ("RADIANT" in ASCII, as a bigint)
LEADER_LOCK = 0x52_41_44_49_41_4E_54
#: the sync types that have a schedule, with the setting that holds it
SCHEDULED = {
    "full": "schedule_full",
    "health": "schedule_health",
    "thermal": "schedule_thermal",
    "pricing": "schedule_pricing",
}
_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)\s*$")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400}
#: how far back :func:`last_due` looks for a cron line's last slot, widening step by step
_LOOK_BACK = tuple(
    timedelta(**unit)
    for unit in (
        {"minutes": 2},
        {"hours": 2},
        {"days": 2},
        {"days": 8},
        {"days": 32},
        {"days": 367},
        {"days": 5 * 366},
    )
)
#: how one attempt to run a schedule went
Attempt = Literal["ran", "busy", "failed"]


def parse_schedule(value: str) -> Any | None:
    """An APScheduler trigger for a schedule setting; None when it is off."""
    value = value.strip()
    if value.lower() in ("", "off", "none", "false"):
        return None
    interval = _INTERVAL.match(value)
    if interval:
        seconds = float(interval.group(1)) * _UNIT[interval.group(2)]
        if seconds <= 0:
            raise ValidationError(f"schedule {value!r}: the interval must be positive")
        return IntervalTrigger(seconds=seconds, timezone=UTC)
    try:
        return CronTrigger.from_crontab(value, timezone=UTC)
    except ValueError as exc:
        raise ValidationError(
            f"schedule {value!r} is neither an interval (90s, 5m, 1h, 1d) nor a cron "
            f"line (minute hour day month weekday): {exc}"
        ) from None


def last_due(trigger: Any, now: datetime) -> datetime | None:
    """When the schedule last fell due at or before ``now``: a cron line's latest slot
    (None when it never fell due in five years), or ``now`` less an interval (a run should
    have started since then)."""
    if isinstance(trigger, IntervalTrigger):
        interval: timedelta = trigger.interval
        return now - interval
    for window in _LOOK_BACK:
        fire: datetime | None = trigger.get_next_fire_time(None, now - window)
        if fire is None:
            return None
        if fire > now:
            continue
        while True:  # the slots after it in the window, to the last one not after now
            later: datetime | None = trigger.get_next_fire_time(
                fire, fire + timedelta(microseconds=1)
            )
            if later is None or later > now:
                return fire
            fire = later
    return None


class _Leadership:
    """Whether this process leads: a PostgreSQL advisory lock, or always on SQLite."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.shared = engine.dialect.name == "postgresql"
        self._conn: Connection | None = None
        self._lock = threading.Lock()

    @property
    def leading(self) -> bool:
        """Whether this process held the lead at the last check."""
        return not self.shared or self._conn is not None

    def check(self) -> bool:
        """Keep or try to take the lead; True when this process leads now."""
        if not self.shared:
            return True
        with self._lock:
            if self._conn is not None:
                try:
                    self._conn.execute(text("SELECT 1"))
                    return True
                except (SQLAlchemyError, OSError) as exc:
                    logger.warning("scheduler lost its leader connection: %s", exc)
                    self._drop()
            return self._take()

    def _take(self) -> bool:
        try:
            conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        except (SQLAlchemyError, OSError) as exc:
            logger.warning("scheduler cannot reach the database: %s", exc)
            return False
        try:
            got = bool(
                conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": LEADER_LOCK}).scalar()
            )
        except (SQLAlchemyError, OSError) as exc:
            logger.warning("scheduler cannot ask for the leader lock: %s", exc)
            got = False
        if not got:
            conn.close()
            return False
        self._conn = conn
        logger.info("this process now runs the scheduled syncs (leader)")
        return True

    def _drop(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):  # already broken: nothing to release
                self._conn.invalidate()  # closes the session: the lock goes with it
            self._conn = None

    def release(self) -> None:
        with self._lock:
            self._drop()


class SyncScheduler:
    """The scheduled syncs of one process; :meth:`start` and :meth:`stop` it.

    ``clock`` gives the time the schedules are read at (UTC; a test passes its own).
    """

    def __init__(
        self, engine: Engine, settings: Settings, *, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.clock = clock
        self.leadership = _Leadership(engine)
        self.triggers = {
            name: trigger
            for name, setting in SCHEDULED.items()
            if (trigger := parse_schedule(getattr(settings, setting))) is not None
        }
        pricing_sources(settings.pricing_sources)  # a bad source fails the start, not Sunday
        if "pricing" in self.triggers and not settings.pricing_sources:
            logger.info("no RADIANT_PRICING_SOURCES: the scheduled pricing sync is off")
            del self.triggers["pricing"]
        self._scheduler: BackgroundScheduler | None = None
        #: schedules whose slot waits for a run of their type to end
        self._pending: set[str] = set()
        self._pending_lock = threading.Lock()
        self._catching_up = threading.Event()

    def start(self) -> None:
        """Mark runs dead processes left ``running``; then, unless turned off, schedule,
        and catch up when this process leads."""
        try:
            reap(self.engine, self.settings)
        except RadiantError as exc:
            logger.warning("could not check for abandoned syncs: %s", exc)
        if not self.settings.scheduler or not self.triggers:
            return
        scheduler = BackgroundScheduler(
            timezone=UTC,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 60},
        )
        scheduler.add_job(
            self.check_leadership,
            IntervalTrigger(seconds=self.settings.scheduler_leader_check_seconds, timezone=UTC),
            id="leader",
        )
        for name, trigger in self.triggers.items():
            scheduler.add_job(self.tick, trigger, args=[name], id=name)
        leads = self.leadership.check()
        scheduler.start()
        self._scheduler = scheduler
        if leads:
            self._catch_up_soon(None)

    def stop(self) -> None:
        """Stop scheduling (a run in progress ends first), hand the lead over, and give
        queued webhook deliveries up to ``webhook_timeout_seconds`` to go out."""
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=True)
            self._scheduler = None
        self.leadership.release()
        if self.settings.webhook_urls:
            webhook_dispatcher(self.settings).drain(self.settings.webhook_timeout_seconds)

    def check_leadership(self) -> bool:
        """Keep or take the lead; on taking it, catch up every schedule, and while leading,
        look again at the slots that wait (see the module docstring). True when leading."""
        was = self.leadership.leading
        leads = self.leadership.check()
        if leads and not was:
            self._catch_up_soon(None)
        elif leads and self.pending:
            self._catch_up_soon(self.pending)
        return leads

    @property
    def pending(self) -> set[str]:
        """Schedules whose last slot waits for a run of their type to end."""
        with self._pending_lock:
            return set(self._pending)

    def _catch_up_soon(self, names: set[str] | None) -> None:
        """Catch up in a thread of the scheduler's (a run may take minutes); a catch-up
        still going looks at the pending slots again when it is done."""
        if self._scheduler is None or self._catching_up.is_set():
            return
        self._scheduler.add_job(self.catch_up, args=[names], id="catch-up", replace_existing=True)

    def catch_up(self, names: set[str] | None = None) -> list[str]:
        """Run, once each, the schedules (``names``, default all) whose last due slot has
        no completed run since; the ones that ran. Does nothing unless this process leads."""
        if not self.leadership.check():
            return []
        self._catching_up.set()
        try:
            reap(self.engine, self.settings)  # a dead run's slot is open, not busy
            ran: list[str] = []
            for name, trigger in self.triggers.items():
                if names is not None and name not in names:
                    continue
                due = last_due(trigger, self.clock())
                if due is None or self._done(name, due):
                    continue
                logger.info("catching up the %s sync due at %s", name, due.isoformat())
                if self._attempt(name, keep=True) == "ran":
                    ran.append(name)
            return ran
        except RadiantError as exc:
            logger.warning("scheduler cannot catch up: %s", exc)
            return []
        finally:
            self._catching_up.clear()

    def tick(self, name: str) -> None:
        """One scheduled run of ``name``, if this process leads (a cron slot a catch-up
        already ran is done)."""
        if not self.leadership.check():
            return
        cron = isinstance(self.triggers.get(name), CronTrigger)
        if cron:
            due = last_due(self.triggers[name], self.clock())
            if due is not None and self._done(name, due):
                return
        self._attempt(name, keep=cron)

    def _done(self, name: str, due: datetime) -> bool:
        """Whether the slot of ``name`` due at ``due`` needs nothing more (waiting counts
        as pending: a run of its type is going)."""
        try:
            state = slot_state(self.engine, name, due)
        except RadiantError as exc:
            logger.warning("scheduler cannot read the %s runs: %s", name, exc)
            return True
        if state == "running":
            self._wait(name)
        elif state == "done":
            self._settle(name)
        return state != "open"

    def _attempt(self, name: str, *, keep: bool) -> Attempt:
        """Run ``name`` now; busy (another run of its type going) makes it pending when
        ``keep``, so its slot is looked at again."""
        try:
            run = run_job(
                self.engine,
                name,
                options=self._options(name),
                trigger="schedule",
                settings=self.settings,
            )
        except ConflictError as exc:
            logger.info("scheduled %s sync waits: %s", name, exc)
            if keep:
                self._wait(name)
            return "busy"
        except RadiantError as exc:
            logger.warning("scheduled %s sync could not start: %s", name, exc)
            self._settle(name)
            return "failed"
        self._settle(name)
        log = logger.info if run.ok else logger.warning
        log("scheduled %s sync %s %s in %d ms", name, run.id, run.status, run.duration_ms)
        return "ran"

    def _wait(self, name: str) -> None:
        with self._pending_lock:
            self._pending.add(name)

    def _settle(self, name: str) -> None:
        with self._pending_lock:
            self._pending.discard(name)

    def _options(self, name: str) -> dict[str, Any]:
        return default_options(name, self.settings)
