"""Dependencies of the administration routers: the services, and response helpers."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import JSONResponse, Response

from radiant.api.etag import etag
from radiant.core.audit import jsonable
from radiant.manage.administrators import AdminService
from radiant.manage.approvals import ApprovalService
from radiant.manage.registry_writes import RegistryWriter, WriteResult
from radiant.manage.resources import Record
from radiant.security import Principal

__all__ = ["AdminsDep", "ApprovalsDep", "WriterDep", "record_body", "write_response"]


def _writer(request: Request) -> RegistryWriter:
    writer: RegistryWriter = request.app.state.writer
    return writer


def _admins(request: Request) -> AdminService:
    admins: AdminService = request.app.state.admins
    return admins


def _approvals(request: Request) -> ApprovalService:
    approvals: ApprovalService = request.app.state.approvals
    return approvals


WriterDep = Annotated[RegistryWriter, Depends(_writer)]
AdminsDep = Annotated[AdminService, Depends(_admins)]
ApprovalsDep = Annotated[ApprovalService, Depends(_approvals)]


def record_body(record: Record, principal: Principal) -> dict[str, Any]:
    """A record as JSON; a route's price sheet (a cost) only for those who see costs."""
    body = record.as_dict()
    if record.kind == "route" and not principal.sees_cost:
        body["data"].pop("price", None)
        if body["data"].get("self_hosted"):
            body["data"]["self_hosted"].pop("markup_percent", None)
    return body


def write_response(
    result: WriteResult, principal: Principal, *, created: bool = False, location: str = ""
) -> Response:
    """200 (201 when created) with the record and its ETag; 202 with the approval request
    when the change waits for a second administrator; 204 after a hard delete."""
    if result.approval is not None:
        request_id = result.approval["id"]
        return JSONResponse(
            jsonable({"status": "pending_approval", "approval": result.approval}),
            status_code=202,
            headers={"Location": f"/api/v2/admin/approvals/{request_id}"},
        )
    if result.deleted or result.record is None:
        return Response(status_code=204)
    headers = {"ETag": etag(result.record.row_version)}
    if created and location:
        headers["Location"] = location
    body = record_body(result.record, principal)
    body["retired"] = result.retired
    return JSONResponse(jsonable(body), status_code=201 if created else 200, headers=headers)
