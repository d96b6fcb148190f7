"""The contract between sync jobs and whoever runs them (CLI, API, scheduler).

A job is a function ``job(engine, context) -> JobResult``. It does its work, reports
progress through ``context.progress`` and returns what it counted. The runner around it
(:mod:`radiant.sync.runner`) writes the ``registry_sync_log`` row (running -> completed or
failed), emits the ``RegistrySyncCompleted`` event and holds the one-leader lock; a job
never does those itself.

**Counts that commit with the changes.** A job that writes the registry in a transaction
calls ``context.record(session, result)`` inside it, just before it commits, with what
that transaction changed (a job of several transactions passes ``final=False`` to all but
the last, each with the counts so far). The log row is then written in the same
transaction: a process killed after the commit leaves a run that the next process marks
``completed`` with those counts (or, not final, ``abandoned`` keeping them), never one
whose changes landed and whose counts are lost. Work that follows the commit (resolving
alerts, say) is redone by the job's ``recover`` hook, ``register_job(name,
recover=...)``: it is called, by whichever process reaps the dead run, with the
``details`` that were recorded, and returns details to add to the run.

Jobs register themselves under a name (``discovery``, ``health``, ``thermal``,
``pricing``, ``catalog``); ``full`` runs several in order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import Engine
from sqlalchemy.orm import Session

__all__ = [
    "JOBS",
    "RECOVERIES",
    "Job",
    "JobContext",
    "JobResult",
    "NullProgress",
    "Progress",
    "Recorder",
    "Recovery",
    "register_job",
]


class Progress(Protocol):
    """Where a job says how far it got (a Rich bar in the CLI, the sync log row in the API)."""

    def start(self, total: int | None, message: str = "") -> None: ...

    def advance(self, amount: int = 1, message: str | None = None) -> None: ...


class NullProgress:
    def start(self, total: int | None, message: str = "") -> None:  # noqa: ARG002 - the Progress protocol, doing nothing
        return None

    def advance(self, amount: int = 1, message: str | None = None) -> None:  # noqa: ARG002 - the Progress protocol, doing nothing
        return None


@dataclass
class JobContext:
    """What a run hands its job: the sync log id, progress, options of this run."""

    sync_id: str
    progress: Progress = field(default_factory=NullProgress)
    #: job-specific options (e.g. pricing sources, a platform filter)
    options: dict[str, Any] = field(default_factory=dict)
    #: writes a result into the run's log row (set by the runner; none: nothing is written)
    recorder: Recorder | None = field(default=None, repr=False)

    def record(self, session: Session, result: JobResult, *, final: bool = True) -> None:
        """Write ``result`` into this run's log row inside ``session``, the job's own
        transaction, right before it commits (see the module docstring). ``final=False``:
        more changes follow in later transactions."""
        if self.recorder is not None:
            self.recorder(session, result, final)


@dataclass
class JobResult:
    """What a job counted; ``counts`` keys that match ``registry_sync_log`` columns
    (models_added, models_updated, models_deprecated, routes_added, routes_updated,
    prices_changed, providers_updated) land in those columns, the rest in ``details``."""

    counts: dict[str, int] = field(default_factory=dict)
    #: problems that did not stop the job (a platform skipped, an entry rejected)
    errors: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    source: str = ""

    def add(self, key: str, amount: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + amount


Job = Callable[[Engine, JobContext], JobResult]
#: (session, result, final): what :meth:`JobContext.record` hands the runner
Recorder = Callable[[Session, JobResult, bool], None]
#: (engine, the details a dead run recorded) -> details to add: the work after its commit
Recovery = Callable[[Engine, dict[str, Any]], dict[str, Any]]

#: every job by name, filled by :func:`register_job`
JOBS: dict[str, Job] = {}
#: the recovery of each job that has one
RECOVERIES: dict[str, Recovery] = {}


def register_job(name: str, *, recover: Recovery | None = None) -> Callable[[Job], Job]:
    """Register a job under ``name``; ``recover`` redoes what follows its commit when its
    process died after it (see the module docstring)."""

    def decorate(job: Job) -> Job:
        JOBS[name] = job
        if recover is not None:
            RECOVERIES[name] = recover
        else:
            RECOVERIES.pop(name, None)
        return job

    return decorate
