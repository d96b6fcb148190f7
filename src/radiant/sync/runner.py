"""Run a sync job by name: the sync log row, progress, heartbeat, the completion event.

``run_job(engine, "health")`` records the run ``running`` (one run per type at a time:
ConflictError otherwise), runs the job with a heartbeat thread writing its progress,
then records it ``completed`` or ``failed`` (a job's exception is caught and becomes the
run's ``error_message``; the row is never left ``running``), publishes
``RegistrySyncCompleted`` to subscribers and webhooks, and returns the run.

A job that calls ``context.record(session, result)`` in its transaction has its log row
commit with its changes (:mod:`radiant.sync.jobs`); :func:`reap` closes the run of a
process that died after such a commit as ``completed`` with those counts and calls the
job's recovery for the work that was to follow (its alerts, say).

``full`` is the daily sync: ``catalog``, then ``discovery``, ``health`` and
``thermal`` (:data:`FULL_STEPS`), in one log row whose ``details.steps`` says how each
step went. A step that fails does not stop the next ones; the run is then ``failed``.
A step's recorded commit lands in the ``full`` row too, as the counts so far (never
final: a ``full`` run that died is abandoned with them, and its committed steps are
recovered). Pricing is not part of it: it has its own (weekly) schedule and sources.

Jobs live in the modules of :data:`JOB_MODULES` (imported the first time a run needs
them; a module not installed is left out) plus ``RADIANT_SYNC_JOB_MODULES``.
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from radiant.domain import SyncStatus
from radiant.errors import RadiantError, ValidationError
from radiant.settings import Settings, get_settings
from radiant.store.tables import SyncLogRow
from radiant.sync import events
from radiant.sync.jobs import (
    JOBS,
    RECOVERIES,
    Job,
    JobContext,
    JobResult,
    NullProgress,
    Progress,
    Recorder,
    Recovery,
)
from radiant.sync.log import (
    COMMITTED,
    COUNT_COLUMNS,
    INTERRUPTED,
    Monitor,
    RunOutcome,
    finish_run,
    reap_abandoned,
    record_committed,
    start_run,
    update_details,
)
from radiant.sync.webhooks import dispatcher_for

if TYPE_CHECKING:
    from radiant.sync.webhooks import WebhookDispatcher

__all__ = [
    "FULL_STEPS",
    "JOB_MODULES",
    "SyncRun",
    "check_sync_type",
    "execute_run",
    "job_names",
    "load_jobs",
    "reap",
    "run_job",
    "start",
    "webhook_dispatcher",
]

logger = logging.getLogger(__name__)

#: where the jobs are: every module here registers its jobs when imported
JOB_MODULES = (
    "radiant.sync.catalog_job",
    "radiant.sync.discovery.job",
    "radiant.health.jobs",
    "radiant.sync.pricing_sync",
)
#: the steps of a ``full`` run, in order
FULL_STEPS = ("catalog", "discovery", "health", "thermal")
TRIGGERS = ("manual", "api", "schedule")

_loaded: set[str] = set()


def load_jobs(extra: Iterable[str] = ()) -> dict[str, Job]:
    """Import the job modules once; every job by name."""
    for module in (*JOB_MODULES, *extra):
        if module in _loaded:
            continue
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name is None or not module.startswith(exc.name):
                raise  # the module is there but needs something missing: say so
            logger.debug("sync job module %s is not installed", module)
        _loaded.add(module)
    return dict(JOBS)


def job_names(settings: Settings | None = None) -> list[str]:
    """Every sync type that can run: the registered jobs and ``full``."""
    jobs = load_jobs((settings or get_settings()).sync_job_modules)
    return sorted({*jobs, "full"})


def check_sync_type(name: str, settings: Settings | None = None) -> None:
    """ValidationError, naming the known ones, unless ``name`` is a sync type."""
    known = job_names(settings)
    if name not in known:
        raise ValidationError(f"unknown sync type {name!r}; known: {', '.join(known)}")


@dataclass
class SyncRun:
    """A finished run, as the sync log holds it (and ``--json`` prints it)."""

    id: str
    sync_type: str
    status: str
    trigger: str | None
    source: str | None
    counts: dict[str, int]
    errors: list[str]
    details: dict[str, Any]
    error_message: str | None
    duration_ms: int
    started_at: datetime
    completed_at: datetime | None
    event: events.RegistrySyncCompleted | None = field(default=None, repr=False)
    #: what the job raised, when it failed
    exception: BaseException | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return self.status == SyncStatus.COMPLETED.value

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in ("event", "exception")}


def _stale_after(settings: Settings) -> timedelta:
    return timedelta(seconds=settings.sync_stale_after_seconds)


def reap(engine: Engine, settings: Settings | None = None) -> list[str]:
    """Close the runs dead processes left ``running`` (``completed`` when their final
    changes had committed, else ``abandoned``), recover what they had committed, and
    announce each (``RegistrySyncCompleted``); their ids."""
    settings = settings or get_settings()
    load_jobs(settings.sync_job_modules)  # their recoveries
    rows = reap_abandoned(engine, _stale_after(settings))
    for row in rows:
        _recover(engine, row)
        counts = {column: int(getattr(row, column) or 0) for column in COUNT_COLUMNS}
        counts.update((row.details or {}).get("counts") or {})
        _announce(events.RegistrySyncCompleted.from_row(row, counts), settings)
    return [row.id for row in rows]


def _recover(engine: Engine, row: SyncLogRow) -> None:
    """Call the recovery of each job whose changes a dead run committed; its details land
    in the run (``details.steps.<step>.recovery`` for a step of ``full``)."""
    details = dict(row.details or {})
    added: dict[str, Any] = {}
    if row.sync_type == "full":
        steps = dict(details.get("steps") or {})
        for step, info in steps.items():
            hook = RECOVERIES.get(step)
            if hook is not None and isinstance(info, dict) and info.get("status") == "committed":
                recovered = _call(hook, engine, dict(info.get("details") or {}), row.id)
                steps[step] = {**info, "recovery": recovered}
                added["steps"] = steps
    elif COMMITTED in details and (hook := RECOVERIES.get(row.sync_type)) is not None:
        added = _call(hook, engine, details, row.id)
    if added:
        update_details(engine, row.id, added)
        row.details = {**details, **added}


def _call(hook: Recovery, engine: Engine, details: dict[str, Any], sync_id: str) -> dict[str, Any]:
    try:
        return hook(engine, details)
    except Exception as exc:  # the run stays closed; its recovery is told in the row
        logger.exception("sync %s: recovering its committed work failed", sync_id)
        return {"recovery_error": str(exc) or type(exc).__name__}


def start(
    engine: Engine,
    name: str,
    *,
    trigger: str = "manual",
    source: str | None = None,
    settings: Settings | None = None,
) -> str:
    """Check ``name``, record its run as running and return the id (ConflictError while
    another run of that type is alive); :func:`execute_run` does the work."""
    settings = settings or get_settings()
    check_sync_type(name, settings)
    if trigger not in TRIGGERS:
        raise ValidationError(f"unknown trigger {trigger!r}; known: {', '.join(TRIGGERS)}")
    reap(engine, settings)
    return start_run(engine, name, trigger=trigger, source=source)


def run_job(
    engine: Engine,
    name: str,
    *,
    options: Mapping[str, Any] | None = None,
    progress: Progress | None = None,
    trigger: str = "manual",
    source: str | None = None,
    settings: Settings | None = None,
) -> SyncRun:
    """Run job ``name`` now, in this thread; see the module docstring."""
    settings = settings or get_settings()
    sync_id = start(engine, name, trigger=trigger, source=source, settings=settings)
    return execute_run(engine, sync_id, name, options=options, progress=progress, settings=settings)


def execute_run(
    engine: Engine,
    sync_id: str,
    name: str,
    *,
    options: Mapping[str, Any] | None = None,
    progress: Progress | None = None,
    settings: Settings | None = None,
) -> SyncRun:
    """Run the job of a run :func:`start` recorded, and record how it ended."""
    settings = settings or get_settings()
    started = time.perf_counter()
    outcome = RunOutcome(status=SyncStatus.COMPLETED.value)
    failure: BaseException | None = None
    with Monitor(engine, sync_id, settings.sync_heartbeat_seconds) as monitor:
        context = JobContext(
            sync_id=sync_id,
            progress=_Tee(monitor, progress),
            options=dict(options or {}),
            recorder=_recorder(sync_id),
        )
        try:
            _absorb(outcome, _job(name, settings)(engine, context))
        except _StepsFailed as exc:
            _absorb(outcome, exc.result)
            _fail(outcome, exc)
            failure = exc
        except Exception as exc:
            _fail(outcome, exc)
            failure = exc
            if not isinstance(exc, RadiantError):
                logger.exception("sync %s (%s) failed", sync_id, name)
        except BaseException as exc:  # Ctrl-C, SystemExit: record it, then let it go on
            _fail(outcome, exc, message=f"interrupted ({type(exc).__name__})")
            outcome.details[INTERRUPTED] = type(exc).__name__  # its slot is not done
            outcome.progress = monitor.state
            outcome.duration_ms = int((time.perf_counter() - started) * 1000)
            finish_run(engine, sync_id, outcome)
            raise
    outcome.progress = monitor.state
    outcome.duration_ms = int((time.perf_counter() - started) * 1000)
    row = finish_run(engine, sync_id, outcome)
    counts = {k: int(v) for k, v in outcome.counts.items()}
    event = events.RegistrySyncCompleted.from_row(row, counts)
    _announce(event, settings)
    return SyncRun(
        id=row.id,
        sync_type=row.sync_type,
        status=row.status,
        trigger=row.trigger,
        source=row.source,
        counts=counts,
        errors=list(row.errors or []),
        details=dict(row.details or {}),
        error_message=row.error_message,
        duration_ms=row.duration_ms or 0,
        started_at=row.started_at,
        completed_at=row.completed_at,
        event=event,
        exception=failure,
    )


def _recorder(sync_id: str) -> Recorder:
    """What ``context.record`` does for run ``sync_id``: its row, in the job's session."""

    def record(session: Session, result: JobResult, final: bool) -> None:
        outcome = RunOutcome(status=SyncStatus.RUNNING.value)
        _absorb(outcome, result)
        record_committed(session, sync_id, outcome, final=final)

    return record


