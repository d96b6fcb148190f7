"""A module of extra sync jobs, as a plugin ships them (``RADIANT_SYNC_JOB_MODULES``)."""

from __future__ import annotations

from sqlalchemy import Engine

from radiant.sync.jobs import JobContext, JobResult, register_job


@register_job("t-plugin")
def plugin_job(engine: Engine, context: JobContext) -> JobResult:
    return JobResult(counts={"widgets": 3}, source="plugin")
