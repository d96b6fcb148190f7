"""``radiant catalog diff``: where public catalogs and the registry disagree."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

import typer

from radiant.cli._base import AdminOpt, JsonOpt, app, open_registry, print_json, table
from radiant.domain.numbers import to_decimal

__all__ = ["catalog_app"]

catalog_app = typer.Typer(
    help="Public model catalogs (LiteLLM, models.dev, OpenRouter) next to the registry.",
    no_args_is_help=True,
)
app.add_typer(catalog_app, name="catalog")

SourceOpt = Annotated[
    list[str],
    typer.Option(
        "--source",
        help="NAME=FILE_OR_URL, NAME one of litellm, models-dev, openrouter (repeatable).",
    ),
]


def _percent(value: str) -> Decimal:
    return to_decimal("--min-percent", value)


@catalog_app.command("diff")
def diff(
    source: SourceOpt,
    min_percent: Annotated[
        str, typer.Option("--min-percent", help="Leave out disagreements smaller than P %.")
    ] = "0",
    limit: Annotated[
        int, typer.Option(help="Rows shown in the table (JSON: all).", min=1, max=10_000)
    ] = 50,
    admin: AdminOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Prices and limits that disagree, per model and platform, largest first.

    Compares every model known from two or more of the sources given and the registry.
    The registry's own prices are costs: they take part with ``--admin`` only (a token of
    an administrator who reads costs); its limits always do.
    """
    from radiant.catalog.importers import load_source, parse_source_option
    from radiant.sync.discrepancy import discrepancy_report

    threshold = _percent(min_percent)
    sources = [parse_source_option(value) for value in source]
    registry = open_registry()
    if admin:
        from radiant.cli._auth import cost_reader

        cost_reader(registry.engine)
    results = [load_source(kind, location) for kind, location in sources]
    report = discrepancy_report(
        registry.snapshot(), results, registry_prices=admin, min_percent=threshold
    )
    if as_json:
        print_json(report.as_dict())
        return
    typer.echo(
        f"{report.models_compared} model(s) known from two or more sources; "
        f"{len(report.discrepancies)} disagreement(s)"
    )
    rows: list[list[Any]] = [
        [
            d.model,
            d.platform,
            d.field,
            "  ".join(f"{k}={_plain(v)}" for k, v in d.values.items()),
            _plain(d.difference),
            "n/a (one is 0)" if d.percent is None else f"{_plain(d.percent)}%",
        ]
        for d in report.discrepancies[:limit]
    ]
    if rows:
        table(
            "Catalog discrepancies",
            ["model", "platform", "field", "values", "spread", "spread %"],
            rows,
        )
    if len(report.discrepancies) > limit:
        typer.echo(f"... {len(report.discrepancies) - limit} more (--limit, or --json for all)")


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")