def _absorb(outcome: RunOutcome, result: JobResult) -> None:
    outcome.counts.update(result.counts)
    outcome.errors.extend(result.errors)
    outcome.details.update(result.details)
    outcome.source = result.source or None


def _fail(outcome: RunOutcome, exc: BaseException, message: str | None = None) -> None:
    outcome.status = SyncStatus.FAILED.value
    outcome.error_message = message or str(exc) or type(exc).__name__


def _announce(event: events.RegistrySyncCompleted, settings: Settings) -> None:
    events.publish(event)
    if settings.webhook_urls:
        webhook_dispatcher(settings).submit(event)


def webhook_dispatcher(settings: Settings) -> WebhookDispatcher:
    """The process's dispatcher for the webhooks of ``settings``."""

    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    return dispatcher_for(
        settings.webhook_urls,
        secret,
        timeout=settings.webhook_timeout_seconds,
        attempts=settings.webhook_attempts,
        backoff=settings.webhook_backoff_seconds,
    )


def _job(name: str, settings: Settings) -> Job:
    jobs = load_jobs(settings.sync_job_modules)
    if name == "full":
        return _full
    job = jobs.get(name)
    if job is None:
        raise ValidationError(f"unknown sync type {name!r}")
    return job


class _StepsFailed(Exception):
    def __init__(self, failed: list[str], result: JobResult) -> None:
        super().__init__("; ".join(failed))
        self.result = result


