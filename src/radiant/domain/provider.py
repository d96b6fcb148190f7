"""Providers: who makes or sells a model."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from radiant.domain.base import DomainModel, Identifier
from radiant.domain.enums import AuthType, LifecycleStatus

__all__ = ["Provider"]


class Provider(DomainModel):
    """A provider: who makes or sells models (docs/concepts.md, Provider)."""

    id: Identifier
    name: str = Field(min_length=1)
    display_name: str = Field(min_length=1)
    category: str = Field(min_length=1)
    description: str = ""
    website: str | None = None
    api_base_url: str | None = None
    auth_type: AuthType = AuthType.API_KEY
    #: Where the credential lives: a secret reference, never the secret.
    secret_ref: str | None = None
    #: Environment variable holding the API key for the portable deployment.
    api_key_env: str | None = None
    enabled: bool = True
    status: LifecycleStatus = LifecycleStatus.ACTIVE
    regions: list[str] = Field(default_factory=list)
    features: list[str] = Field(default_factory=list)
    compliance: list[str] = Field(default_factory=list)
    rate_limit_rpm: int | None = Field(default=None, gt=0)
    rate_limit_tpm: int | None = Field(default=None, gt=0)
    #: Platforms the provider's models are available on.
    platforms: list[str] = Field(default_factory=list)
    #: The company a catalog-split provider belongs to (``openai-images`` -> ``openai``).
    parent_id: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)

    @property
    def auth_required(self) -> bool:
        return self.auth_type is not AuthType.NONE

    @property
    def direct_api_url(self) -> str | None:
        return self.api_base_url
