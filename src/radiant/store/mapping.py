"""Translation between domain objects and table rows (column dictionaries)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from radiant.domain import (
    MONEY_FIELDS,
    Model,
    Platform,
    PriceSheet,
    Provider,
    Route,
    SelfHostedConfig,
    SelfHostedSpecs,
    ThermalDefaults,
)

Row = Any  # an ORM instance or a dict of its column values by attribute name

__all__ = [
    "MODEL_COLUMNS",
    "PRICE_COLUMNS",
    "ROUTE_COLUMNS",
    "model_columns",
    "model_from_columns",
    "price_from_fields",
    "platform_columns",
    "price_columns",
    "provider_columns",
    "route_columns",
    "row_to_model",
    "row_to_platform",
    "row_to_price",
    "row_to_provider",
    "route_from_columns",
    "row_to_route",
    "self_hosted_columns",
]

# domain field -> column attribute, where they differ
_MODEL_RENAMES = {
    "max_output_tokens": "max_output",
    "max_input_tokens": "max_input",
    "version": "version_label",
    "metadata": "meta",
}
_PROVIDER_RENAMES = {"secret_ref": "secret_name", "metadata": "meta"}
_SIMPLE_RENAMES = {"metadata": "meta"}
_PLATFORM_FIELDS = list(Platform.model_fields)
_PROVIDER_FIELDS = list(Provider.model_fields)
_MODEL_FIELDS = [n for n in Model.model_fields if n not in ("aliases", "self_hosted")]
_ROUTE_FIELDS = [n for n in Route.model_fields if n not in ("price", "self_hosted")]


def _columns(obj: Any, exclude: set[str], renames: dict[str, str]) -> dict[str, Any]:
    data = obj.model_dump(mode="python", exclude=exclude)
    return {renames.get(key, key): _plain(value) for key, value in data.items()}


def _plain(value: Any) -> Any:
    """Enums to their values, recursively, so rows hold plain JSON-able data."""
    if hasattr(value, "value") and isinstance(value.value, str):
        return value.value
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _values(row: Any) -> dict[str, Any]:
    """A row's values by attribute name (plain result rows and ORM instances alike)."""
    if isinstance(row, dict):
        return row
    return {attr.key: getattr(row, attr.key) for attr in row.__mapper__.column_attrs}


def _domain_fields(row: Any, names: list[str], renames: dict[str, str]) -> dict[str, Any]:
    values = _values(row)
    return {name: values[renames.get(name, name)] for name in names}


# --------------------------------------------------------------------------- platforms


def platform_columns(platform: Platform) -> dict[str, Any]:
    return _columns(platform, set(), _SIMPLE_RENAMES)


def row_to_platform(row: Row) -> Platform:
    return Platform.model_validate(_domain_fields(row, _PLATFORM_FIELDS, _SIMPLE_RENAMES))


# --------------------------------------------------------------------------- providers


def provider_columns(provider: Provider) -> dict[str, Any]:
    return _columns(provider, set(), _PROVIDER_RENAMES)


def row_to_provider(row: Row) -> Provider:
    return Provider.model_validate(_domain_fields(row, _PROVIDER_FIELDS, _PROVIDER_RENAMES))


# --------------------------------------------------------------------------- models


def model_columns(model: Model) -> dict[str, Any]:
    return _columns(model, {"aliases", "self_hosted"}, _MODEL_RENAMES)


#: the ``models`` columns (attribute names) of a model's fields, in field order
MODEL_COLUMNS: tuple[str, ...] = tuple(_MODEL_RENAMES.get(n, n) for n in _MODEL_FIELDS)
#: the ``routes`` columns of a route's fields, in field order, then ``id``
ROUTE_COLUMNS: tuple[str, ...] = (*(_SIMPLE_RENAMES.get(n, n) for n in _ROUTE_FIELDS), "id")


def row_to_model(row: Row, aliases: list[str], self_hosted: Row | None) -> Model:
    return _model(_domain_fields(row, _MODEL_FIELDS, _MODEL_RENAMES), aliases, self_hosted)


def model_from_columns(values: Sequence[Any], aliases: list[str], self_hosted: Row | None) -> Model:
    """:func:`row_to_model` of the values of :data:`MODEL_COLUMNS`, in that order."""
    return _model(dict(zip(_MODEL_FIELDS, values, strict=True)), aliases, self_hosted)


def _model(data: dict[str, Any], aliases: list[str], self_hosted: Row | None) -> Model:
    data["aliases"] = aliases
    if self_hosted is not None:
        sh = _values(self_hosted)
        data["self_hosted"] = SelfHostedSpecs(
            specialty=sh["specialty"],
            parameters=sh["parameters"],
            accuracy=sh["accuracy"],
            benchmark=sh["benchmark"],
            input_formats=sh["input_formats"],
            output_formats=sh["output_formats"],
        )
    return Model.model_validate(data)


