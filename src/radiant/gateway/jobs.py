"""Jobs the gateway started upstream — videos (``POST /v1/videos``) and 3D models
(``POST /v1/3d``) — kept so that their owner can read them back
(``GET /v1/videos/{id}``, ``GET /v1/3d/{id}``) and nobody else can.

A job's id is ours (``video_...``, ``3d_...``); the upstream's id, the route that runs
it and the usage event that billed it stay with us. A job is billed once, when the
upstream accepts it (for the seconds of video asked, for one 3D model), like the
providers that take credits when a task is created. A status read is not a billable
call: it records no usage event. Rows live in ``gateway_jobs`` (migration 0017; on
PostgreSQL under row-level security like the other tenant tables).
"""

from __future__ import annotations

import dataclasses
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select, update

from radiant.errors import NotFoundError
from radiant.store.billing_tables import GatewayJobRow
from radiant.store.engine import session_scope
from radiant.store.tables import utcnow
from radiant.tenants.scope import admin_scope, tenant_scope

__all__ = ["Job", "JobStore", "new_job_id"]

#: the id prefix of each kind of job
_PREFIX = {"videos": "video_", "3d": "3d_"}


def new_job_id(kind: str) -> str:
    """A fresh id of ours for a job of ``kind`` (``videos`` or ``3d``)."""
    return _PREFIX[kind] + secrets.token_hex(12)


@dataclass(frozen=True, slots=True)
class Job:
    id: str
    tenant_id: str
    kind: str
    request_id: str
    model: str
    model_id: str
    route_id: str
    upstream_id: str
    status: str
    body: dict[str, Any]


#: the columns a :class:`Job` holds, by name
_FIELDS = tuple(f.name for f in dataclasses.fields(Job))


def _job(row: GatewayJobRow) -> Job:
    values = {name: getattr(row, name) for name in _FIELDS}
    return Job(**{**values, "body": dict(row.body)})


class JobStore:
    """``gateway_jobs`` on the registry's database (blocking: call it off the loop)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, job: Job) -> None:
        with session_scope(self.engine) as session:
            admin_scope(session)
            now = utcnow()
            values = {name: getattr(job, name) for name in _FIELDS}
            session.add(GatewayJobRow(**values, created_at=now, updated_at=now))

    def get(self, tenant_id: str, kind: str, job_id: str) -> Job:
        """The tenant's job; :class:`NotFoundError` for any other (another tenant's
        too: its existence is not the caller's business)."""
        with session_scope(self.engine) as session:
            tenant_scope(session, tenant_id)
            row = session.scalars(
                select(GatewayJobRow).where(
                    GatewayJobRow.id == job_id,
                    GatewayJobRow.tenant_id == tenant_id,
                    GatewayJobRow.kind == kind,
                )
            ).first()
            if row is None:
                raise NotFoundError("job", job_id)
            return _job(row)

    def update(self, job: Job, status: str, body: dict[str, Any]) -> Job:
        with session_scope(self.engine) as session:
            admin_scope(session)
            session.execute(
                update(GatewayJobRow)
                .where(GatewayJobRow.id == job.id)
                .values(status=status, body=body, updated_at=utcnow())
            )
        return dataclasses.replace(job, status=status, body=body)
