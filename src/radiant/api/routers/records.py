"""Stored registry records with their ETag: what a client reads before a PATCH or DELETE.

``GET /api/v2/admin/registry/{platforms|providers|models|routes}/{id}`` reads the database
(not the snapshot), so the version is exactly the one a write will compare against.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from radiant.api.admin_deps import WriterDep, record_body
from radiant.api.auth import PrincipalDep, require
from radiant.api.etag import etag
from radiant.api.write_schemas import RecordPublic
from radiant.core.audit import jsonable
from radiant.security import Permission

router = APIRouter(
    prefix="/api/v2/admin/registry",
    tags=["admin"],
    dependencies=[require(Permission.ADMIN_READ)],
)


def _read(writer: WriterDep, principal: PrincipalDep, kind: str, key: str) -> JSONResponse:
    record = writer.get(kind, key)
    return JSONResponse(
        jsonable(record_body(record, principal)), headers={"ETag": etag(record.row_version)}
    )


@router.get("/platforms/{platform_id}", response_model=RecordPublic)
def platform_record(platform_id: str, writer: WriterDep, principal: PrincipalDep) -> JSONResponse:
    return _read(writer, principal, "platform", platform_id)


@router.get("/providers/{provider_id}", response_model=RecordPublic)
def provider_record(provider_id: str, writer: WriterDep, principal: PrincipalDep) -> JSONResponse:
    return _read(writer, principal, "provider", provider_id)


@router.get("/models/{model_id:path}", response_model=RecordPublic)
def model_record(model_id: str, writer: WriterDep, principal: PrincipalDep) -> JSONResponse:
    return _read(writer, principal, "model", model_id)


@router.get("/routes/{route_id:path}", response_model=RecordPublic)
def route_record(route_id: str, writer: WriterDep, principal: PrincipalDep) -> JSONResponse:
    return _read(writer, principal, "route", route_id)