def self_hosted_columns(model: Model, route: Route | None) -> dict[str, Any] | None:
    """The ``self_hosted_models`` row of a model: its specs and its self-hosted deployment."""
    if model.self_hosted is None and (route is None or route.self_hosted is None):
        return None
    specs = model.self_hosted
    columns: dict[str, Any] = {
        "model_id": model.id,
        "specialty": specs.specialty if specs else model.category,
        "parameters": specs.parameters if specs else None,
        "accuracy": specs.accuracy if specs else None,
        "benchmark": specs.benchmark if specs else None,
        "input_formats": list(specs.input_formats) if specs else [],
        "output_formats": list(specs.output_formats) if specs else [],
        "route_id": None,
        "sagemaker_image": None,
        "instance_type": None,
        "gpu_memory_gb": None,
        "environment": {},
        "model_data_url": None,
        "markup_percent": None,
        "enabled": model.enabled,
        "status": model.status.value,
    }
    if route is not None and route.self_hosted is not None:
        deploy = route.self_hosted
        columns.update(
            route_id=route.id,
            sagemaker_image=deploy.container_image,
            instance_type=deploy.instance_type,
            gpu_memory_gb=deploy.gpu_memory_gb,
            environment=dict(deploy.environment),
            model_data_url=deploy.model_data_url,
            markup_percent=deploy.markup_percent,
            default_thermal_state=deploy.thermal.default_state.value,
            warmup_time_seconds=deploy.thermal.warmup_time_seconds,
            scale_to_zero_minutes=deploy.thermal.scale_to_zero_minutes,
            min_instances=deploy.thermal.min_instances,
            max_instances=deploy.thermal.max_instances,
            enabled=deploy.enabled and model.enabled,
        )
    return columns


# --------------------------------------------------------------------------- routes and prices


def route_columns(route: Route) -> dict[str, Any]:
    columns = _columns(route, {"price", "self_hosted"}, _SIMPLE_RENAMES)
    columns["id"] = route.id
    return columns


def row_to_route(row: Row, price: PriceSheet | None, self_hosted: Row | None) -> Route:
    data = _domain_fields(row, _ROUTE_FIELDS, _SIMPLE_RENAMES)
    return _route(data, _values(row)["id"], price, self_hosted)


def route_from_columns(
    values: Sequence[Any], price: PriceSheet | None, self_hosted: Row | None
) -> Route:
    """:func:`row_to_route` of the values of :data:`ROUTE_COLUMNS`, in that order."""
    data = dict(zip(_ROUTE_FIELDS, values[:-1], strict=True))
    return _route(data, values[-1], price, self_hosted)


def _route(
    data: dict[str, Any], route_id: str, price: PriceSheet | None, self_hosted: Row | None
) -> Route:
    data["price"] = price
    sh = _values(self_hosted) if self_hosted is not None else None
    if sh is not None and sh["route_id"] == route_id and sh["instance_type"]:
        markup = sh["markup_percent"]
        data["self_hosted"] = SelfHostedConfig(
            container_image=sh["sagemaker_image"] or "unknown",
            instance_type=sh["instance_type"],
            gpu_memory_gb=sh["gpu_memory_gb"] or 0,
            environment=sh["environment"],
            model_data_url=sh["model_data_url"],
            markup_percent=markup if markup is not None else 75,
            thermal=ThermalDefaults(
                default_state=sh["default_thermal_state"],
                warmup_time_seconds=sh["warmup_time_seconds"],
                scale_to_zero_minutes=sh["scale_to_zero_minutes"],
                min_instances=sh["min_instances"],
                max_instances=sh["max_instances"],
            ),
            enabled=sh["enabled"],
        )
    return Route.model_validate(data)


_PRICE_EXTRA = (
    "pricing_type",
    "currency",
    "long_context_threshold",
    "effective_from",
    "effective_to",
    "source",
    "is_estimated",
    "last_verified_at",
    "notes",
)


_PRICE_COLUMNS = (*MONEY_FIELDS, *_PRICE_EXTRA)
#: the ``price_history`` columns of a price sheet's fields: the money ones first
PRICE_COLUMNS: tuple[str, ...] = _PRICE_COLUMNS


def price_columns(sheet: PriceSheet) -> dict[str, Any]:
    return {name: _plain(getattr(sheet, name)) for name in _PRICE_COLUMNS}


def row_to_price(row: Row) -> PriceSheet:
    values = _values(row)
    return PriceSheet.model_validate({name: values[name] for name in _PRICE_COLUMNS})


def price_from_fields(fields: dict[str, Any]) -> PriceSheet:
    """:func:`row_to_price` of the values of some of :data:`PRICE_COLUMNS` by name (the
    ones absent are NULL)."""
    return PriceSheet.model_validate(fields)
