"""OpenAI-compatible model listing under ``/v1``.

Without a key the list is every model that can be called; with a tenant API key it is
only the models that tenant may use (granted, enabled, within its tier), and the key needs
its ``models`` scope. The answers are OpenAI's ``list`` of ``model`` objects.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from fastapi import APIRouter, Request

from radiant.api.auth import PrincipalDep
from radiant.api.deps import SnapshotDep
from radiant.domain import RouteStatus
from radiant.errors import ModelNotFoundError
from radiant.providers.openai_wire import ModelCard, ModelList
from radiant.registry import ModelEntry
from radiant.security import Principal, PrincipalKind

router = APIRouter(prefix="/v1", tags=["openai"])

#: a key is optional here: without one, the list of every callable model
_KEY_OPTIONAL: dict[str, Any] = {"security": [{}, {"TenantKey": []}]}


def _card(entry: ModelEntry) -> dict[str, Any]:
    released = entry.model.release_date
    created = int(datetime.combine(released, time(), tzinfo=UTC).timestamp()) if released else 0
    return {
        "id": entry.id,
        "object": "model",
        "created": created,
        "owned_by": entry.model.provider_id,
    }


def _callable(entry: ModelEntry) -> bool:
    return entry.model.enabled and any(r.status is RouteStatus.ACTIVE for r in entry.routes)


def _allowed(request: Request, principal: Principal) -> frozenset[str] | None:
    """The models a tenant key may use; None (no limit) for everyone else."""
    if principal.kind is not PrincipalKind.TENANT or principal.tenant_id is None:
        return None
    enabled: frozenset[str] = request.app.state.tenants.access.enabled_models(principal.tenant_id)
    return enabled


@router.get("/models", response_model=ModelList, openapi_extra=_KEY_OPTIONAL)
def list_models(request: Request, snapshot: SnapshotDep, principal: PrincipalDep) -> dict[str, Any]:
    """Models that can be called, in OpenAI's list format (no prices: clients see none here)."""
    allowed = _allowed(request, principal)
    return {
        "object": "list",
        "data": [
            _card(e)
            for e in snapshot.entries
            if _callable(e) and (allowed is None or e.id in allowed)
        ],
    }


@router.get("/models/{model:path}", response_model=ModelCard, openapi_extra=_KEY_OPTIONAL)
def get_model(
    request: Request, snapshot: SnapshotDep, principal: PrincipalDep, model: str
) -> dict[str, Any]:
    allowed = _allowed(request, principal)
    if allowed is None:
        return _card(snapshot.resolve(model))
    entry = snapshot.find(model)
    if entry is None or entry.id not in allowed:
        # no suggestions: they would name models this tenant may not use
        raise ModelNotFoundError(model)
    return _card(entry)
