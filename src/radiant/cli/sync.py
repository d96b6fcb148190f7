"""``radiant sync full|discovery|health|thermal|pricing``: run one sync now; ``radiant
sync history``: the runs so far.

Each run command runs its job in this process through the sync runner (so it is recorded
in the sync log, announced to webhooks, and refused while another run of the same type is
going), shows a progress bar on stderr while it runs (a terminal only, or
``--progress``), and prints the run: a summary line, or the whole run with ``--json``.
A failed run prints one ``error:`` line and exits 1.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from radiant.cli._base import JsonOpt, load_settings, print_json, sync_app, table
from radiant.errors import RadiantError

__all__ = ["RichProgress", "SyncFailedError", "run_sync"]

ProgressOpt = Annotated[
    bool | None,
    typer.Option(
        "--progress/--no-progress", help="Show a progress bar on stderr (default: on a terminal)."
    ),
]


class SyncFailedError(RadiantError):
    """A run that ended ``failed``: the CLI's one line and exit code 1."""

    exit_code = 1


class RichProgress:
    """The job's progress as a Rich bar on stderr."""

    def __init__(self, description: str) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[message]}"),
            console=Console(stderr=True),
            transient=False,
        )
        self.task = self.progress.add_task(description, total=None, message="")

    def __enter__(self) -> RichProgress:
        self.progress.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.progress.stop()

    def start(self, total: int | None, message: str = "") -> None:
        self.progress.reset(self.task, total=total, completed=0, message=message)

    def advance(self, amount: int = 1, message: str | None = None) -> None:
        if message is None:
            self.progress.advance(self.task, amount)
        else:
            self.progress.update(self.task, advance=amount, message=message)


def run_sync(name: str, options: dict[str, Any], *, as_json: bool, progress: bool | None) -> Any:
    """Run ``name`` now and print it; SyncFailedError (one line, non-zero exit) when it
    failed. Returns the run."""
    from radiant.store.engine import make_engine
    from radiant.store.repository import sync_run
    from radiant.sync.runner import run_job

    settings = load_settings()
    engine = make_engine(settings.database_url, role=settings.database_role or None)
    show = sys.stderr.isatty() if progress is None else progress
    catalog = options if name == "catalog" else options.get("catalog") or {}
    source = catalog.get("directory") or ("builtin" if name in ("catalog", "full") else None)
    try:
        if show:
            with RichProgress(f"sync {name}") as bar:
                run = run_job(
                    engine, name, options=options, progress=bar, settings=settings, source=source
                )
        else:
            run = run_job(engine, name, options=options, settings=settings, source=source)
        record = sync_run(engine, run.id) or {}
    finally:
        engine.dispose()
    _drain_webhooks(settings)
    if as_json:
        print_json({**record, "counts": run.counts})
    else:
        counts = ", ".join(f"{k} {v}" for k, v in sorted(run.counts.items()) if v) or "no changes"
        typer.echo(f"sync {run.id} ({name}) {run.status} in {run.duration_ms} ms: {counts}")
        for error in run.errors:
            typer.echo(f"warning: {error}", err=True)
    if not run.ok:
        failure = SyncFailedError(f"{name} sync {run.id} {run.status}: {run.error_message}")
        if isinstance(run.exception, RadiantError):  # keep its exit code (2 bad input, ...)
            failure.exit_code = run.exception.exit_code
        raise failure
    return run


def _drain_webhooks(settings: Any) -> None:
    """Give queued webhook deliveries a chance before the process exits."""
    if not settings.webhook_urls:
        return
    from radiant.sync.runner import webhook_dispatcher

    if not webhook_dispatcher(settings).drain(timeout=settings.webhook_timeout_seconds * 2):
        typer.echo("warning: webhook deliveries still pending at exit", err=True)


DirOpt = Annotated[
    Path | None, typer.Option("--dir", help="A catalog directory (default: built-in).")
]


@sync_app.command("full")
def sync_full(
    directory: DirOpt = None, as_json: JsonOpt = False, progress: ProgressOpt = None
) -> None:
    """The daily sync: catalog, then discovery, health and thermal, recorded as one run."""
    settings = load_settings()
    directory = directory or settings.catalog_dir
    catalog = {"directory": str(directory)} if directory else {}
    run_sync("full", {"catalog": catalog}, as_json=as_json, progress=progress)


