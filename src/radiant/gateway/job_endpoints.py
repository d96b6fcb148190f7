"""The job endpoints' two halves: :func:`start_job` keeps the job a ``POST /v1/videos``
or ``POST /v1/3d`` started upstream (and answers it under our id), :func:`read_job`
answers ``GET /v1/videos/{id}``, ``GET /v1/videos/{id}/content`` and ``GET /v1/3d/{id}``
for the tenant that started it (see :mod:`radiant.gateway.jobs`).

A read asks the upstream only while the job is not done (``queued``, ``in_progress``);
a finished job is answered from what was kept. Reads are not billed and a read that
fails upstream does not count against the route's health (the job was accepted: the
route works; the upstream's job store is not the route's chat path).
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from typing import Any, cast

from radiant.errors import NotFoundError, ProviderError
from radiant.gateway.chain import Hop
from radiant.gateway.errors import GatewayError, UpstreamError
from radiant.gateway.jobs import Job, new_job_id
from radiant.gateway.requests import Endpoint
from radiant.gateway.service import Call, Gateway
from radiant.providers import WireAdapter
from radiant.providers.adapter import VIDEO_DONE
from radiant.providers.shapes.openai import Video
from radiant.providers.shapes.radiant import Model3D
from radiant.tenants import require_scope

__all__ = ["read_job", "start_job"]

#: the object name of each kind's answers
_OBJECT = {"videos": "video", "3d": "3d_model"}


def _ours(job: Job, upstream: dict[str, Any]) -> dict[str, Any]:
    """The upstream's object as the client sees it: our id, the model it asked for."""
    body = dict(upstream)
    body["id"] = job.id
    body["object"] = _OBJECT[job.kind]
    body["model"] = job.model
    body.setdefault("created_at", int(time.time()))
    return body


async def start_job(gateway: Gateway, call: Call, hop: Hop, started: Video | Model3D) -> Any:
    """Keep the job ``started`` upstream for ``call`` on ``hop``; answers it under our id."""
    kind = call.ask.endpoint.value
    upstream_id = started.get("id")
    if not isinstance(upstream_id, str) or not upstream_id:
        raise ProviderError(
            f"{hop.route_id}: the upstream answered a job without an id",
            provider=hop.platform.id,
            kind="protocol",
        )
    model = str(call.ask.models[0]) if call.ask.models[0] != "auto" else hop.entry.id
    job = Job(
        new_job_id(kind),
        call.account.tenant_id,
        kind,
        call.request_id,
        model,
        hop.entry.id,
        hop.route_id,
        upstream_id,
        str(started.get("status") or "queued"),
        {},
    )
    body = _ours(job, cast("dict[str, Any]", started))
    job = dataclasses.replace(job, body=body)
    await asyncio.to_thread(gateway.jobs.add, job)
    return body


def _hop(gateway: Gateway, job: Job) -> tuple[Hop, WireAdapter]:
    """The route that runs ``job`` and its adapter (the route may be gone since)."""
    snapshot = gateway.registry.snapshot()
    entry = snapshot.find(job.model_id)
    route = next((r for r in entry.routes if r.id == job.route_id), None) if entry else None
    platform = snapshot.platforms.get(route.platform_id) if route is not None else None
    if entry is None or route is None or platform is None:
        raise GatewayError(
            "the route that runs this job is no longer in the registry; its status cannot be read",
            status=410,
            code="job_route_gone",
        )
    hop = Hop(entry, route, platform)
    return hop, gateway.adapter(snapshot, hop)


async def read_job(
    gateway: Gateway, token: str, endpoint: Endpoint, job_id: str, *, content: bool = False
) -> tuple[bytes | dict[str, Any], str]:
    """The job's object (JSON) or, with ``content``, the finished video's bytes and their
    media type; 404 for a job of another tenant's, or none."""
    account = await gateway.accounts.account(token)
    require_scope(account.scopes, endpoint.scope, f"GET {endpoint.path}/{{id}}")
    job = await asyncio.to_thread(gateway.jobs.get, account.tenant_id, endpoint.value, job_id)
    if job.status not in VIDEO_DONE:
        hop, adapter = _hop(gateway, job)
        try:
            if job.kind == "videos":
                seen: dict[str, Any] = dict(await adapter.video_status(job.upstream_id))
            else:
                seen = dict(await adapter.model3d_status(job.upstream_id))
        except ProviderError as exc:
            raise UpstreamError(
                f"the upstream did not say how the job is going: {exc.kind}",
                code="job_status_unavailable",
            ) from exc
        status = str(seen.get("status") or job.status)
        job = await asyncio.to_thread(gateway.jobs.update, job, status, _ours(job, seen))
    if not content:
        return job.body, "application/json"
    if job.kind != "videos":
        raise NotFoundError("content of job", job_id)
    if job.status != "completed":
        raise GatewayError(
            f"the video is {job.status}; its content is there once it is completed",
            status=409,
            code="job_not_completed",
        )
    hop, adapter = _hop(gateway, job)
    try:
        return await adapter.video_content(job.upstream_id)
    except ProviderError as exc:
        raise UpstreamError(
            "the upstream did not give the video's content", code="job_content_unavailable"
        ) from exc
