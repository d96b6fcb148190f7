"""Routing rules as a service: create, read, update and delete them (audited, with
optimistic concurrency) and evaluate them for a request (a dry run). The selection reads
them through :class:`radiant.selection.rule_steering.RuleCache`.

Reads need ``admin:read``, writes ``routing:write`` (administrators and above). Each write
is one transaction: permission check, validation (the domain's rules, and that the
tenant, the target provider and every model it names exist; models are stored by their
id), compare-and-set on ``row_version`` (412 when stale), the audit row, and a registry
version bump, so every process's selection sees the change as soon as it sees the new
version. An administrator bound to one tenant reads and writes that tenant's rules only.

Raises NotFoundError, ValidationError (422), ConflictError (409), PreconditionFailedError
(412), AuthenticationError (401) and PermissionDeniedError (403).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pydantic
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from radiant.core.audit import audit_write
from radiant.core.context import WriteContext, authorize
from radiant.domain.enums import Task
from radiant.domain.routing_rule import RoutingRule
from radiant.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from radiant.security import Permission, Principal
from radiant.selection.rule_matching import RuleCheck, RuleRequest, apply_rules, check_rules
from radiant.selection.rule_steering import rule_request
from radiant.store import rule_repository as repo
from radiant.store.engine import session_scope
from radiant.store.repository import bump_version, store_errors
from radiant.store.tenant_tables import TenantRow
from radiant.tenants.scope import scope_for

if TYPE_CHECKING:
    from radiant.registry import Snapshot
    from radiant.registry.service import Registry

__all__ = ["RULE_FIELDS", "Evaluation", "RoutingRules"]

#: Fields a client may set (``tenant_id`` takes a tenant's id or slug).
RULE_FIELDS = frozenset(
    {
        "tenant_id",
        "name",
        "description",
        "priority",
        "enabled",
        "conditions",
        "action",
        "target_provider",
        "target_model",
        "fallback_models",
        "rate_limit_rpm",
        "rate_limit_tpm",
    }
)


@dataclass(frozen=True)
class Evaluation:
    request: RuleRequest
    checks: list[RuleCheck]

    def as_dict(self) -> dict[str, Any]:
        rules = [c.rule for c in self.checks]
        decision = apply_rules(rules, self.request)
        return {
            "request": {
                "tenant_id": self.request.tenant_id,
                "tenant_tier": self.request.tenant_tier,
                "model_names": list(self.request.model_names),
                "provider_id": self.request.provider_id,
                "task": self.request.task.value if self.request.task else None,
                "capabilities": sorted(self.request.capabilities),
                "estimated_tokens": self.request.estimated_tokens,
            },
            "decision": decision.as_dict(),
            "rules": [
                {
                    "id": c.rule.id,
                    "name": c.rule.name,
                    "scope": c.rule.scope,
                    "tenant_id": c.rule.tenant_id,
                    "priority": c.rule.priority,
                    "action": c.rule.action.value,
                    "enabled": c.rule.enabled,
                    "matched": c.matched,
                    "applied": c.applied,
                    "reason": c.reason,
                }
                for c in self.checks
            ],
        }


class RoutingRules:
    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.engine = registry.engine

    # ------------------------------------------------------------------ reads

    def list(
        self,
        actor: Principal,
        *,
        tenant: str | None = None,
        scope: str | None = None,
        enabled: bool | None = None,
    ) -> list[RoutingRule]:
        """Rules in priority order; ``tenant``: its own and the global ones (``scope``
        ``tenant`` or ``global`` narrows to one kind)."""
        authorize(actor, [Permission.ADMIN_READ])
        if scope not in (None, "tenant", "global"):
            raise ValidationError(f"scope {scope!r}: use 'tenant' or 'global'")
        with self._transaction(actor) as session:
            tenant_id = _bound(actor, tenant and _tenant_id(session, tenant))
            rules = repo.list_rules(session, tenant_id=tenant_id, scope=scope, enabled=enabled)
        return [r for r in rules if _visible(actor, r)]

    def get(self, actor: Principal, rule_id: str) -> RoutingRule:
        authorize(actor, [Permission.ADMIN_READ])
        with self._transaction(actor) as session:
            rule = repo.get_rule(session, rule_id)
        if not _visible(actor, rule):
            raise NotFoundError("routing rule", rule_id)
        return rule

    def evaluate(
        self,
        actor: Principal,
        *,
        tenant: str | None = None,
        tenant_tier: int | None = None,
        model: str | None = None,
        task: Task | None = None,
        capabilities: frozenset[str] = frozenset(),
        estimated_tokens: int | None = None,
    ) -> Evaluation:
        """A dry run: which rules (enabled or not) match this request, and the decision."""
        authorize(actor, [Permission.ADMIN_READ])
        with self._transaction(actor) as session:
            tenant_id = _bound(actor, tenant and _tenant_id(session, tenant))
            if tenant_id is not None and tenant_tier is None:
                tenant_tier = session.scalar(
                    select(TenantRow.tier).where(TenantRow.id == tenant_id)
                )
            rules = repo.list_rules(
                session, tenant_id=tenant_id, scope=None if tenant_id else "global"
            )
        request = rule_request(
            self.registry.snapshot(),
            tenant_id=tenant_id,
            tenant_tier=tenant_tier,
            model=model,
            task=task,
            capabilities=capabilities,
            estimated_tokens=estimated_tokens,
        )
        return Evaluation(request, check_rules(rules, request))

    # ------------------------------------------------------------------ writes

    def create(self, ctx: WriteContext, data: Mapping[str, Any]) -> RoutingRule:
        authorize(ctx.principal, [Permission.ROUTING_WRITE])
        _known_fields(data)
        with self._transaction(ctx.principal) as session:
            values = self._resolved(session, ctx.principal, dict(data))
            if ctx.principal.tenant_id is not None:
                values.setdefault("tenant_id", ctx.principal.tenant_id)
            rule = _validated({**values, "id": str(uuid.uuid4())})
            stored = repo.insert_rule(session, rule, ctx.principal.name[:200])
            audit_write(
                session, ctx, "routing_rule.create", "routing_rule", stored.id, None, stored
            )
            version = bump_version(session, models=())  # rules are not in a snapshot
        self.registry.invalidate(version)
        return stored

    def update(
        self, ctx: WriteContext, rule_id: str, changes: Mapping[str, Any], expected_version: int
    ) -> RoutingRule:
        """Change some fields of a rule read at ``expected_version`` (its ETag)."""
        authorize(ctx.principal, [Permission.ROUTING_WRITE])
        _known_fields(changes)
        if not changes:
            raise ValidationError("nothing to change: the body names no field")
        with self._transaction(ctx.principal) as session:
            current = self._writable(session, ctx.principal, rule_id)
            values = self._resolved(session, ctx.principal, dict(changes))
            base = current.model_dump(exclude={"row_version", "created_at", "updated_at"})
            merged = _validated({**base, **values})
            stored = repo.update_rule(session, merged, expected_version, ctx.principal.name[:200])
            old = {f: v for f, v in current.model_dump(mode="json").items() if f in changes}
            new = {f: v for f, v in stored.model_dump(mode="json").items() if f in changes}
            audit_write(session, ctx, "routing_rule.update", "routing_rule", rule_id, old, new)
            version = bump_version(session, models=())  # rules are not in a snapshot
        self.registry.invalidate(version)
        return stored

    def delete(self, ctx: WriteContext, rule_id: str, expected_version: int) -> None:
        authorize(ctx.principal, [Permission.ROUTING_WRITE])
        with self._transaction(ctx.principal) as session:
            current = self._writable(session, ctx.principal, rule_id)
            repo.delete_rule(session, rule_id, expected_version)
            audit_write(session, ctx, "routing_rule.delete", "routing_rule", rule_id, current, None)
            version = bump_version(session, models=())  # rules are not in a snapshot
        self.registry.invalidate(version)

    # ------------------------------------------------------------------ helpers

    @contextmanager
    def _transaction(self, actor: Principal) -> Iterator[Session]:
        with store_errors():
            try:
                with session_scope(self.engine) as session:
                    scope_for(session, actor)
                    yield session
            except IntegrityError as exc:
                detail = str(exc.orig or exc).strip().splitlines()[0]
                raise ConflictError(f"the rule collides with stored data: {detail}") from None

    def _writable(self, session: Session, actor: Principal, rule_id: str) -> RoutingRule:
        rule = repo.get_rule(session, rule_id)
        if not _visible(actor, rule):
            raise NotFoundError("routing rule", rule_id)
        return rule

    def _resolved(
        self, session: Session, actor: Principal, values: dict[str, Any]
    ) -> dict[str, Any]:
        """Names a client gives turned into stored ids; unknown ones are a 422."""
        if values.get("tenant_id") is not None:
            values["tenant_id"] = _tenant_id(session, str(values["tenant_id"]), as_input=True)
        bound = actor.tenant_id
        if bound is not None and values.get("tenant_id", bound) != bound:
            raise PermissionDeniedError(f"{actor.name} may write only its own tenant's rules")
        snapshot = self.registry.snapshot()
        if isinstance(values.get("target_model"), str):
            values["target_model"] = _model_id(snapshot, values["target_model"])
        if isinstance(values.get("fallback_models"), list):
            values["fallback_models"] = [
                _model_id(snapshot, m) if isinstance(m, str) else m
                for m in values["fallback_models"]
            ]
        provider = values.get("target_provider")
        if isinstance(provider, str) and provider not in snapshot.providers:
            raise ValidationError(f"target_provider {provider!r} is not a known provider")
        return values


def _known_fields(data: Mapping[str, Any]) -> None:
    unknown = sorted(set(data) - RULE_FIELDS)
    if unknown:
        raise ValidationError(f"routing rules have no field(s) {', '.join(unknown)}")


def _validated(values: Mapping[str, Any]) -> RoutingRule:
    try:
        return RoutingRule.model_validate(values)
    except pydantic.ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'rule'}: {err['msg']}"
            for err in exc.errors()
        )
        raise ValidationError(problems) from None


def _tenant_id(session: Session, ref: str, *, as_input: bool = False) -> str:
    row = session.execute(
        select(TenantRow.id).where((TenantRow.id == ref) | (TenantRow.slug == ref))
    ).first()
    if row is None:
        if as_input:
            raise ValidationError(f"tenant_id {ref!r} is not a known tenant id or slug")
        raise NotFoundError("tenant", ref)
    return str(row[0])


def _model_id(snapshot: Snapshot, name: str) -> str:
    try:
        return snapshot.resolve(name).id
    except NotFoundError as exc:
        raise ValidationError(exc.message) from None


def _bound(actor: Principal, tenant_id: str | None) -> str | None:
    """A tenant-bound administrator always reads its own tenant's rules."""
    if actor.tenant_id is None:
        return tenant_id
    if tenant_id not in (None, actor.tenant_id):
        raise PermissionDeniedError(f"{actor.name} may read only its own tenant's rules")
    return actor.tenant_id


def _visible(actor: Principal, rule: RoutingRule) -> bool:
    return actor.tenant_id is None or rule.tenant_id in (None, actor.tenant_id)
