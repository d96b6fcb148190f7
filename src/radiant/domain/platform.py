"""Platforms: where a model is served."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from radiant.domain.base import DomainModel, Identifier
from radiant.domain.enums import AuthType, LifecycleStatus, PlatformKind

__all__ = ["Platform"]


class Platform(DomainModel):
    """A platform: where models are served, and what kind of platform it is."""

    id: Identifier
    name: str = Field(min_length=1)
    description: str = ""
    kind: PlatformKind
    base_url: str | None = None
    auth_type: AuthType = AuthType.API_KEY
    #: How to authenticate: names of environment variables or secret references, never secrets.
    auth_config: dict[str, str] = Field(default_factory=dict)
    supported_providers: list[str] = Field(default_factory=list)
    features: dict[str, bool] = Field(default_factory=dict)
    regions: list[str] = Field(default_factory=list)
    openai_compatible: bool = False
    status: LifecycleStatus = LifecycleStatus.ACTIVE
    metadata: dict[str, Any] = Field(default_factory=dict)
