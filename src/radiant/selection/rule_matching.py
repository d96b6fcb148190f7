"""Applying routing rules to a request, before selection: a pure function over rules.

How rules combine (:func:`apply_rules`):

1. Only enabled rules count that are global or belong to the request's tenant.
2. They are considered in order: ``priority`` ascending (lower first), then the tenant's
   own rule before a global one of the same priority, then name and id (deterministic).
3. The first matching ``route`` or ``block`` rule decides: a ``block`` refuses the
   request (nothing else applies), a ``route`` names the target model and/or provider
   and contributes its ``fallback_models``. Later ``route``/``block`` rules that match are
   reported as matched but change nothing.
4. Every matching ``fallback`` rule appends its ``fallback_models`` (in rule order, each
   model once, never the target itself).
5. Every matching ``rate_limit`` rule attaches its limits; the effective limit per
   dimension is the strictest (smallest) of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from radiant.domain.enums import Task
from radiant.domain.routing_rule import RoutingRule, RuleAction, RuleConditions

__all__ = [
    "RateLimit",
    "RuleCheck",
    "RuleDecision",
    "RuleRequest",
    "apply_rules",
    "check_rules",
    "mismatch",
    "rule_order",
]


@dataclass(frozen=True, slots=True)
class RuleRequest:
    """What rules look at. ``model_names`` are the requested model's id and aliases."""

    tenant_id: str | None = None
    tenant_tier: int | None = None
    model_names: tuple[str, ...] = ()
    provider_id: str | None = None
    task: Task | None = None
    capabilities: frozenset[str] = frozenset()
    estimated_tokens: int | None = None


@dataclass(frozen=True, slots=True)
class RateLimit:
    rule_id: str
    rule_name: str
    rpm: int | None
    tpm: int | None


@dataclass(frozen=True, slots=True)
class RuleDecision:
    """What the rules decided for one request."""

    blocked: bool = False
    #: the rule that decided (block or route), if any
    rule_id: str | None = None
    rule_name: str | None = None
    reason: str | None = None
    target_model: str | None = None
    target_provider: str | None = None
    fallback_models: tuple[str, ...] = ()
    rate_limits: tuple[RateLimit, ...] = ()
    #: ids of every rule whose conditions matched, in the order they were considered
    matched: tuple[str, ...] = ()

    @property
    def rpm(self) -> int | None:
        values = [r.rpm for r in self.rate_limits if r.rpm is not None]
        return min(values) if values else None

    @property
    def tpm(self) -> int | None:
        values = [r.tpm for r in self.rate_limits if r.tpm is not None]
        return min(values) if values else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "blocked": self.blocked,
            "rule_id": self.rule_id,
            "rule_name": self.rule_name,
            "reason": self.reason,
            "target_model": self.target_model,
            "target_provider": self.target_provider,
            "fallback_models": list(self.fallback_models),
            "rate_limits": [
                {"rule_id": r.rule_id, "rule_name": r.rule_name, "rpm": r.rpm, "tpm": r.tpm}
                for r in self.rate_limits
            ],
            "rate_limit_rpm": self.rpm,
            "rate_limit_tpm": self.tpm,
            "matched": list(self.matched),
        }


@dataclass(frozen=True, slots=True)
class RuleCheck:
    """One rule's verdict for a request (the dry run shows every one)."""

    rule: RoutingRule
    matched: bool
    #: why it did not match or did not take effect (None when it applied)
    reason: str | None = None
    applied: bool = False


def rule_order(rule: RoutingRule) -> tuple[int, int, str, str]:
    return (rule.priority, 0 if rule.tenant_id is not None else 1, rule.name, rule.id)


def _glob(patterns: Sequence[str], names: Iterable[str]) -> bool:
    folded = [n.casefold() for n in names]
    return any(fnmatchcase(name, p.casefold()) for p in patterns for name in folded)


def _tier_mismatch(c: RuleConditions, tier: int | None) -> str | None:
    if not (c.tenant_tiers or c.min_tier or c.max_tier):
        return None
    if tier is None:
        return "the request has no tenant tier"
    if c.tenant_tiers and tier not in c.tenant_tiers:
        return f"tier {tier} is not one of {c.tenant_tiers}"
    if c.min_tier is not None and tier < c.min_tier:
        return f"tier {tier} is below {c.min_tier}"
    if c.max_tier is not None and tier > c.max_tier:
        return f"tier {tier} is above {c.max_tier}"
    return None


