"""A bad catalog file is rejected with the file, the entry and the field in the message."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from radiant.catalog import load_catalog
from radiant.errors import CatalogError


def _rewrite(path: Path, change: Any) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def _models(catalog: Path) -> Path:
    return catalog / "models" / "acme.yaml"


def test_prices_load_as_exact_decimals(small_catalog: Path) -> None:
    catalog = load_catalog(small_catalog)
    price = catalog.routes["acme-large@direct"].price
    assert price is not None
    assert price.input_per_1m == Decimal("3.00")
    assert isinstance(price.cached_input_per_1m, Decimal)
    assert price.effective_from is not None and price.effective_from.year == 2025  # as_of


@pytest.mark.parametrize(
    ("change", "entry", "field", "problem"),
    [
        (lambda d: d["models"][0].pop("provider_id"), "acme-large", "provider_id", "required"),
        (
            lambda d: d["models"][0].update(provider_id="nobody"),
            "acme-large",
            "provider_id",
            "unknown provider",
        ),
        (
            lambda d: d["models"][1].update(context_window=-5),
            "acme-small",
            "context_window",
            "greater than or equal",
        ),
        (
            lambda d: d["models"][1].update(aliases=["acme-large"]),
            "acme-small",
            "aliases",
            "already belongs",
        ),
        (
            lambda d: d["models"][0]["routes"][0]["price"].update(input_per_1m=-1),
            "acme-large",
            "routes.0.price.input_per_1m",
            "greater than or equal",
        ),
        (
            lambda d: d["models"][0]["routes"][0].update(platform_id="mars"),
            "acme-large",
            "platform_id",
            "unknown platform",
        ),
        (
            lambda d: d["models"][2]["routes"][0]["price"].pop("per_image"),
            "acme-paint",
            "routes.0.price",
            "needs one of",
        ),
        (lambda d: d["models"][0].update(colour="blue"), "acme-large", "colour", "not permitted"),
        (lambda d: d["models"].append(dict(d["models"][0])), "acme-large", "id", "already defined"),
    ],
)
def test_bad_entries(
    small_catalog: Path, change: Any, entry: str, field: str, problem: str
) -> None:
    _rewrite(_models(small_catalog), change)
    with pytest.raises(CatalogError) as info:
        load_catalog(small_catalog)
    message = str(info.value)
    assert "acme.yaml" in message
    assert f"entry {entry!r}" in message
    assert field in message
    assert problem.casefold() in message.casefold()


def test_not_yaml(small_catalog: Path) -> None:
    _models(small_catalog).write_text("models: [unclosed\n")
    with pytest.raises(CatalogError, match=r"acme\.yaml: is not valid YAML"):
        load_catalog(small_catalog)


def test_wrong_shapes(small_catalog: Path, tmp_path: Path) -> None:
    _models(small_catalog).write_text("- just a list\n")
    with pytest.raises(CatalogError, match="mapping at the top level"):
        load_catalog(small_catalog)
    _models(small_catalog).write_text("models: {a: 1}\n")
    with pytest.raises(CatalogError, match="'models': must be a list"):
        load_catalog(small_catalog)
    with pytest.raises(CatalogError, match="is not a directory"):
        load_catalog(tmp_path / "missing")
    (small_catalog / "providers.yaml").unlink()
    with pytest.raises(CatalogError, match=r"providers\.yaml: file is missing"):
        load_catalog(small_catalog)
