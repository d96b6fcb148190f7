"""The root ``radiant`` Typer app and the helpers every command module shares."""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from typing import Annotated, Any

import typer

app = typer.Typer(
    name="radiant",
    help="Radiant: the AI model registry and router.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
sync_app = typer.Typer(help="Keep the registry current.", no_args_is_help=True)
models_app = typer.Typer(help="Browse models.", no_args_is_help=True)
providers_app = typer.Typer(help="Browse providers.", no_args_is_help=True)
platforms_app = typer.Typer(help="Browse platforms.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(sync_app, name="sync")
app.add_typer(models_app, name="models")
app.add_typer(providers_app, name="providers")
app.add_typer(platforms_app, name="platforms")

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
AdminOpt = Annotated[
    bool,
    typer.Option(
        "--admin",
        help="Show costs, markups and margins too (needs the token of an administrator "
        "who may read costs: --token or RADIANT_TOKEN).",
    ),
]


class State:
    database_url: str | None = None
    token: str | None = None


state = State()


@app.callback()
def _root(
    database_url: Annotated[
        str | None,
        typer.Option("--database-url", envvar="RADIANT_DATABASE_URL", help="SQLAlchemy URL."),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            "--token", envvar="RADIANT_TOKEN", help="An administrator's API token, for writes."
        ),
    ] = None,
) -> None:
    state.database_url = database_url
    state.token = token


def load_settings() -> Any:
    from radiant.settings import Settings, get_settings

    return Settings(database_url=state.database_url) if state.database_url else get_settings()


def open_registry() -> Any:
    from radiant.bootstrap import open_registry

    return open_registry(load_settings())


def price_lens(registry: Any, *, admin: bool) -> Any:
    """How the CLI sees prices: clients' view by default, costs with ``--admin`` (and a
    token that holds ``cost:read``)."""
    from radiant.cli._auth import cost_reader
    from radiant.pricing.service import PriceLens, PricingService

    if admin:
        cost_reader(registry.engine)

    return PriceLens(PricingService(registry), registry.snapshot(), sees_cost=admin)


def print_json(data: Any) -> None:
    def default(value: Any) -> Any:
        if isinstance(value, Decimal):
            return format(value.normalize(), "f")
        if hasattr(value, "isoformat"):
            return value.isoformat()
        raise TypeError(f"cannot serialise {type(value).__name__}")

    typer.echo(json.dumps(data, indent=2, default=default, ensure_ascii=False))


def table(title: str, columns: list[str], rows: list[list[Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    # piped output is not cut at 80 columns: ids must stay whole
    Console(width=None if sys.stdout.isatty() else 160).print(table)


def money(value: Decimal | None) -> str:
    return "" if value is None else "$" + format(value.normalize(), "f")


def safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
