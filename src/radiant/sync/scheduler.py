"""Scheduled syncs (seed 002 §36.5), run by exactly one process per database.

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
when ``RADIANT_PRICING_SOURCES`` names where prices come from. A run that would start while the
previous one of its type is still going is skipped (one run per type).
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
from datetime import UTC
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Connection, Engine, text

from radiant.errors import ConflictError, RadiantError, ValidationError
from radiant.settings import Settings
from radiant.sync.options import default_options, pricing_sources
from radiant.sync.runner import reap, run_job, webhook_dispatcher

__all__ = ["LEADER_LOCK", "SCHEDULED", "SyncScheduler", "parse_schedule"]

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


class _Leadership:
    """Whether this process leads: a PostgreSQL advisory lock, or always on SQLite."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.shared = engine.dialect.name == "postgresql"
        self._conn: Connection | None = None
        self._lock = threading.Lock()

    def check(self) -> bool:
        """Keep or try to take the lead; True when this process leads now."""
        if not self.shared:
            return True
        with self._lock:
            if self._conn is not None:
                try:
                    self._conn.execute(text("SELECT 1"))
                    return True
                except Exception as exc:
                    logger.warning("scheduler lost its leader connection: %s", exc)
                    self._drop()
            return self._take()

    def _take(self) -> bool:
        try:
            conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        except Exception as exc:
            logger.warning("scheduler cannot reach the database: %s", exc)
            return False
        try:
            got = bool(
                conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": LEADER_LOCK}).scalar()
            )
        except Exception as exc:
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
    """The scheduled syncs of one process; :meth:`start` and :meth:`stop` it."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings
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

    def start(self) -> None:
        """Mark runs dead processes left ``running``; then, unless turned off, schedule."""
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
            self.leadership.check,
            IntervalTrigger(seconds=self.settings.scheduler_leader_check_seconds, timezone=UTC),
            id="leader",
        )
        for name, trigger in self.triggers.items():
            scheduler.add_job(self.tick, trigger, args=[name], id=name)
        self.leadership.check()
        scheduler.start()
        self._scheduler = scheduler

    def stop(self) -> None:
        """Stop scheduling (a run in progress ends first), hand the lead over, and give
        queued webhook deliveries up to ``webhook_timeout_seconds`` to go out."""
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=True)
            self._scheduler = None
        self.leadership.release()
        if self.settings.webhook_urls:
            webhook_dispatcher(self.settings).drain(self.settings.webhook_timeout_seconds)

    def tick(self, name: str) -> None:
        """One scheduled run of ``name``, if this process leads."""
        if not self.leadership.check():
            return
        try:
            run = run_job(
                self.engine,
                name,
                options=self._options(name),
                trigger="schedule",
                settings=self.settings,
            )
        except ConflictError as exc:
            logger.info("scheduled %s sync skipped: %s", name, exc)
            return
        except RadiantError as exc:
            logger.warning("scheduled %s sync could not start: %s", name, exc)
            return
        log = logger.info if run.ok else logger.warning
        log("scheduled %s sync %s %s in %d ms", name, run.id, run.status, run.duration_ms)

    def _options(self, name: str) -> dict[str, Any]:
        return default_options(name, self.settings)
