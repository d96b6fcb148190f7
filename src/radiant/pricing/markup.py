"""Markups: which percentage turns a cost into a price, and who set it.

Precedence (tenants above all; docs/concepts.md, Markup):

1. the tenant's own terms in ``tenant_model_access`` (custom prices or a custom markup);
2. a model override, unless expired;
3. a provider override, unless expired;
4. the default: 40 % on external routes, 75 % on self-hosted ones (a self-hosted route's
   deployment may carry its own default, ``SelfHostedConfig.markup_percent``).

``price = cost × (1 + percent / 100)``. The result names the source that won.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum

from radiant.domain import HostingType, Route
from radiant.domain.tenant import TenantModelAccess

__all__ = [
    "DEFAULT_EXTERNAL_MARKUP",
    "DEFAULT_SELF_HOSTED_MARKUP",
    "Markup",
    "MarkupBook",
    "MarkupOverride",
    "MarkupScope",
    "MarkupSource",
    "apply_markup",
]

DEFAULT_EXTERNAL_MARKUP = Decimal(40)
DEFAULT_SELF_HOSTED_MARKUP = Decimal(75)
_HUNDRED = Decimal(100)


class MarkupScope(StrEnum):
    PROVIDER = "provider"
    MODEL = "model"


class MarkupSource(StrEnum):
    TENANT = "tenant"
    MODEL = "model"
    PROVIDER = "provider"
    DEFAULT = "default"


@dataclass(frozen=True, slots=True)
class MarkupOverride:
    scope: MarkupScope
    target_id: str
    percent: Decimal
    set_by: str
    set_at: datetime
    reason: str | None = None
    expires_at: datetime | None = None
    id: int | None = None

    def active(self, at: datetime) -> bool:
        return self.expires_at is None or at < self.expires_at


@dataclass(frozen=True, slots=True)
class Markup:
    percent: Decimal
    source: MarkupSource
    set_by: str | None = None
    set_at: datetime | None = None
    reason: str | None = None
    expires_at: datetime | None = None

    @property
    def factor(self) -> Decimal:
        return 1 + self.percent / _HUNDRED

    @property
    def is_overridden(self) -> bool:
        return self.source is not MarkupSource.DEFAULT


def apply_markup(amount: Decimal, percent: Decimal) -> Decimal:
    """``amount × (1 + percent / 100)``, exact."""
    return amount + amount * percent / _HUNDRED


@dataclass(frozen=True)
class MarkupBook:
    """The markup configuration in force: defaults and overrides, indexed by target."""

    external_percent: Decimal = DEFAULT_EXTERNAL_MARKUP
    self_hosted_percent: Decimal = DEFAULT_SELF_HOSTED_MARKUP
    model_overrides: dict[str, MarkupOverride] = field(default_factory=dict)
    provider_overrides: dict[str, MarkupOverride] = field(default_factory=dict)

    @classmethod
    def from_overrides(cls, overrides: Iterable[MarkupOverride]) -> MarkupBook:
        models: dict[str, MarkupOverride] = {}
        providers: dict[str, MarkupOverride] = {}
        for item in overrides:
            target = models if item.scope is MarkupScope.MODEL else providers
            target[item.target_id] = item
        return cls(model_overrides=models, provider_overrides=providers)

    def resolve(
        self,
        route: Route,
        provider_id: str,
        hosting: HostingType,
        *,
        tenant: TenantModelAccess | None = None,
        at: datetime | None = None,
    ) -> Markup:
        """The markup for ``route`` (of a model by ``provider_id``) at ``at`` (default now)."""
        if tenant is not None and tenant.enabled:
            if tenant.custom_markup_percent is not None:
                return Markup(tenant.custom_markup_percent, MarkupSource.TENANT)
            if tenant.custom_input_price_per_1m is not None or (
                tenant.custom_output_price_per_1m is not None
            ):
                base = self.resolve(route, provider_id, hosting, at=at)
                return Markup(base.percent, MarkupSource.TENANT, reason="custom prices")
        when = at or datetime.now(UTC)
        for overrides, key, source in (
            (self.model_overrides, route.model_id, MarkupSource.MODEL),
            (self.provider_overrides, provider_id, MarkupSource.PROVIDER),
        ):
            found = overrides.get(key)
            if found is not None and found.active(when):
                return Markup(
                    found.percent,
                    source,
                    found.set_by,
                    found.set_at,
                    found.reason,
                    found.expires_at,
                )
        if hosting is HostingType.SELF_HOSTED:
            own = route.self_hosted.markup_percent if route.self_hosted else None
            return Markup(
                own if own is not None else self.self_hosted_percent, MarkupSource.DEFAULT
            )
        return Markup(self.external_percent, MarkupSource.DEFAULT)
