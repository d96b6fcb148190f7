"""Dependencies of the pricing endpoints: the pricing service and the caller's price lens."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from radiant.api.auth import PrincipalDep
from radiant.api.deps import SnapshotDep
from radiant.pricing.lens import PriceLens
from radiant.pricing.service import PricingService

__all__ = ["LensDep", "PricingDep", "get_pricing"]


def get_pricing(request: Request) -> PricingService:
    service: PricingService | None = getattr(request.app.state, "pricing", None)
    if service is None:
        service = PricingService(request.app.state.registry)
        request.app.state.pricing = service
    return service


PricingDep = Annotated[PricingService, Depends(get_pricing)]


def get_lens(pricing: PricingDep, snapshot: SnapshotDep, principal: PrincipalDep) -> PriceLens:
    return pricing.lens(snapshot, principal.sees_cost)


LensDep = Annotated[PriceLens, Depends(get_lens)]
