"""The routes a request tries, in order: its fallback chain.

For each name asked for (``model`` first, then ``models``):

* a model id or alias: the routing rules decide first (a block refuses the request; a
  target model goes ahead of the one asked for, the rules' fallback models right after
  it); each model contributes its usable routes best first
  (:func:`radiant.selection.routes.rank_routes`);
* ``auto``: the selection engine's candidates for the criteria, the tenant's tier and the
  rules (:meth:`radiant.selection.service.Selector.select`), each on its chosen route;
  the other routes of the chosen models follow.

Only models the tenant may use (granted, enabled, within its tier) and that serve the
endpoint's task are kept; a name the tenant may not use is an error, not a silent skip.
:func:`larger_context` gives the models to move to when a prompt is too long.

Chains for named models are cached per registry version and tenant terms, so the hot
path builds none: health comes from the breaker at call time, not from the chain.

:meth:`ChainBuilder.rule_limits` gives the ``rate_limit`` routing rules a request
matches, for the rate limiter: judged as ``rules evaluate`` judges them, on the model
the request names (``model``; ``auto``: no model, the criteria's capabilities), its task,
the tenant and tier, and the request's own token estimate (prompt plus ``max_tokens``).
"""

from __future__ import annotations

from dataclasses import dataclass

from radiant.domain import Platform, Route
from radiant.domain.routing_rule import RoutingRule, RuleAction
from radiant.errors import ModelNotFoundError
from radiant.gateway.accounts import Account
from radiant.gateway.errors import BadRequestError, NoRouteError
from radiant.gateway.requests import AUTO, Ask
from radiant.registry import ModelEntry, Snapshot
from radiant.selection.criteria import SelectionCriteria
from radiant.selection.routes import rank_routes
from radiant.selection.rule_matching import RateLimit, apply_rules
from radiant.selection.rule_steering import rule_request
from radiant.selection.service import Selector

__all__ = ["ChainBuilder", "Hop"]


@dataclass(frozen=True, slots=True)
class Hop:
    """One route to try: a model on a platform."""

    entry: ModelEntry
    route: Route
    platform: Platform

    @property
    def route_id(self) -> str:
        return self.route.id


