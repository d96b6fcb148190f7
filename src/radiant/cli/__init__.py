"""The ``radiant`` command line.

Every command that reads prints a Rich table, or JSON with ``--json``. Errors print one
line on stderr and exit non-zero (2 bad input, 3 not found, 5 store unavailable).
Each area registers its commands from its own module, imported here.
"""

from __future__ import annotations

import sys

import pydantic
import typer

from radiant.cli import admin as _admin_commands
from radiant.cli import billing as _billing_commands
from radiant.cli import catalog as _catalog_commands
from radiant.cli import discovery as _discovery_commands
from radiant.cli import export as _export_commands
from radiant.cli import health as _health_commands
from radiant.cli import manage as _manage_commands
from radiant.cli import pricing as _pricing_commands
from radiant.cli import registry as _registry_commands
from radiant.cli import rules as _rules_commands
from radiant.cli import selection as _selection_commands
from radiant.cli import sync as _sync_commands
from radiant.cli import tenants as _tenant_commands
from radiant.cli._base import app
from radiant.errors import RadiantError

__all__ = ["app", "main"]
_COMMAND_MODULES = (
    _registry_commands,
    _manage_commands,
    _admin_commands,
    _tenant_commands,
    _pricing_commands,
    _rules_commands,
    _selection_commands,
    _catalog_commands,
    _sync_commands,
    _health_commands,
    _discovery_commands,
    _billing_commands,
    _export_commands,
)


def main() -> None:
    """Entry point: one line on stderr and a non-zero exit for every error."""
    try:
        # outside standalone mode Click returns a typer.Exit's code instead of raising it
        code = app(standalone_mode=False)
    except RadiantError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except pydantic.ValidationError as exc:  # a RADIANT_* setting that does not parse
        if exc.title != "Settings":
            raise
        typer.echo(f"error: {_bad_settings(exc)}", err=True)
        sys.exit(2)
    except typer.Abort:
        typer.echo("error: aborted", err=True)
        sys.exit(1)
    except typer.TyperException as exc:  # usage errors: missing or bad arguments and options
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        if type(exc).__name__ == "NoArgsIsHelpError":
            typer.echo(message, err=True)  # the help text itself
        else:
            typer.echo(f"error: {message}", err=True)
        sys.exit(int(getattr(exc, "exit_code", 2)))
    if isinstance(code, int) and code:
        sys.exit(code)


def _bad_settings(exc: pydantic.ValidationError) -> str:
    problems = [
        f"RADIANT_{str(error['loc'][0]).upper()}: {error['msg']}" if error["loc"] else error["msg"]
        for error in exc.errors()
    ]
    return "bad setting: " + "; ".join(problems)


if __name__ == "__main__":  # pragma: no cover
    main()
