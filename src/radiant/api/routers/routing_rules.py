"""Routing rules under ``/api/v2/admin/routing-rules`` (docs/concepts.md, Routing rule).

Reads need ``admin:read``; writes ``routing:write``. Every rule carries its ``row_version``
as ETag; PATCH and DELETE need ``If-Match`` (428 without, 412 when stale). Lists are
``{data, count}`` in the order rules are considered (priority ascending).
``POST .../evaluate`` is a dry run: every rule, whether it matches the described request
and took effect, and what they decide together.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

from radiant.api.auth import require
from radiant.api.etag import IfMatchDep, set_etag
from radiant.api.request_context import ContextDep, authenticated
from radiant.domain.base import INT32_MAX
from radiant.domain.enums import Task
from radiant.domain.routing_rule import RoutingRule, RuleAction, RuleConditions
from radiant.security import Permission, Principal
from radiant.selection.rule_admin import RoutingRules

router = APIRouter(prefix="/api/v2/admin/routing-rules", tags=["routing rules"])

Reader = Annotated[Principal, require(Permission.ADMIN_READ)]


def get_rules(request: Request) -> RoutingRules:
    rules: RoutingRules = request.app.state.routing_rules
    return rules


RulesDep = Annotated[RoutingRules, Depends(get_rules)]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RoutingRuleCreate(_Input):
    name: str = Field(min_length=1, max_length=100)
    action: RuleAction
    #: a tenant's id or slug; absent or null: a global rule
    tenant_id: str | None = None
    description: str | None = None
    priority: StrictInt = Field(default=100, ge=0, le=INT32_MAX)
    enabled: StrictBool = True
    conditions: RuleConditions = Field(default_factory=RuleConditions)
    target_provider: str | None = None
    target_model: str | None = None
    fallback_models: list[str] = Field(default_factory=list, max_length=20)
    rate_limit_rpm: StrictInt | None = Field(default=None, ge=1, le=INT32_MAX)
    rate_limit_tpm: StrictInt | None = Field(default=None, ge=1, le=INT32_MAX)


class RoutingRuleUpdate(_Input):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    action: RuleAction | None = None
    tenant_id: str | None = None
    description: str | None = None
    priority: StrictInt | None = Field(default=None, ge=0, le=INT32_MAX)
    enabled: StrictBool | None = None
    conditions: RuleConditions | None = None
    target_provider: str | None = None
    target_model: str | None = None
    fallback_models: list[str] | None = Field(default=None, max_length=20)
    rate_limit_rpm: StrictInt | None = Field(default=None, ge=1, le=INT32_MAX)
    rate_limit_tpm: StrictInt | None = Field(default=None, ge=1, le=INT32_MAX)


class RuleEvaluation(_Input):
    """A request to test the rules with."""

    tenant_id: str | None = Field(default=None, description="A tenant's id or slug.")
    tenant_tier: StrictInt | None = Field(default=None, ge=1, le=5)
    model: str | None = Field(default=None, max_length=300)
    task: Task | None = None
    capabilities: list[str] = Field(default_factory=list, max_length=100)
    estimated_tokens: StrictInt | None = Field(default=None, ge=0, le=INT32_MAX)


def _body(rule: RoutingRule, response: Response) -> dict[str, Any]:
    set_etag(response, rule.row_version)
    return rule.model_dump(mode="json")


def _changes(body: BaseModel) -> dict[str, Any]:
    changes = body.model_dump(exclude_unset=True)
    if "conditions" in changes and changes["conditions"] is None:
        changes["conditions"] = {}
    if "fallback_models" in changes and changes["fallback_models"] is None:
        changes["fallback_models"] = []
    return changes


@router.get("")
def list_rules(
    who: Reader,
    rules: RulesDep,
    tenant_id: str | None = None,
    scope: Literal["tenant", "global"] | None = None,
    enabled: bool | None = None,
) -> dict[str, Any]:
    """Rules in the order they are considered; ``tenant_id``: that tenant's and the
    global ones."""
    found = rules.list(who, tenant=tenant_id, scope=scope, enabled=enabled)
    return {"data": [r.model_dump(mode="json") for r in found], "count": len(found)}


@router.post("", status_code=201, dependencies=[authenticated])
def create_rule(
    body: RoutingRuleCreate, rules: RulesDep, ctx: ContextDep, response: Response
) -> dict[str, Any]:
    rule = rules.create(ctx, body.model_dump(exclude_unset=True))
    response.headers["Location"] = f"{router.prefix}/{rule.id}"
    return _body(rule, response)


@router.post("/evaluate")
def evaluate_rules(who: Reader, body: RuleEvaluation, rules: RulesDep) -> dict[str, Any]:
    """Dry run: which rules match this request, which took effect, and the decision."""
    evaluation = rules.evaluate(
        who,
        tenant=body.tenant_id,
        tenant_tier=body.tenant_tier,
        model=body.model,
        task=body.task,
        capabilities=frozenset(body.capabilities),
        estimated_tokens=body.estimated_tokens,
    )
    return evaluation.as_dict()


@router.get("/{rule_id}")
def get_rule(who: Reader, rule_id: str, rules: RulesDep, response: Response) -> dict[str, Any]:
    return _body(rules.get(who, rule_id), response)


@router.patch("/{rule_id}", dependencies=[authenticated])
def update_rule(
    rule_id: str,
    body: RoutingRuleUpdate,
    rules: RulesDep,
    ctx: ContextDep,
    version: IfMatchDep,
    response: Response,
) -> dict[str, Any]:
    return _body(rules.update(ctx, rule_id, _changes(body), version), response)


@router.delete("/{rule_id}", status_code=204, dependencies=[authenticated])
def delete_rule(rule_id: str, rules: RulesDep, ctx: ContextDep, version: IfMatchDep) -> Response:
    rules.delete(ctx, rule_id, version)
    return Response(status_code=204)