class ChainBuilder:
    def __init__(self, selector: Selector, *, max_hops: int = 8, cache_size: int = 4096) -> None:
        self.selector = selector
        self.max_hops = max_hops
        self.cache_size = cache_size
        self._cache: dict[tuple[object, ...], tuple[Hop, ...]] = {}
        self._version = -1
        #: the enabled rate_limit rules, whether one has a size condition, their answers
        self._limit_rules: tuple[RoutingRule, ...] = ()
        self._sized = False
        self._limits: dict[tuple[object, ...], tuple[RateLimit, ...]] = {}
        self._limits_version = -1

    def build(self, snapshot: Snapshot, account: Account, ask: Ask) -> tuple[Hop, ...]:
        if AUTO in ask.models:
            return self._build(snapshot, account, ask)
        if snapshot.version != self._version:
            self._cache.clear()
            self._version = snapshot.version
        # the access mapping is replaced whenever the account is read again
        key = (account.tenant_id, account.tier, id(account.access), ask.endpoint, ask.models)
        found = self._cache.get(key)
        if found is None:
            found = self._build(snapshot, account, ask)
            if len(self._cache) >= self.cache_size:
                self._cache.clear()
            self._cache[key] = found
        return found

    def rule_limits(self, snapshot: Snapshot, account: Account, ask: Ask) -> tuple[RateLimit, ...]:
        """The ``rate_limit`` rules this request matches (none: no rule limits it)."""
        if snapshot.version != self._limits_version:
            rules = self.selector.routing_rules.rules(snapshot.version)
            self._limit_rules = tuple(r for r in rules if r.action is RuleAction.RATE_LIMIT)
            self._sized = any(
                r.conditions.min_estimated_tokens is not None
                or r.conditions.max_estimated_tokens is not None
                for r in self._limit_rules
            )
            self._limits = {}
            self._limits_version = snapshot.version
        if not self._limit_rules:
            return ()
        name = ask.models[0]
        criteria = ask.criteria if name == AUTO else None
        capabilities = frozenset(criteria.required_capabilities) if criteria else frozenset()
        key = (account.tenant_id, account.tier, ask.endpoint, name, capabilities)
        found = None if self._sized else self._limits.get(key)
        if found is None:
            request = rule_request(
                snapshot,
                tenant_id=account.tenant_id,
                tenant_tier=account.tier,
                model=None if criteria is not None else name,
                task=criteria.task if criteria is not None else None,  # a model brings its own
                capabilities=capabilities,
                estimated_tokens=ask.estimated_tokens,
            )
            found = apply_rules(self._limit_rules, request).rate_limits
            if not self._sized:  # else the answer depends on each request's size
                if len(self._limits) >= self.cache_size:
                    self._limits.clear()
                self._limits[key] = found
        return found

    def _build(self, snapshot: Snapshot, account: Account, ask: Ask) -> tuple[Hop, ...]:
        models: list[ModelEntry] = []
        for name in ask.models:
            if name == AUTO:
                models.extend(self._auto(account, ask))
            else:
                models.extend(self._named(snapshot, account, ask, name))
        hops = self._hops(snapshot, account, ask, models)
        if not hops:
            raise NoRouteError(
                f"no usable route for {', '.join(ask.models)} on {ask.endpoint.path}"
            )
        return hops

    def _hops(
        self, snapshot: Snapshot, account: Account, ask: Ask, models: list[ModelEntry]
    ) -> tuple[Hop, ...]:
        hops: dict[str, Hop] = {}
        book = self.selector.book(snapshot)
        for entry in models:
            if not account.may_use(entry) or entry.task not in ask.endpoint.tasks:
                continue
            for ranked in rank_routes(snapshot, entry, markups=book):
                platform = snapshot.platforms.get(ranked.route.platform_id)
                if ranked.usable and platform is not None and ranked.route.id not in hops:
                    hops[ranked.route.id] = Hop(entry, ranked.route, platform)
        return tuple(hops.values())[: self.max_hops]

    def _resolve(self, snapshot: Snapshot, account: Account, name: str) -> ModelEntry:
        entry = snapshot.find(name)
        if entry is None or not account.may_use(entry):
            suggestions = [
                s
                for s in snapshot.suggest(name, limit=6)
                if (e := snapshot.find(s)) is not None and account.may_use(e)
            ]
            raise ModelNotFoundError(name, suggestions[:3])
        return entry

    def _named(self, snapshot: Snapshot, account: Account, ask: Ask, name: str) -> list[ModelEntry]:
        entry = self._resolve(snapshot, account, name)
        if entry.task not in ask.endpoint.tasks:
            raise BadRequestError(
                f"model {entry.id!r} is a {entry.task.value} model; {ask.endpoint.path} serves "
                f"{', '.join(t.value for t in ask.endpoint.tasks)} models",
                param="model",
                code="model_not_supported",
            )
        if not self.selector.routing_rules.rules(snapshot.version):
            return [entry]
        criteria = SelectionCriteria(task=entry.task, tier=account.tier)
        decision = self.selector.routing(
            criteria, tenant_id=account.tenant_id, model=name, snapshot=snapshot
        )
        names = [decision.target_model, entry.id, *decision.fallback_models]
        found = [snapshot.find(n) for n in dict.fromkeys(n for n in names if n)]
        return [e for e in found if e is not None]

    def _auto(self, account: Account, ask: Ask) -> list[ModelEntry]:
        assert ask.criteria is not None
        criteria = ask.criteria.model_copy(
            update={"tier": account.tier, "limit": max(ask.criteria.limit, 20)}
        )
        selection = self.selector.select(criteria, tenant_id=account.tenant_id)
        return [c.entry for c in selection.candidates if account.may_use(c.entry)]

    def larger_context(
        self, snapshot: Snapshot, account: Account, ask: Ask, entry: ModelEntry
    ) -> tuple[Hop, ...]:
        """Routes of models like ``entry`` with a larger context window, best first."""
        window = entry.model.context_window or 0
        criteria = SelectionCriteria(
            task=entry.task,
            tier=account.tier,
            input_modalities=entry.model.input_modalities,
            min_context_window=window + 1,
            limit=20,
        )
        selection = self.selector.select(criteria, tenant_id=account.tenant_id)
        models = [c.entry for c in selection.candidates if c.entry.id != entry.id]
        return self._hops(snapshot, account, ask, models)
