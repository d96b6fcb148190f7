"""What a pricing sync needs to know of the registry, read as plain rows in one go.

The sync plans against the store, not against a snapshot: it needs columns a snapshot does
not carry (who owns which field, which fields an import filled, where each price of a sheet
came from, which rows an import created) and reading rows is cheaper than building domain
objects for a few thousand models.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from radiant.domain import MONEY_FIELDS, CostSource, PriceSheet, PricingType
from radiant.store.admin_tables import ApprovalPolicyRow
from radiant.store.tables import (
    ModelAliasRow,
    ModelRow,
    PlatformRow,
    PriceHistoryRow,
    ProviderRow,
    RouteRow,
)

__all__ = ["CurrentSheet", "RegistryState", "read_state"]

#: model columns an import plans with (facts it may fill, and bookkeeping)
_MODEL_COLUMNS = (
    "id",
    "provider_id",
    "origin",
    "imported",
    "admin_fields",
    "imported_fields",
    "name",
    "display_name",
    "category",
    "task",
    "capabilities",
    "input_modalities",
    "output_modalities",
    "context_window",
    "max_output",
    "max_input",
    "knowledge_cutoff",
    "open_weights",
    "release_date",
    "family",
    "status",
    "enabled",
    "deprecated",
    "deprecation_date",
    "successor_id",
    "is_latest",
    "is_preview",
    "meta",
    "row_version",
)
_ROUTE_COLUMNS = (
    "id",
    "model_id",
    "platform_id",
    "model_string",
    "origin",
    "admin_fields",
    "status",
    "priority",
    "meta",
)


@dataclass(frozen=True, slots=True)
class CurrentSheet:
    """The sheet in force on a route, with where its prices came from."""

    row_id: int
    sheet: PriceSheet
    #: field -> ``catalog`` or ``source:entry``; None: the whole sheet is from its source
    field_sources: dict[str, str] | None
    recorded_by: str


@dataclass
class RegistryState:
    platforms: dict[str, dict[str, Any]] = field(default_factory=dict)
    providers: dict[str, dict[str, Any]] = field(default_factory=dict)
    models: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: case-folded alias -> (alias, model id)
    aliases: dict[str, tuple[str, str]] = field(default_factory=dict)
    routes: dict[str, dict[str, Any]] = field(default_factory=dict)
    prices: dict[str, CurrentSheet] = field(default_factory=dict)
    #: the approval policy holds imported models back for review
    review_imports: bool = False

    def names_of(self, model_id: str) -> list[str]:
        return [alias for alias, owner in self.aliases.values() if owner == model_id]


def _select(session: Session, table: Any, names: tuple[str, ...]) -> list[dict[str, Any]]:
    columns = [getattr(table, name) for name in names]
    rows = session.connection().execute(select(*columns))
    return [dict(zip(names, row, strict=True)) for row in rows]


_PRICE_FIELDS = (
    *MONEY_FIELDS,
    "pricing_type",
    "currency",
    "long_context_threshold",
    "effective_from",
    "source",
    "is_estimated",
    "last_verified_at",
    "notes",
)


def _sheet(values: dict[str, Any]) -> PriceSheet:
    """A sheet in force as stored (it was validated when written): built, not validated."""
    data = {name: values[name] for name in _PRICE_FIELDS}
    data["pricing_type"] = PricingType(data["pricing_type"])
    data["source"] = CostSource(data["source"])
    return PriceSheet.model_construct(**data)


def read_state(session: Session) -> RegistryState:
    state = RegistryState()
    platform_columns = ("id", "origin", "kind", "status", "base_url", "openai_compatible", "meta")
    for row in _select(session, PlatformRow, platform_columns):
        state.platforms[row["id"]] = row
    provider_columns = ("id", "origin", "parent_id", "status", "api_base_url", "meta")
    for row in _select(session, ProviderRow, provider_columns):
        state.providers[row["id"]] = row
    for row in _select(session, ModelRow, _MODEL_COLUMNS):
        state.models[row["id"]] = row
    for alias_key, alias, model_id in session.connection().execute(
        select(ModelAliasRow.alias_key, ModelAliasRow.alias, ModelAliasRow.model_id)
    ):
        state.aliases[alias_key] = (alias, model_id)
    for row in _select(session, RouteRow, _ROUTE_COLUMNS):
        state.routes[row["id"]] = row
    names = ("id", "route_id", "field_sources", "recorded_by", *_PRICE_FIELDS)
    columns = [getattr(PriceHistoryRow, name) for name in names]
    query = select(*columns).where(PriceHistoryRow.effective_to.is_(None))
    for price in session.connection().execute(query):
        values = dict(zip(names, price, strict=True))
        state.prices[values["route_id"]] = CurrentSheet(
            values["id"], _sheet(values), values["field_sources"], values["recorded_by"]
        )
    policy = session.get(ApprovalPolicyRow, "model_activation")
    state.review_imports = bool(policy is not None and policy.requires_approval)
    return state
