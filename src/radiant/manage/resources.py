"""The four registry resources an administrator writes: how each is read from its row,
turned back into columns, validated, and what refers to it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError as PydanticValidationError
from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from radiant.domain import LifecycleStatus, Model, Platform, Provider, Route
from radiant.domain.base import DomainModel
from radiant.errors import NotFoundError, ValidationError
from radiant.store.mapping import (
    model_columns,
    platform_columns,
    provider_columns,
    route_columns,
    row_to_model,
    row_to_platform,
    row_to_price,
    row_to_provider,
    row_to_route,
)
from radiant.store.tables import (
    ModelAliasRow,
    ModelRow,
    PlatformRow,
    PriceHistoryRow,
    ProviderRow,
    RouteRow,
    SelfHostedModelRow,
)
from radiant.store.tenant_tables import TenantModelAccessRow

__all__ = ["KINDS", "Kind", "ModelNames", "Record", "kind_named", "validate"]

#: the registry's resolver of model names (``Snapshot.find``: an id, an alias,
#: ``provider:name``, a dated id's undated name, ...): the model's id, or None
ModelNames = Callable[[str], str | None]


@dataclass(frozen=True)
class Kind:
    name: str
    plural: str
    table: Any
    domain: type[DomainModel]
    #: what a delete sets when the object must stay (something refers to it, or a catalog owns it)
    retire: dict[str, Any]

    def columns(self, obj: Any) -> dict[str, Any]:
        if self.name == "platform":
            return platform_columns(obj)
        if self.name == "provider":
            return provider_columns(obj)
        if self.name == "model":
            return model_columns(obj)
        columns = route_columns(obj)
        columns.pop("id", None)
        return columns

    def load(self, session: Session, key: str) -> tuple[Any, Any]:
        """The row (locked by nothing: writes compare ``row_version``) and its domain object."""
        row = session.execute(
            select(self.table).where(self.table.id == key).execution_options(populate_existing=True)
        ).scalar_one_or_none()
        if row is None:
            message = _missing_route(session, key) if self.name == "route" else None
            raise NotFoundError(self.name, key, message)
        return row, self.to_domain(session, row)

    def to_domain(self, session: Session, row: Any) -> Any:
        if self.name == "platform":
            return row_to_platform(row)
        if self.name == "provider":
            return row_to_provider(row)
        if self.name == "model":
            aliases = list(
                session.scalars(
                    select(ModelAliasRow.alias)
                    .where(ModelAliasRow.model_id == row.id)
                    .order_by(ModelAliasRow.alias)
                )
            )
            return row_to_model(row, aliases, session.get(SelfHostedModelRow, row.id))
        price = session.scalars(
            select(PriceHistoryRow).where(
                PriceHistoryRow.route_id == row.id, PriceHistoryRow.effective_to.is_(None)
            )
        ).first()
        return row_to_route(
            row,
            None if price is None else row_to_price(price),
            session.get(SelfHostedModelRow, row.model_id),
        )

    def references(self, session: Session, row: Any) -> list[str]:
        """What refers to this object; a delete keeps (retires) it while the list is not empty."""
        found: list[str] = []

        def count(label: str, table: Any, *where: Any) -> None:
            n = int(session.scalar(select(func.count()).select_from(table).where(*where)) or 0)
            if n:
                found.append(f"{n} {label}")

        if self.name == "platform":
            count("route(s)", RouteRow, RouteRow.platform_id == row.id)
        elif self.name == "provider":
            count("model(s)", ModelRow, ModelRow.provider_id == row.id)
        elif self.name == "model":
            count("route(s)", RouteRow, RouteRow.model_id == row.id)
            count(
                "tenant access row(s)",
                TenantModelAccessRow,
                TenantModelAccessRow.model_id == row.id,
            )
            count("successor link(s)", ModelRow, ModelRow.successor_id == row.id)
        else:
            count("price sheet(s)", PriceHistoryRow, PriceHistoryRow.route_id == row.id)
        return found


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("platform", "platforms", PlatformRow, Platform, {"status": "inactive"}),
        Kind(
            "provider",
            "providers",
            ProviderRow,
            Provider,
            {"status": LifecycleStatus.INACTIVE.value, "enabled": False},
        ),
        Kind(
            "model",
            "models",
            ModelRow,
            Model,
            {"status": LifecycleStatus.INACTIVE.value, "enabled": False},
        ),
        Kind("route", "routes", RouteRow, Route, {"status": "inactive"}),
    )
}


def model_id_of(session: Session, name: str, names: ModelNames | None = None) -> str:
    """A model's id from its id or any name the registry resolves; the name itself if unknown.

    The stored ids and aliases are asked first (the session sees what this transaction
    wrote); a name they do not hold goes to ``names``, the registry's one resolver.
    """
    if session.get(ModelRow, name) is not None:
        return name
    found = session.scalar(
        select(ModelAliasRow.model_id).where(ModelAliasRow.alias_key == name.casefold())
    )
    if found is None and names is not None:
        found = names(name)
    return found or name


def canonical_key(session: Session, kind: str, key: str, names: ModelNames | None = None) -> str:
    """Models may be named by any name the registry resolves; routes as
    ``<model name>@<platform>``. A key that names nothing comes back as it is."""
    if kind == "model":
        return model_id_of(session, key, names)
    if kind == "route" and "@" in key and session.get(RouteRow, key) is None:
        model, _, platform = key.rpartition("@")
        return f"{model_id_of(session, model, names)}@{platform}"
    return key


def _missing_route(session: Session, key: str) -> str:
    """What a user who named a route that does not exist needs to know next."""
    model, at, platform = key.rpartition("@")
    if not at:
        return f"route {key!r} not found: name a route MODEL@PLATFORM"
    if session.get(ModelRow, model) is None:
        return f"route {key!r} not found: no model is named {model!r}"
    platforms = session.scalars(
        select(RouteRow.platform_id)
        .where(RouteRow.model_id == model)
        .order_by(RouteRow.platform_id)
    ).all()
    where = f"routes on {', '.join(platforms)}" if platforms else "no routes"
    return f"route {key!r} not found: model {model!r} has {where}, none on {platform!r}"


def kind_named(name: str) -> Kind:
    key = name.rstrip("s") if name.endswith("s") and name[:-1] in KINDS else name
    if key not in KINDS:
        raise ValidationError(f"unknown resource kind {name!r}; one of: {', '.join(KINDS)}")
    return KINDS[key]


def validate(domain: type[DomainModel], data: dict[str, Any]) -> Any:
    """The domain model's verdict on ``data``, as a 422 naming every broken field."""
    try:
        return domain.model_validate(data)
    except PydanticValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or domain.__name__.lower()}: {err['msg']}"
            for err in exc.errors()
        )
        raise ValidationError(problems) from None


def check_links(session: Session, kind: Kind, obj: Any) -> None:
    """Objects a write points at must exist (a clear 422 instead of a foreign-key error)."""

    def need(table: Any, key: str | None, what: str) -> None:
        if key is not None and not session.scalar(select(exists().where(table.id == key))):
            raise ValidationError(f"{what} {key!r} does not exist")

    if kind.name == "model":
        need(ProviderRow, obj.provider_id, "provider")
        need(ModelRow, obj.successor_id, "successor model")
    elif kind.name == "route":
        need(ModelRow, obj.model_id, "model")
        need(PlatformRow, obj.platform_id, "platform")


@dataclass(frozen=True)
class Record:
    """A stored registry object with its version (the ETag) and bookkeeping."""

    kind: str
    id: str
    obj: Any
    row_version: int
    origin: str
    admin_fields: list[str]

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = self.obj.model_dump(mode="json")
        if self.kind == "route":
            data["id"] = self.id
        return {
            "kind": self.kind,
            "id": self.id,
            "row_version": self.row_version,
            "origin": self.origin,
            "admin_fields": list(self.admin_fields),
            "data": data,
        }
