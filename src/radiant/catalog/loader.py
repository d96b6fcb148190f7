"""Load and validate a catalog directory.

Layout of a catalog directory::

    catalog.yaml          name, as_of (default effective date of price sheets)
    platforms.yaml        platforms: [...]
    providers.yaml        providers: [...]
    models/**/*.yaml      models: [...]   each model may carry routes: [...]

Every problem is raised as :class:`~radiant.errors.CatalogError` naming the file, the entry
and the field. A route whose model string is not of its platform's form
(:mod:`radiant.catalog.model_strings`) loads, with a warning in ``Catalog.warnings`` (and
the log) in the same terms: the gateway would send that string, so it is most likely wrong.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import pydantic
import yaml

from radiant.catalog.model_strings import model_string_problem
from radiant.catalog.yaml_io import read_yaml
from radiant.domain import Model, Platform, Provider, Route
from radiant.errors import CatalogError

__all__ = ["Catalog", "builtin_catalog_dir", "load_catalog"]

logger = logging.getLogger(__name__)

T = TypeVar("T", bound=pydantic.BaseModel)
K = TypeVar("K", Platform, Provider)


@dataclass(frozen=True)
class Catalog:
    name: str
    as_of: datetime
    platforms: dict[str, Platform] = field(default_factory=dict)
    providers: dict[str, Provider] = field(default_factory=dict)
    models: dict[str, Model] = field(default_factory=dict)
    routes: dict[str, Route] = field(default_factory=dict)
    #: Where each model was read from (file name), for error messages.
    origins: dict[str, str] = field(default_factory=dict)
    #: What loads but is most likely wrong (a model string its platform does not use).
    warnings: list[str] = field(default_factory=list)


def builtin_catalog_dir() -> Path:
    return Path(str(resources.files("radiant.catalog").joinpath("data")))


def load_catalog(directory: Path | None = None) -> Catalog:
    root = Path(directory) if directory is not None else builtin_catalog_dir()
    if not root.is_dir():
        raise CatalogError(str(root), None, None, "is not a directory")
    manifest = _mapping(root / "catalog.yaml", required=False)
    name = str(manifest.get("name", root.name))
    # price sheets without their own effective_from take effect at as_of (default: now)
    as_of = _as_datetime(manifest.get("as_of", datetime.now(UTC)), root / "catalog.yaml")
    catalog = Catalog(name=name, as_of=as_of)
    _load_simple(root / "platforms.yaml", "platforms", Platform, catalog.platforms)
    _load_simple(root / "providers.yaml", "providers", Provider, catalog.providers)
    model_files = sorted((root / "models").rglob("*.yaml")) if (root / "models").is_dir() else []
    for path in model_files:
        _load_models(path, root, catalog)
    _apply_quality(root / "quality.yaml", catalog)
    _check_references(catalog)
    _check_model_strings(catalog)
    return catalog


# --------------------------------------------------------------------------- reading


def _mapping(path: Path, *, required: bool = True) -> dict[str, Any]:
    if not path.exists():
        if required:
            raise CatalogError(str(path), None, None, "file is missing")
        return {}
    try:
        data = read_yaml(path)
    except (yaml.YAMLError, ValueError, ArithmeticError) as exc:  # decimal errors too
        raise CatalogError(str(path), None, None, f"is not valid YAML: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise CatalogError(str(path), None, None, "must hold a mapping at the top level")
    return data


def _entries(path: Path, key: str) -> list[dict[str, Any]]:
    data = _mapping(path)
    entries = data.get(key, [])
    if not isinstance(entries, list):
        raise CatalogError(str(path), None, key, "must be a list")
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise CatalogError(str(path), f"#{index + 1}", None, "must be a mapping")
    return entries


def _as_datetime(value: Any, path: Path) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(), tzinfo=UTC)
    raise CatalogError(str(path), None, "as_of", "must be a date")


def _validate(cls: type[T], data: dict[str, Any], path: Path, entry: str) -> T:
    try:
        return cls.model_validate(data)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or None
        raise CatalogError(str(path), entry, where, first["msg"]) from None


def _entry_name(entry: dict[str, Any], index: int) -> str:
    ident = entry.get("id")
    return str(ident) if ident else f"#{index + 1}"


def _apply_quality(path: Path, catalog: Catalog) -> None:
    """``quality.yaml``: ``{source, scores: {model id: 0-100}}`` for models without their own."""
    data = _mapping(path, required=False)
    if not data:
        return
    source = str(data.get("source", "catalog"))
    scores = data.get("scores", {})
    if not isinstance(scores, dict):
        raise CatalogError(str(path), None, "scores", "must be a mapping of model id to score")
    for model_id, value in scores.items():
        model = catalog.models.get(str(model_id))
        if model is None:
            raise CatalogError(str(path), str(model_id), None, "names no model of the catalog")
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 100:
            raise CatalogError(str(path), str(model_id), None, "score must be a number 0-100")
        if model.quality_score is None:
            catalog.models[model.id] = model.model_copy(
                update={"quality_score": float(value), "quality_source": source}
            )


def _load_simple(path: Path, key: str, cls: type[K], target: dict[str, K]) -> None:
    """Platforms and providers: a list of entries with unique ids."""
    for index, entry in enumerate(_entries(path, key)):
        name = _entry_name(entry, index)
        item = _validate(cls, entry, path, name)
        if item.id in target:
            raise CatalogError(str(path), name, "id", "is defined twice")
        target[item.id] = item


def _load_models(path: Path, root: Path, catalog: Catalog) -> None:
    origin = str(path.relative_to(root))
    for index, raw in enumerate(_entries(path, "models")):
        entry = dict(raw)
        name = _entry_name(entry, index)
        routes = entry.pop("routes", [])
        if not isinstance(routes, list):
            raise CatalogError(str(path), name, "routes", "must be a list")
        model = _validate(Model, entry, path, name)
        if model.id in catalog.models:
            other = catalog.origins[model.id]
            raise CatalogError(str(path), name, "id", f"is already defined in {other}")
        catalog.models[model.id] = model
        catalog.origins[model.id] = origin
        for r_index, r_raw in enumerate(routes):
            if not isinstance(r_raw, dict):
                raise CatalogError(str(path), name, f"routes.{r_index}", "must be a mapping")
            route_data = {"model_id": model.id, **r_raw}
            price = route_data.get("price")
            if isinstance(price, dict) and "effective_from" not in price:
                route_data["price"] = {**price, "effective_from": catalog.as_of}
            try:
                route = Route.model_validate(route_data)
            except pydantic.ValidationError as exc:
                first = exc.errors()[0]
                loc = ".".join(str(p) for p in first["loc"])
                raise CatalogError(
                    str(path), name, f"routes.{r_index}.{loc}", first["msg"]
                ) from None
            if route.id in catalog.routes:
                raise CatalogError(
                    str(path), name, f"routes.{r_index}.platform_id", "platform listed twice"
                )
            catalog.routes[route.id] = route


# --------------------------------------------------------------------------- cross-checks


def _check_references(catalog: Catalog) -> None:
    names: dict[str, str] = {}
    for model in catalog.models.values():
        origin = catalog.origins[model.id]
        if model.provider_id not in catalog.providers:
            raise CatalogError(
                origin, model.id, "provider_id", f"unknown provider {model.provider_id!r}"
            )
        for alias in model.names():
            key = alias.casefold()
            owner = names.get(key)
            if owner is not None and owner != model.id:
                raise CatalogError(
                    origin, model.id, "aliases", f"name {alias!r} already belongs to {owner!r}"
                )
            names[key] = model.id
    for model in catalog.models.values():
        if model.successor_id and model.successor_id.casefold() not in names:
            raise CatalogError(
                catalog.origins[model.id],
                model.id,
                "successor_id",
                f"unknown model {model.successor_id!r}",
            )
    for route in catalog.routes.values():
        if route.platform_id not in catalog.platforms:
            raise CatalogError(
                catalog.origins[route.model_id],
                route.model_id,
                "routes.platform_id",
                f"unknown platform {route.platform_id!r}",
            )
    for provider in catalog.providers.values():
        _check_known(
            provider.platforms, catalog.platforms, "providers.yaml", provider.id, "platforms"
        )
        if provider.parent_id and provider.parent_id not in catalog.providers:
            raise CatalogError("providers.yaml", provider.id, "parent_id", "unknown provider")


def _check_model_strings(catalog: Catalog) -> None:
    """Warn of every route whose model string its platform's ids never look like."""
    for route in catalog.routes.values():
        provider = catalog.models[route.model_id].provider_id
        problem = model_string_problem(route.platform_id, route.model_string, provider)
        if problem is None:
            continue
        origin = catalog.origins[route.model_id]
        where = f"routes.{route.platform_id}.model_string"
        warning = f"{origin}: entry {route.model_id!r}: field {where!r}: {problem}"
        catalog.warnings.append(warning)
        logger.warning("catalog %s: %s", catalog.name, warning)


def _check_known(
    values: Iterable[str], known: dict[str, Any], file: str, entry: str, fld: str
) -> None:
    for value in values:
        if value not in known:
            raise CatalogError(file, entry, fld, f"unknown platform {value!r}")
