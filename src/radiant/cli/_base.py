"""The root ``radiant`` Typer app and the helpers every command module shares.

The root group builds a top-level command when it is first looked up, after importing
the modules :data:`~radiant.cli._commands.COMMANDS` names for it; its help lists the
commands from that table. Command modules import at their top only Typer, this module
and plain constants: the libraries a command runs on (SQLAlchemy, pydantic, FastAPI)
are imported inside it, so ``radiant --help`` and ``radiant GROUP --help`` load none.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping, MutableMapping
from decimal import Decimal
from importlib import import_module
from typing import Annotated, Any

import typer
from typer._click import Command, Context, HelpFormatter  # the Click that Typer vendors
from typer._click.globals import get_current_context
from typer.core import TyperCommand, TyperGroup
from typer.main import get_command_from_info, get_group_from_info
from typing_extensions import override

from radiant.cli._commands import COMMANDS


class LazyGroup(TyperGroup):
    """The root group: a command of ``COMMANDS`` is imported and built on first lookup."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        # a command of COMMANDS is built by _load only, with all its modules imported
        self.lazy = LazyCommands({n: c for n, c in self.commands.items() if n not in COMMANDS})
        self.commands = self.lazy

    @override
    def list_commands(self, ctx: Context) -> list[str]:
        return list(self.commands)

    @override
    def format_commands(self, ctx: Context, formatter: HelpFormatter) -> None:
        """The listing, each line from ``COMMANDS``: it builds no command."""
        listing = {
            name: self.lazy.built.get(name) or TyperCommand(name, help=COMMANDS[name].help)
            for name in self.commands
        }
        TyperGroup(name=self.name, commands=listing).format_commands(ctx, formatter)


class LazyCommands(MutableMapping[str, Command]):
    """The root group's commands: those of ``COMMANDS`` first, in its order, each built
    when first looked up; then any other (a test's)."""

    def __init__(self, built: Mapping[str, Command]) -> None:
        self.built = dict(built)

    def __getitem__(self, name: str) -> Command:
        if name not in self.built:
            if name not in COMMANDS:
                raise KeyError(name)
            self.built[name] = _load(name)
        return self.built[name]

    def __setitem__(self, name: str, command: Command) -> None:
        self.built[name] = command

    def __delitem__(self, name: str) -> None:
        del self.built[name]

    def __iter__(self) -> Iterator[str]:
        return iter({**dict.fromkeys(COMMANDS), **self.built})

    def __len__(self) -> int:
        return len(COMMANDS.keys() | self.built.keys())


def _load(name: str) -> Command:
    """Import the modules that register command ``name`` on :data:`app`, then build it
    as Typer builds the root's commands."""
    modules = [f"radiant.cli.{module}" for module in COMMANDS[name].modules]
    for module in modules:
        import_module(module)
    for command in app.registered_commands:
        if command.name == name:
            return get_command_from_info(
                command,
                pretty_exceptions_short=app.pretty_exceptions_short,
                rich_markup_mode=app.rich_markup_mode,
            )
    for group in app.registered_groups:
        if group.name == name and group.typer_instance is not None:
            # a group's commands in the order of its modules, whichever was imported first
            group.typer_instance.registered_commands.sort(
                key=lambda command: modules.index(getattr(command.callback, "__module__", ""))
            )
            return get_group_from_info(
                group,
                pretty_exceptions_short=app.pretty_exceptions_short,
                rich_markup_mode=app.rich_markup_mode,
                suggest_commands=app.suggest_commands,
            )
    raise LookupError(f"{', '.join(modules)} register no command {name!r}")


app = typer.Typer(
    name="radiant",
    help="Radiant: the AI model registry and router.",
    cls=LazyGroup,
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

    registry = open_registry(load_settings())
    disposed_with_command(registry.engine)
    return registry


def disposed_with_command(engine: Any) -> Any:
    """``engine``, disposed when the running command ends: its pooled connections are
    closed then, not left to the garbage collector, so a process that runs commands one
    after another (a test, a program embedding the CLI) keeps none open."""
    context = get_current_context(silent=True)
    if context is not None:
        context.call_on_close(engine.dispose)
    return engine


def read_snapshot() -> Any:
    """The registry as the read commands see it (see :mod:`radiant.cli._reads`)."""
    from radiant.cli._reads import read_view

    return read_view(load_settings())[0]


def price_lens(*, admin: bool) -> Any:
    """How the CLI sees prices: clients' view by default, costs with ``--admin`` (and a
    token that holds ``cost:read``)."""
    from radiant.cli._auth import cost_reader
    from radiant.cli._reads import read_view
    from radiant.pricing.lens import PriceLens

    if admin:
        cost_reader()
    snapshot, book = read_view(load_settings())
    return PriceLens(snapshot, book, sees_cost=admin)


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
