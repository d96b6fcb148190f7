"""Selection and routing under ``/api/registry`` (docs/concepts.md, Selection).

* ``POST /select`` — the candidates for the criteria, best first; ``explain`` adds every
  excluded model with its reason; ``fallback`` applies ``selectWithFallback`` and, for an
  authenticated caller (tenant key or administrator), records the warm-up of a cold
  self-hosted choice (anonymous callers are told which model is cold, nothing starts).
* ``POST /recommend`` — the top N with the reasons of each.
* ``GET /models/{id}/routes/best``, ``/fallbacks``, ``/availability``, ``/alternatives``.
* ``POST /routes/cheapest`` — the cheapest routes of any model for a prompt.

A tenant's API key selects within its tenant's tier (a higher ``tier`` is lowered to it).
Routes this server cannot call (no adapter serves the wire, or the credential is not set
in its environment) are never chosen nor usable unless the request says
``include_uncallable`` (the criteria field, or the query parameter of the route reads).
Every money value is a client PRICE; nothing here carries a cost or a margin.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from radiant.api.auth import PrincipalDep
from radiant.api.pricing_deps import get_pricing
from radiant.api.selection_schemas import (
    AlternativePublic,
    CandidatePublic,
    CheapestRequest,
    CheapRoutePublic,
    ExclusionPublic,
    RoutePublicRank,
    SelectionPublic,
    SelectRequest,
    WarmupPublic,
)
from radiant.security import Principal, PrincipalKind
from radiant.selection.criteria import SelectionCriteria
from radiant.selection.service import Selector

__all__ = ["get_selector", "router"]

router = APIRouter(prefix="/api/registry", tags=["selection"])


def get_selector(request: Request) -> Selector:
    selector: Selector | None = getattr(request.app.state, "selector", None)
    if selector is None:
        pricing = get_pricing(request)
        selector = Selector(request.app.state.registry, markups=pricing.book)
        request.app.state.selector = selector
    return selector


SelectorDep = Annotated[Selector, Depends(get_selector)]
Tokens = Annotated[int, Query(ge=0, le=100_000_000)]
#: also routes this server cannot call (no adapter for the wire, no credential): off by default
Uncallable = Annotated[bool, Query()]


def _scoped(
    request: Request, principal: Principal, criteria: SelectionCriteria
) -> tuple[SelectionCriteria, str | None]:
    """A tenant key selects for its own tenant, within that tenant's tier."""
    if principal.kind is not PrincipalKind.TENANT or principal.tenant_id is None:
        return criteria, None
    tenant = request.app.state.tenants.tenants.get(principal, principal.tenant_id)
    if criteria.tier is None or criteria.tier > tenant.tier:
        criteria = criteria.model_copy(update={"tier": tenant.tier})
    return criteria, principal.tenant_id


@router.post("/select", response_model=SelectionPublic)
def select_models(
    body: SelectRequest, request: Request, principal: PrincipalDep, selector: SelectorDep
) -> SelectionPublic:
    criteria, tenant_id = _scoped(request, principal, body.criteria())
    if body.fallback:
        # only an authenticated caller (a tenant key, an administrator) starts endpoints
        result = selector.select_with_fallback(
            criteria,
            tenant_id=tenant_id,
            explain=body.explain,
            warm=principal.subject_id is not None,
        )
        outcome = result.outcome
        selection = outcome.selection
        warm = outcome.warm
        extra = {
            "path": outcome.path,
            "choice": CandidatePublic.of(1, outcome.choice),
            "warmup": WarmupPublic(model_id=warm.entry.id, requested=result.warmup_requested)
            if warm is not None
            else None,
        }
    else:
        selection = selector.select(criteria, tenant_id=tenant_id, explain=body.explain)
        extra = {}
    return SelectionPublic(
        data=[CandidatePublic.of(i, c) for i, c in enumerate(selection.candidates, start=1)],
        count=len(selection.candidates),
        total=selection.total,
        excluded=[ExclusionPublic.of(e) for e in selection.excluded] if body.explain else None,
        **extra,
    )


@router.post("/recommend", response_model=SelectionPublic)
def recommend(
    body: SelectionCriteria, request: Request, principal: PrincipalDep, selector: SelectorDep
) -> SelectionPublic:
    criteria, tenant_id = _scoped(request, principal, body)
    selection = selector.recommend(criteria, tenant_id=tenant_id)
    return SelectionPublic(
        data=[CandidatePublic.of(i, c) for i, c in enumerate(selection.candidates, start=1)],
        count=len(selection.candidates),
        total=selection.total,
    )


@router.post("/routes/cheapest")
def cheapest_routes(
    body: CheapestRequest, request: Request, principal: PrincipalDep, selector: SelectorDep
) -> dict[str, object]:
    criteria, _ = _scoped(request, principal, body.criteria())
    found = selector.cheapest(criteria)
    data = [CheapRoutePublic.of(i, c) for i, c in enumerate(found, start=1)]
    return {"data": data, "count": len(data)}


@router.get("/models/{model_id:path}/routes/best", response_model=RoutePublicRank)
def best_route(
    model_id: str, selector: SelectorDep, include_uncallable: Uncallable = False
) -> RoutePublicRank:
    """The route to send the model's requests to: usable, and callable by this server
    unless ``include_uncallable``."""
    return RoutePublicRank.of(
        1, selector.best_route(model_id, include_uncallable=include_uncallable)
    )


@router.get("/models/{model_id:path}/fallbacks")
def fallbacks(
    model_id: str,
    selector: SelectorDep,
    input_tokens: Tokens = 1000,
    output_tokens: Tokens = 500,
    include_uncallable: Uncallable = False,
) -> dict[str, object]:
    """The usable routes of a model in the order to try them (the first is the best)."""
    ranked = selector.routes(
        model_id,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        include_uncallable=include_uncallable,
    )
    usable = [r for r in ranked if r.usable]
    entry = selector.snapshot().resolve(model_id)
    data = [RoutePublicRank.of(i, r) for i, r in enumerate(usable, start=1)]
    return {"model_id": entry.id, "data": data, "count": len(data)}


@router.get("/models/{model_id:path}/availability")
def availability(
    model_id: str, selector: SelectorDep, include_uncallable: Uncallable = False
) -> dict[str, object]:
    """Every platform the model is on, with its routes there, best platform first."""
    entry = selector.snapshot().resolve(model_id)
    grouped = selector.availability(model_id, include_uncallable=include_uncallable)
    platforms = {
        platform: [RoutePublicRank.of(i, r) for i, r in enumerate(routes, start=1)]
        for platform, routes in grouped.items()
    }
    return {
        "model_id": entry.id,
        "platforms": platforms,
        "available_on": [p for p, routes in grouped.items() if any(r.usable for r in routes)],
    }


@router.get("/models/{model_id:path}/alternatives")
def alternatives(
    model_id: str,
    request: Request,
    principal: PrincipalDep,
    selector: SelectorDep,
    tier: Annotated[int | None, Query(ge=1, le=5)] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 5,
) -> dict[str, object]:
    """Models to move to from this one (its successor first), for deprecated models above all."""
    entry = selector.snapshot().resolve(model_id)
    probe = SelectionCriteria(task=entry.task, tier=tier)
    scoped, _ = _scoped(request, principal, probe)
    found = selector.alternatives(model_id, tier=scoped.tier, limit=limit)
    data = [AlternativePublic.of_alternative(i, a) for i, a in enumerate(found, start=1)]
    return {
        "model_id": entry.id,
        "deprecated": entry.model.is_deprecated,
        "successor_id": entry.model.successor_id,
        "data": data,
        "count": len(data),
    }
