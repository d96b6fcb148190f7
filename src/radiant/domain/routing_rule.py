"""Routing rules: conditions on a request, and what to do.

A rule is global (``tenant_id`` None) or one tenant's. Its ``conditions`` are data, all
of which must hold (an empty set of conditions matches every request):

============================  ===============================================================
``models``                    glob patterns (``*``, ``?``, ``[...]``, case-insensitive) on the
                              requested model's id or any of its aliases; a request that
                              names no model (selection by criteria) never matches them
``providers``                 glob patterns on the requested model's provider id
``tenant_tiers``              the tenant's tier is one of these
``min_tier`` / ``max_tier``   the tenant's tier is within these bounds (inclusive)
``capabilities``              the request requires every one of these capabilities
``tasks``                     the request's task is one of these
``min_estimated_tokens`` /    the request's estimated size (input + output tokens) is within
``max_estimated_tokens``      these bounds (inclusive); a request without an estimate never
                              matches a size condition
============================  ===============================================================

Actions:

* ``route`` sends the request to ``target_model`` and/or to a model of ``target_provider``
  (at least one), with optional ``fallback_models``;
* ``fallback`` adds ``fallback_models`` (at least one) to the fallback chain;
* ``block`` refuses the request (no target, no fallback);
* ``rate_limit`` attaches ``rate_limit_rpm`` and/or ``rate_limit_tpm`` (at least one).

Lower ``priority`` numbers are considered first (the default is 100);
:func:`radiant.selection.rule_matching.apply_rules` says how they combine.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field, StrictInt, field_validator, model_validator

from radiant.domain.base import INT32_MAX, DomainModel, Identifier, normalize_tags
from radiant.domain.enums import Task

__all__ = ["RuleAction", "RuleConditions", "RoutingRule"]


class RuleAction(StrEnum):
    ROUTE = "route"
    FALLBACK = "fallback"
    BLOCK = "block"
    RATE_LIMIT = "rate_limit"


class RuleConditions(DomainModel):
    """When a rule applies: every condition given must hold."""

    models: list[str] = Field(default_factory=list, max_length=100)
    providers: list[str] = Field(default_factory=list, max_length=100)
    tenant_tiers: list[StrictInt] = Field(default_factory=list, max_length=5)
    min_tier: StrictInt | None = Field(default=None, ge=1, le=5)
    max_tier: StrictInt | None = Field(default=None, ge=1, le=5)
    capabilities: list[str] = Field(default_factory=list, max_length=100)
    tasks: list[Task] = Field(default_factory=list, max_length=20)
    min_estimated_tokens: StrictInt | None = Field(default=None, ge=0, le=INT32_MAX)
    max_estimated_tokens: StrictInt | None = Field(default=None, ge=0, le=INT32_MAX)

    @field_validator("models", "providers", "capabilities")
    @classmethod
    def _patterns(cls, values: list[str]) -> list[str]:
        cleaned = [v.strip() for v in values]
        if any(not v or len(v) > 200 for v in cleaned):
            raise ValueError("entries must be 1 to 200 characters")
        return normalize_tags(cleaned)

    @field_validator("tenant_tiers")
    @classmethod
    def _tiers(cls, values: list[int]) -> list[int]:
        if any(not 1 <= v <= 5 for v in values):
            raise ValueError("tiers are 1 to 5")
        return sorted(set(values))

    @model_validator(mode="after")
    def _bounds(self) -> RuleConditions:
        if self.min_tier and self.max_tier and self.min_tier > self.max_tier:
            raise ValueError("min_tier is above max_tier")
        low, high = self.min_estimated_tokens, self.max_estimated_tokens
        if low is not None and high is not None and low > high:
            raise ValueError("min_estimated_tokens is above max_estimated_tokens")
        return self

    @property
    def is_empty(self) -> bool:
        return self == RuleConditions()


class RoutingRule(DomainModel):
    """One stored rule; ``row_version`` is its ETag."""

    id: str = Field(min_length=1, max_length=36)
    tenant_id: str | None = Field(default=None, max_length=36)
    name: str = Field(min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=2000)
    priority: int = Field(default=100, ge=0, le=INT32_MAX)
    enabled: bool = True
    conditions: RuleConditions = Field(default_factory=RuleConditions)
    action: RuleAction
    target_provider: Identifier | None = Field(default=None, max_length=64)
    target_model: Identifier | None = Field(default=None, max_length=128)
    fallback_models: list[Identifier] = Field(default_factory=list, max_length=20)
    rate_limit_rpm: int | None = Field(default=None, ge=1, le=INT32_MAX)
    rate_limit_tpm: int | None = Field(default=None, ge=1, le=INT32_MAX)
    row_version: int = Field(default=1, ge=1)
    created_by: str | None = None
    updated_by: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @field_validator("fallback_models")
    @classmethod
    def _unique(cls, values: list[str]) -> list[str]:
        return normalize_tags(values)

    @model_validator(mode="after")
    def _action_fits(self) -> RoutingRule:
        has_target = self.target_model is not None or self.target_provider is not None
        has_limit = self.rate_limit_rpm is not None or self.rate_limit_tpm is not None
        action = self.action
        if action is RuleAction.ROUTE and not has_target:
            raise ValueError("a route rule needs target_model or target_provider")
        if action is not RuleAction.ROUTE and has_target:
            raise ValueError(f"a {action.value} rule takes no target_model or target_provider")
        if action is RuleAction.FALLBACK and not self.fallback_models:
            raise ValueError("a fallback rule needs fallback_models")
        if action in (RuleAction.BLOCK, RuleAction.RATE_LIMIT) and self.fallback_models:
            raise ValueError(f"a {action.value} rule takes no fallback_models")
        if action is RuleAction.RATE_LIMIT and not has_limit:
            raise ValueError("a rate_limit rule needs rate_limit_rpm or rate_limit_tpm")
        if action is not RuleAction.RATE_LIMIT and has_limit:
            raise ValueError(f"a {action.value} rule takes no rate limits")
        if self.target_model is not None and self.target_model in self.fallback_models:
            raise ValueError("target_model is also among fallback_models")
        return self

    @property
    def scope(self) -> str:
        return "global" if self.tenant_id is None else "tenant"
