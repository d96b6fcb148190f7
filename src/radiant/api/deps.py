"""FastAPI dependencies as ``Annotated`` aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from radiant.registry import Snapshot
from radiant.registry.service import Registry

__all__ = ["RegistryDep", "SnapshotDep"]


def get_registry(request: Request) -> Registry:
    registry: Registry = request.app.state.registry
    return registry


def get_snapshot(request: Request) -> Snapshot:
    return get_registry(request).snapshot()


RegistryDep = Annotated[Registry, Depends(get_registry)]
SnapshotDep = Annotated[Snapshot, Depends(get_snapshot)]
