"""Tenant administration under ``/api/v2/admin/tenants``: tenants, model access, API keys.

Reads need ``admin:read``, writes ``tenants:write``. Every resource carries its
``row_version`` as ETag; PATCH and DELETE need ``If-Match``. A tenant is named by its id
or its slug; a model by its id or any alias. Custom markups are shown only to principals
who see costs (``cost:read``). An API key's secret is in the response that creates it,
and nowhere else, ever.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

from radiant.api.auth import require
from radiant.api.etag import IfMatchDep, set_etag
from radiant.api.schemas import ListResponse
from radiant.domain.numbers import Money, NonNegativeDecimal
from radiant.domain.tenant import Tenant, TenantApiKey, TenantModelAccess, TenantStatus
from radiant.security import Permission, Principal
from radiant.tenants import Tenants

router = APIRouter(prefix="/api/v2/admin/tenants", tags=["tenants"])

Reader = Annotated[Principal, require(Permission.ADMIN_READ)]
Writer = Annotated[Principal, require(Permission.TENANTS_WRITE)]


def get_tenants(request: Request) -> Tenants:
    tenants: Tenants = request.app.state.tenants
    return tenants


TenantsDep = Annotated[Tenants, Depends(get_tenants)]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TenantCreate(_Input):
    name: str
    slug: str
    tier: StrictInt = 1
    domain: str | None = None
    billing_email: str | None = None
    settings: dict[str, Any] = Field(default_factory=dict)


class TenantUpdate(_Input):
    name: str | None = None
    slug: str | None = None
    tier: StrictInt | None = None
    status: TenantStatus | None = None
    domain: str | None = None
    billing_email: str | None = None
    settings: dict[str, Any] | None = None


class AccessFields(_Input):
    enabled: StrictBool | None = None
    custom_input_price_per_1m: Money | None = None
    custom_output_price_per_1m: Money | None = None
    custom_markup_percent: NonNegativeDecimal | None = None
    rate_limit_rpm: StrictInt | None = None
    rate_limit_tpm: StrictInt | None = None


class AccessCreate(AccessFields):
    model_id: str


class KeyCreate(_Input):
    name: str
    scopes: list[str] | None = Field(
        default=None,
        description="What the key may be used for: chat, embeddings, images, audio, models "
        "(and the reserved completions, video, moderation). None or empty: every scope.",
    )
    #: the key's own limits; None: the tenant's tier decides
    rate_limit_rpm: StrictInt | None = None
    rate_limit_tpm: StrictInt | None = None
    expires_at: datetime | None = None


class TenantPublic(Tenant):
    """A tenant as the API answers it."""


class KeyPublic(TenantApiKey):
    """A key as the API answers it: its prefix and settings, never its secret or hash."""


class IssuedKeyPublic(KeyPublic):
    """A key just issued: the one answer that carries its secret."""

    key: str = Field(description="The key itself: shown in this answer only, ever.")


_Sent = TypeVar("_Sent")


def _changes(body: BaseModel) -> dict[str, Any]:
    return body.model_dump(exclude_unset=True)


def _access(access: TenantModelAccess, who: Principal) -> dict[str, Any]:
    data = access.model_dump(mode="json")
    if not who.sees_cost:
        data.pop("custom_markup_percent")
    return data


def _sent(response: Response, version: int, data: _Sent) -> _Sent:
    set_etag(response, version)
    return data


def _tenant(tenant: Tenant) -> TenantPublic:
    return TenantPublic.model_validate(tenant, from_attributes=True)


def _key(key: TenantApiKey) -> KeyPublic:
    return KeyPublic.model_validate(key, from_attributes=True)


# ---------------------------------------------------------------------------- tenants


@router.get("")
def list_tenants(
    who: Reader,
    svc: TenantsDep,
    status: TenantStatus | None = None,
    include_deleted: bool = False,
) -> ListResponse[TenantPublic]:
    rows = svc.tenants.list(who, status=status, include_deleted=include_deleted)
    return ListResponse(data=[_tenant(t) for t in rows], count=len(rows))


@router.post("", status_code=201)
def create_tenant(
    who: Writer, svc: TenantsDep, body: TenantCreate, response: Response
) -> TenantPublic:
    tenant = svc.tenants.create(who, **body.model_dump())
    response.headers["Location"] = f"{router.prefix}/{tenant.id}"
    return _sent(response, tenant.row_version, _tenant(tenant))


@router.get("/{tenant}")
def get_tenant(who: Reader, svc: TenantsDep, tenant: str, response: Response) -> TenantPublic:
    found = svc.tenants.get(who, tenant)
    return _sent(response, found.row_version, _tenant(found))


@router.patch("/{tenant}")
def update_tenant(
    who: Writer,
    svc: TenantsDep,
    tenant: str,
    body: TenantUpdate,
    version: IfMatchDep,
    response: Response,
) -> TenantPublic:
    changed = svc.tenants.update(who, tenant, _changes(body), expected_version=version)
    return _sent(response, changed.row_version, _tenant(changed))


@router.delete("/{tenant}")
def delete_tenant(
    who: Writer, svc: TenantsDep, tenant: str, version: IfMatchDep, response: Response
) -> TenantPublic:
    """Soft delete: the tenant is cancelled, its keys revoked; its rows stay."""
    gone = svc.tenants.delete(who, tenant, expected_version=version)
    return _sent(response, gone.row_version, _tenant(gone))


# ---------------------------------------------------------------------------- model access


@router.get("/{tenant}/models")
def list_access(who: Reader, svc: TenantsDep, tenant: str) -> dict[str, Any]:
    rows = svc.access.list(who, tenant)
    return {"data": [_access(a, who) for a in rows], "count": len(rows)}


@router.post("/{tenant}/models", status_code=201)
def grant_access(
    who: Writer, svc: TenantsDep, tenant: str, body: AccessCreate, response: Response
) -> dict[str, Any]:
    values = _changes(body)
    model = values.pop("model_id")
    access = svc.access.grant(who, tenant, model, **values)
    response.headers["Location"] = f"{router.prefix}/{tenant}/models/{access.model_id}"
    return _sent(response, access.row_version, _access(access, who))


@router.get("/{tenant}/models/{model:path}")
def get_access(
    who: Reader, svc: TenantsDep, tenant: str, model: str, response: Response
) -> dict[str, Any]:
    access = svc.access.get(who, tenant, model)
    return _sent(response, access.row_version, _access(access, who))


@router.patch("/{tenant}/models/{model:path}")
def update_access(
    who: Writer,
    svc: TenantsDep,
    tenant: str,
    model: str,
    body: AccessFields,
    version: IfMatchDep,
    response: Response,
) -> dict[str, Any]:
    access = svc.access.update(who, tenant, model, _changes(body), expected_version=version)
    return _sent(response, access.row_version, _access(access, who))


@router.delete("/{tenant}/models/{model:path}", status_code=204)
def revoke_access(
    who: Writer, svc: TenantsDep, tenant: str, model: str, version: IfMatchDep
) -> Response:
    svc.access.revoke(who, tenant, model, expected_version=version)
    return Response(status_code=204)


# ---------------------------------------------------------------------------- API keys


@router.get("/{tenant}/keys")
def list_keys(who: Reader, svc: TenantsDep, tenant: str) -> ListResponse[KeyPublic]:
    rows = svc.keys.list(who, tenant)
    return ListResponse(data=[_key(k) for k in rows], count=len(rows))


@router.post("/{tenant}/keys", status_code=201)
def issue_key(
    who: Writer, svc: TenantsDep, tenant: str, body: KeyCreate, response: Response
) -> IssuedKeyPublic:
    """A new key; ``key`` in this response is the only copy there will ever be."""
    issued = svc.keys.issue(who, tenant, **body.model_dump())
    response.headers["Location"] = f"{router.prefix}/{tenant}/keys/{issued.key.id}"
    response.headers["Cache-Control"] = "no-store"
    data = IssuedKeyPublic.model_validate({**issued.key.model_dump(), "key": issued.secret})
    return _sent(response, issued.key.row_version, data)


@router.get("/{tenant}/keys/{key_id}")
def get_key(
    who: Reader, svc: TenantsDep, tenant: str, key_id: str, response: Response
) -> KeyPublic:
    key = svc.keys.get(who, tenant, key_id)
    return _sent(response, key.row_version, _key(key))


@router.delete("/{tenant}/keys/{key_id}")
def revoke_key(
    who: Writer,
    svc: TenantsDep,
    tenant: str,
    key_id: str,
    version: IfMatchDep,
    response: Response,
) -> KeyPublic:
    """Revoke the key (kept, with status ``revoked``, for the record)."""
    key = svc.keys.revoke(who, tenant, key_id, expected_version=version)
    return _sent(response, key.row_version, _key(key))
