"""OpenAI-compatible model listing under ``/v1``."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from fastapi import APIRouter

from radiant.api.deps import SnapshotDep
from radiant.domain import RouteStatus
from radiant.registry import ModelEntry

router = APIRouter(prefix="/v1", tags=["openai"])


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


@router.get("/models")
def list_models(snapshot: SnapshotDep) -> dict[str, Any]:
    """Models that can be called, in OpenAI's list format (no prices: clients see none here)."""
    return {"object": "list", "data": [_card(e) for e in snapshot.entries if _callable(e)]}


@router.get("/models/{model:path}")
def get_model(snapshot: SnapshotDep, model: str) -> dict[str, Any]:
    return _card(snapshot.resolve(model))
