"""``radiant catalog diff``: where public catalogs and the registry disagree."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

import typer

from radiant.cli._base import AdminOpt, JsonOpt, app, open_registry, print_json, table

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
    from radiant.domain.numbers import to_decimal

    return to_decimal("--min-percent", value)


@catalog_app.command("diff")
def diff(
    source: SourceOpt,
    min_percent: Annotated[
        str, typer.Option("--min-percent", help="Leave out disagreements smaller than P %.")
    ] = "0",
    field: Annotated[
        list[str] | None,
        typer.Option(
            "--field", help="Only this field (repeatable): input_per_1m, context_window..."
        ),
    ] = None,
    in_registry: Annotated[
        bool, typer.Option("--in-registry", help="Only models the registry has.")
    ] = False,
    provider: Annotated[
        list[str] | None, typer.Option("--provider", help="Only models of this maker (repeatable).")
    ] = None,
    limit: Annotated[
        int, typer.Option(help="Rows shown in the table (JSON: all).", min=1, max=10_000)
    ] = 50,
    admin: AdminOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Prices and limits that disagree, per model and platform, largest spread first.

    Compares every route (one model on one platform) known from two or more of the
    sources given and the registry, pairing only entries for the same endpoint. The
    registry's own prices are costs: they take part with ``--admin`` only (a token of an
    administrator who reads costs); its limits always do.
    """
    from radiant.catalog.importers import load_source, parse_source_option
    from radiant.sync.discrepancy import check_fields, discrepancy_report

    threshold = _percent(min_percent)
    fields = check_fields(field)
    sources = [parse_source_option(value) for value in source]
    registry = open_registry()
    if admin:
        from radiant.cli._auth import cost_reader

        cost_reader(registry.engine)
    results = [load_source(kind, location) for kind, location in sources]
    report = discrepancy_report(
        registry.engine,
        results,
        registry_prices=admin,
        min_percent=threshold,
        fields=fields,
        in_registry=in_registry,
        providers=provider,
    )
    if as_json:
        print_json(report.as_dict())
        return
    typer.echo(
        f"{report.models_compared} route(s) known from two or more sources; "
        f"{len(report.discrepancies)} disagreement(s)"
    )
    for name, summary in report.summary().items():
        typer.echo(
            f"  {name}: {summary['count']} on {summary['models']} model(s), "
            f"largest spread {summary['largest_spread']}"
        )
    rows: list[list[Any]] = [
        [
            d.model,
            d.platform,
            d.field,
            "  ".join(
                [f"{k}={_plain(v)}" for k, v in d.values.items()] + [f"{k}=-" for k in d.missing]
            ),
            _plain(d.difference),
            "n/a (low is 0)" if d.percent is None else f"{_plain(d.percent)}%",
        ]
        for d in report.discrepancies[:limit]
    ]
    if rows:
        table(
            "Catalog discrepancies",
            ["model", "platform", "field", "values (- missing)", "spread", "spread %"],
            rows,
        )
    if len(report.discrepancies) > limit:
        typer.echo(f"... {len(report.discrepancies) - limit} more (--limit, or --json for all)")


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")
