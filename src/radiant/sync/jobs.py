"""The contract between sync jobs and whoever runs them (CLI, API, scheduler).

A job is a function ``job(engine, context) -> JobResult``. It does its work, reports
progress through ``context.progress`` and returns what it counted. The runner around it
(:mod:`radiant.sync.runner`) writes the ``registry_sync_log`` row (running -> completed or
failed), emits the ``RegistrySyncCompleted`` event and holds the one-leader lock; a job
never does those itself.

Jobs register themselves under a name (``discovery``, ``health``, ``thermal``,
``pricing``, ``catalog``); ``full`` runs several in order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import Engine

__all__ = [
    "JOBS",
    "Job",
    "JobContext",
    "JobResult",
    "NullProgress",
    "Progress",
    "register_job",
]


class Progress(Protocol):
    """Where a job says how far it got (a Rich bar in the CLI, the sync log row in the API)."""

    def start(self, total: int | None, message: str = "") -> None: ...

    def advance(self, amount: int = 1, message: str | None = None) -> None: ...


class NullProgress:
    def start(self, total: int | None, message: str = "") -> None:
        return None

    def advance(self, amount: int = 1, message: str | None = None) -> None:
        return None


@dataclass
class JobContext:
    """What a run hands its job: the sync log id, progress, options of this run."""

    sync_id: str
    progress: Progress = field(default_factory=NullProgress)
    #: job-specific options (e.g. pricing sources, a platform filter)
    options: dict[str, Any] = field(default_factory=dict)


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

#: every job by name, filled by :func:`register_job`
JOBS: dict[str, Job] = {}


def register_job(name: str) -> Callable[[Job], Job]:
    def decorate(job: Job) -> Job:
        JOBS[name] = job
        return job

    return decorate