@sync_app.command("discovery")
def sync_discovery(
    platform: Annotated[
        list[str] | None,
        typer.Option(
            "--platform",
            help="Only this platform, provider or target (direct:anthropic); repeat it.",
        ),
    ] = None,
    as_json: JsonOpt = False,
    progress: ProgressOpt = None,
) -> None:
    """Ask each platform which models it serves: new ones wait for review, gone ones retire."""
    options = {"platforms": list(platform)} if platform else {}
    run_sync("discovery", options, as_json=as_json, progress=progress)


@sync_app.command("health")
def sync_health(as_json: JsonOpt = False, progress: ProgressOpt = None) -> None:
    """Probe every platform and region now and record their health."""
    run_sync("health", {}, as_json=as_json, progress=progress)


@sync_app.command("thermal")
def sync_thermal(as_json: JsonOpt = False, progress: ProgressOpt = None) -> None:
    """Read the state of every self-hosted endpoint now (OFF, COLD, WARM, HOT)."""
    run_sync("thermal", {}, as_json=as_json, progress=progress)


@sync_app.command("pricing")
def sync_pricing(
    source: Annotated[
        list[str] | None,
        typer.Option(
            "--source",
            help="KIND=FILE_OR_URL, KIND one of litellm, models-dev, openrouter; repeat it "
            "(default: RADIANT_PRICING_SOURCES, else the three public catalogs).",
        ),
    ] = None,
    as_json: JsonOpt = False,
    progress: ProgressOpt = None,
) -> None:
    """Grow the registry from public catalogs and price it as they say (never over an
    administrator's values or the catalog's own)."""
    from radiant.errors import ValidationError
    from radiant.sync.options import pricing_sources

    items = source or load_settings().pricing_sources
    if not items:
        raise ValidationError(
            "no pricing source: pass --source KIND=FILE_OR_URL or set RADIANT_PRICING_SOURCES "
            "(it is empty)"
        )
    run_sync("pricing", {"sources": pricing_sources(items)}, as_json=as_json, progress=progress)


@sync_app.command("run")
def sync_run_cmd(
    name: Annotated[str, typer.Argument(help="A job's name (RADIANT_SYNC_JOB_MODULES adds some).")],
    as_json: JsonOpt = False,
    progress: ProgressOpt = None,
) -> None:
    """Run any registered sync job now, with the options the server would give it."""
    from radiant.sync.options import default_options

    run_sync(name, default_options(name, load_settings()), as_json=as_json, progress=progress)


@sync_app.command("history")
def sync_history_cmd(
    sync_type: Annotated[
        str | None, typer.Option("--type", help="Only runs of this type (full, catalog, ...).")
    ] = None,
    status: Annotated[
        str | None,
        typer.Option(help="Only runs that ended so: running, completed, failed, abandoned."),
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="How many runs.")] = 20,
    offset: Annotated[int, typer.Option(min=0, help="Skip this many of the newest.")] = 0,
    as_json: JsonOpt = False,
) -> None:
    """The sync runs so far, newest first: what each changed and how it ended."""
    from radiant.domain import SyncStatus
    from radiant.errors import ValidationError
    from radiant.store.engine import make_engine
    from radiant.store.repository import count_sync_runs, sync_history
    from radiant.sync.runner import check_sync_type

    settings = load_settings()
    if status is not None and status not in {s.value for s in SyncStatus}:
        known = ", ".join(s.value for s in SyncStatus)
        raise ValidationError(f"unknown status {status!r}; known: {known}")
    if sync_type is not None:
        check_sync_type(sync_type, settings)
    engine = make_engine(settings.database_url, role=settings.database_role or None)
    try:
        rows = sync_history(engine, limit, sync_type=sync_type, status=status, offset=offset)
        total = count_sync_runs(engine, sync_type=sync_type, status=status)
    finally:
        engine.dispose()
    if as_json:
        print_json({"data": rows, "count": total, "limit": limit, "offset": offset})
        return
    table(
        f"{len(rows)} of {total} sync runs",
        ["id", "type", "status", "trigger", "started", "ms", "changes", "error"],
        [
            [
                row["id"],
                row["sync_type"],
                row["status"],
                row["trigger"],
                row["started_at"].isoformat(timespec="seconds"),
                row["duration_ms"],
                _changes(row),
                row["error_message"],
            ]
            for row in rows
        ],
    )


_CHANGES = (
    "models_added",
    "models_updated",
    "models_deprecated",
    "routes_added",
    "routes_updated",
    "prices_changed",
    "providers_updated",
)


def _changes(row: dict[str, Any]) -> str:
    """What a run changed, in a few words ("" when nothing)."""
    return ", ".join(f"{key} {row[key]}" for key in _CHANGES if row.get(key))
