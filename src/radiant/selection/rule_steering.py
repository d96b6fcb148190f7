"""Routing rules applied to a selection (the :class:`~radiant.selection.service.Selector`
calls these before and after the engine).

* **block**: :func:`decide` raises :class:`RoutingBlockedError` (403) naming the rule.
* **route** to a provider: the provider is preferred (``preferred_providers`` first:
  its models rank ahead, the others stay as fallbacks).
* **route** to a model: that model's candidates come first, when it meets the criteria
  (a rule steers; it never serves a request with a model that cannot do it).
* **fallback** models (of fallback rules and of the deciding route rule): their
  candidates come right after the first choice, in rule order, ahead of the others.

Moved candidates carry the rule in their ``reasons``. Rules are read through
:class:`RuleCache`: once per registry version, never per request.
"""

from __future__ import annotations

import threading

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from radiant.domain.enums import Task
from radiant.domain.routing_rule import RoutingRule
from radiant.errors import NotFoundError, PermissionDeniedError
from radiant.registry import Snapshot
from radiant.selection.criteria import SelectionCriteria
from radiant.selection.engine import Candidate, Selection
from radiant.selection.fallback import FallbackChoice, FallbackPath
from radiant.selection.rule_matching import RuleDecision, RuleRequest, apply_rules
from radiant.store import rule_repository as repo
from radiant.store.repository import store_errors
from radiant.store.tables import RegistryStateRow

__all__ = [
    "RoutingBlockedError",
    "RuleCache",
    "decide",
    "reorder",
    "routed_fallback",
    "rule_request",
    "steer",
]

#: How many candidates a steered selection looks at (the criteria's largest limit).
_WIDE = 1000


class RoutingBlockedError(PermissionDeniedError):
    """A routing rule refuses the request (403); ``rule_id`` and ``rule_name`` say which."""

    def __init__(self, decision: RuleDecision) -> None:
        super().__init__(
            f"blocked by routing rule {decision.rule_name!r} ({decision.rule_id}): "
            f"{decision.reason}"
        )
        self.rule_id = decision.rule_id
        self.rule_name = decision.rule_name


class RuleCache:
    """The enabled rules as of a registry version: one query per version change, none per
    request. Rule writes bump the registry version, so a newer snapshot means a reload."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._version = -1
        self._rules: tuple[RoutingRule, ...] = ()
        self._lock = threading.Lock()

    def rules(self, version: int) -> tuple[RoutingRule, ...]:
        if version <= self._version:
            return self._rules
        with self._lock:
            if version > self._version:
                with store_errors(), Session(self.engine) as session:
                    current = session.scalar(
                        select(RegistryStateRow.version).where(RegistryStateRow.id == 1)
                    )
                    self._rules = tuple(repo.list_rules(session, enabled=True))
                self._version = max(version, int(current or 0))
            return self._rules


def rule_request(
    snapshot: Snapshot,
    *,
    tenant_id: str | None = None,
    tenant_tier: int | None = None,
    model: str | None = None,
    task: Task | None = None,
    capabilities: frozenset[str] = frozenset(),
    estimated_tokens: int | None = None,
) -> RuleRequest:
    """A rule request; a known ``model`` brings its id, aliases, provider and task (an
    unknown name is matched as given)."""
    names: tuple[str, ...] = ()
    provider = None
    if model:
        try:
            entry = snapshot.resolve(model)
        except NotFoundError:
            names = (model,)
        else:
            names = (model, *(n for n in entry.model.names() if n != model))
            provider = entry.model.provider_id
            task = task or entry.task
    return RuleRequest(
        tenant_id=tenant_id,
        tenant_tier=tenant_tier,
        model_names=names,
        provider_id=provider,
        task=task,
        capabilities=capabilities,
        estimated_tokens=estimated_tokens,
    )


def decide(
    rules: tuple[RoutingRule, ...],
    snapshot: Snapshot,
    criteria: SelectionCriteria,
    *,
    tenant_id: str | None,
    model: str | None,
) -> RuleDecision:
    """What the rules decide for a selection; raises RoutingBlockedError for a block."""
    if not rules:
        return RuleDecision()
    request = rule_request(
        snapshot,
        tenant_id=tenant_id,
        tenant_tier=criteria.tier,
        model=model,
        task=criteria.task,
        capabilities=frozenset(criteria.required_capabilities),
        estimated_tokens=criteria.estimated_input_tokens + criteria.estimated_output_tokens,
    )
    decision = apply_rules(rules, request)
    if decision.blocked:
        raise RoutingBlockedError(decision)
    return decision


def steer(criteria: SelectionCriteria, decision: RuleDecision) -> SelectionCriteria:
    """The criteria to select with: the target provider preferred; a wide limit when models
    are to be moved up (they may rank below the requested limit)."""
    update: dict[str, object] = {}
    provider = decision.target_provider
    if provider is not None:
        rest = [p for p in criteria.preferred_providers if p != provider]
        update["preferred_providers"] = [provider, *rest]
    if decision.target_model or decision.fallback_models:
        update["limit"] = _WIDE
    return criteria.model_copy(update=update) if update else criteria


def _noted(candidate: Candidate, note: str) -> Candidate:
    return candidate._replace(reasons=(*candidate.reasons, note))


def reorder(selection: Selection, decision: RuleDecision, limit: int) -> Selection:
    """The target model's candidates first, the fallback models' right after the first
    choice, then the rest in rank order; cut to ``limit``."""
    if not (decision.target_model or decision.fallback_models):
        return selection
    rest = list(selection.candidates)
    head: list[Candidate] = []
    if decision.target_model:
        note = f"routing rule {decision.rule_name!r}: target model"
        head = [_noted(c, note) for c in rest if c.model_id == decision.target_model]
        rest = [c for c in rest if c.model_id != decision.target_model]
    if not head and rest:
        head, rest = [rest[0]], rest[1:]
    moved: list[Candidate] = []
    for name in decision.fallback_models:
        note = f"routing rule fallback model {name}"
        moved += [_noted(c, note) for c in rest if c.model_id == name]
        rest = [c for c in rest if c.model_id != name]
    ordered = [*head, *moved, *rest][:limit]
    return Selection(ordered, selection.excluded, selection.total)


def routed_fallback(outcome: FallbackChoice, decision: RuleDecision, limit: int) -> FallbackChoice:
    """:func:`reorder` for ``select_with_fallback``: a ready target model is the choice;
    a target that needs a warm-up leaves the fallback choice as it was."""
    if not (decision.target_model or decision.fallback_models) or not outcome.selection.candidates:
        return outcome
    selection = reorder(outcome.selection, decision, limit)
    best = selection.best
    if (
        decision.target_model is not None
        and best is not None
        and best.model_id == decision.target_model
        and not best.warmup_required
    ):
        return FallbackChoice(best, FallbackPath.PRIMARY, None, selection)
    return FallbackChoice(outcome.choice, outcome.path, outcome.warm, selection)