def _full(engine: Engine, context: JobContext) -> JobResult:
    """The ``full`` run: every step of :data:`FULL_STEPS` that is installed, in order."""
    total = JobResult()
    steps: dict[str, dict[str, Any]] = {}
    failed: list[str] = []
    for step in FULL_STEPS:
        job = JOBS.get(step)
        if job is None:
            steps[step] = {"status": "skipped", "reason": "not installed"}
            continue
        options = context.options.get(step, {})
        step_context = JobContext(
            context.sync_id,
            _Step(context.progress, step),
            dict(options),
            recorder=_step_recorder(context, total, steps, step),
        )
        started = time.perf_counter()
        try:
            result = job(engine, step_context)
        except Exception as exc:  # noqa: BLE001 - a step (a plug-in's too) fails the run, not the runner
            error = str(exc) or type(exc).__name__
            failed.append(f"{step}: {error}")
            steps[step] = {"status": "failed", "error": error}
            logger.warning("sync %s: step %s failed: %s", context.sync_id, step, error)
            continue
        elapsed = int((time.perf_counter() - started) * 1000)
        steps[step] = {
            "status": "completed",
            "counts": dict(result.counts),
            "errors": len(result.errors),
            "duration_ms": elapsed,
        }
        for key, value in result.counts.items():
            total.add(key, value)
        total.errors.extend(f"{step}: {error}" for error in result.errors)
        if step == "catalog":
            total.source = result.source
    total.details["steps"] = steps
    if failed:
        raise _StepsFailed(failed, total)
    return total


def _step_recorder(
    context: JobContext, total: JobResult, steps: dict[str, dict[str, Any]], step: str
) -> Recorder:
    """A step's ``record``: the ``full`` run's counts so far plus the step's, never final."""

    def record(session: Session, result: JobResult, final: bool) -> None:  # noqa: ARG001 - the record hook's signature
        so_far = JobResult(counts=dict(total.counts), errors=list(total.errors))
        for key, value in result.counts.items():
            so_far.add(key, value)
        so_far.errors.extend(f"{step}: {error}" for error in result.errors)
        so_far.source = result.source if step == "catalog" else total.source
        committed = {"status": "committed", "counts": dict(result.counts)}
        so_far.details["steps"] = {**steps, step: {**committed, "details": result.details}}
        context.record(session, so_far, final=False)

    return record


class _Tee:
    """Progress to the log row and to the caller's progress (a Rich bar, say)."""

    def __init__(self, *targets: Progress | None) -> None:
        self.targets = [t for t in targets if t is not None] or [NullProgress()]

    def start(self, total: int | None, message: str = "") -> None:
        for target in self.targets:
            target.start(total, message)

    def advance(self, amount: int = 1, message: str | None = None) -> None:
        for target in self.targets:
            target.advance(amount, message)


class _Step:
    """A step's progress inside a ``full`` run: its messages say which step it is."""

    def __init__(self, progress: Progress, step: str) -> None:
        self.progress = progress
        self.step = step

    def start(self, total: int | None, message: str = "") -> None:
        self.progress.start(total, f"{self.step}: {message}" if message else self.step)

    def advance(self, amount: int = 1, message: str | None = None) -> None:
        self.progress.advance(amount, None if message is None else f"{self.step}: {message}")