def _size_mismatch(c: RuleConditions, tokens: int | None) -> str | None:
    low, high = c.min_estimated_tokens, c.max_estimated_tokens
    if low is None and high is None:
        return None
    if tokens is None:
        return "the request has no token estimate"
    if low is not None and tokens < low:
        return f"{tokens} estimated tokens is below {low}"
    if high is not None and tokens > high:
        return f"{tokens} estimated tokens is above {high}"
    return None


def mismatch(rule: RoutingRule, request: RuleRequest) -> str | None:
    """Why ``rule``'s conditions do not hold for ``request``; None when they all do."""
    c = rule.conditions
    if c.models and not _glob(c.models, request.model_names):
        return "the model matches none of " + ", ".join(c.models)
    if c.providers and (
        request.provider_id is None or not _glob(c.providers, [request.provider_id])
    ):
        return "the provider matches none of " + ", ".join(c.providers)
    missing = [cap for cap in c.capabilities if cap not in request.capabilities]
    if missing:
        return "the request does not require " + ", ".join(missing)
    if c.tasks and request.task not in c.tasks:
        return "the task is not one of " + ", ".join(t.value for t in c.tasks)
    return _tier_mismatch(c, request.tenant_tier) or _size_mismatch(c, request.estimated_tokens)


def _applies_to(rule: RoutingRule, request: RuleRequest) -> str | None:
    if not rule.enabled:
        return "disabled"
    if rule.tenant_id is not None and rule.tenant_id != request.tenant_id:
        return "another tenant's rule"
    return None


def check_rules(rules: Iterable[RoutingRule], request: RuleRequest) -> list[RuleCheck]:
    """Every rule, in the order considered, with whether it matched and took effect
    (``applied``); a matching route or block rule after the deciding one does not."""
    checks: list[RuleCheck] = []
    decided = False
    for rule in sorted(rules, key=rule_order):
        why = _applies_to(rule, request) or mismatch(rule, request)
        if why is not None:
            checks.append(RuleCheck(rule, matched=False, reason=why))
            continue
        applied = True
        if rule.action in (RuleAction.ROUTE, RuleAction.BLOCK):
            applied, decided = not decided, True
        reason = None if applied else "an earlier route or block rule decided"
        checks.append(RuleCheck(rule, matched=True, applied=applied, reason=reason))
    if any(c.applied and c.rule.action is RuleAction.BLOCK for c in checks):
        checks = [
            c if c.rule.action is RuleAction.BLOCK or not c.applied else _shadowed(c)
            for c in checks
        ]
    return checks


def _shadowed(check: RuleCheck) -> RuleCheck:
    return RuleCheck(check.rule, matched=True, applied=False, reason="the request is blocked")


def apply_rules(rules: Iterable[RoutingRule], request: RuleRequest) -> RuleDecision:
    """What the enabled rules of the request's tenant (and the global ones) decide."""
    checks = check_rules(rules, request)
    matched = tuple(c.rule.id for c in checks if c.matched)
    applied = [c.rule for c in checks if c.applied]
    decisive = next((r for r in applied if r.action in (RuleAction.ROUTE, RuleAction.BLOCK)), None)
    if decisive is not None and decisive.action is RuleAction.BLOCK:
        return RuleDecision(
            blocked=True,
            rule_id=decisive.id,
            rule_name=decisive.name,
            reason=decisive.description or f"blocked by routing rule {decisive.name!r}",
            matched=matched,
        )
    target = decisive.target_model if decisive is not None else None
    fallbacks: dict[str, None] = {}
    for rule in applied:
        if rule.action in (RuleAction.ROUTE, RuleAction.FALLBACK):
            for name in rule.fallback_models:
                if name != target:
                    fallbacks.setdefault(name, None)
    limits = tuple(
        RateLimit(r.id, r.name, r.rate_limit_rpm, r.rate_limit_tpm)
        for r in applied
        if r.action is RuleAction.RATE_LIMIT
    )
    return RuleDecision(
        rule_id=decisive.id if decisive else None,
        rule_name=decisive.name if decisive else None,
        reason=(decisive.description or f"routed by rule {decisive.name!r}") if decisive else None,
        target_model=target,
        target_provider=decisive.target_provider if decisive else None,
        fallback_models=tuple(fallbacks),
        rate_limits=limits,
        matched=matched,
    )
