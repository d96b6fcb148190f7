"""The ``radiant`` command line.

Every command that reads prints a Rich table, or JSON with ``--json``. Errors print one
line on stderr and exit non-zero (2 bad input, 3 not found, 5 store unavailable).
Each area registers its commands from its own module, imported when one of them runs
(:mod:`radiant.cli._commands`): ``radiant --help`` imports none of them.
"""

from __future__ import annotations

import sys

import typer

from radiant.cli._base import app
from radiant.errors import RadiantError

__all__ = ["app", "main"]


def main() -> None:
    """Entry point: one line on stderr and a non-zero exit for every error."""
    try:
        # outside standalone mode Click returns a typer.Exit's code instead of raising it
        code = app(standalone_mode=False)
    except RadiantError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
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
    except Exception as exc:
        problem = _bad_settings(exc)
        if problem is None:
            raise
        typer.echo(f"error: {problem}", err=True)
        sys.exit(2)
    if isinstance(code, int) and code:
        sys.exit(code)


def _bad_settings(exc: Exception) -> str | None:
    """What is wrong with the RADIANT_* settings when ``exc`` is pydantic's error for them."""
    if "pydantic" not in sys.modules:  # then pydantic raised nothing (and stays unloaded)
        return None
    import pydantic

    if not isinstance(exc, pydantic.ValidationError) or exc.title != "Settings":
        return None
    problems = [
        f"RADIANT_{str(error['loc'][0]).upper()}: {error['msg']}" if error["loc"] else error["msg"]
        for error in exc.errors()
    ]
    return "bad setting: " + "; ".join(problems)


if __name__ == "__main__":  # pragma: no cover
    main()
