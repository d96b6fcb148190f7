"""Registry writes from the command line, through the same service as the API:
``radiant models|providers|platforms|routes create|update|delete`` and
``radiant models set-price|set-status|capability``, ``radiant routes set-priority``.

Each write reads the object's current version and sends it as the expected one (or uses
``--expect-version`` from an earlier read), so a concurrent change is never overwritten.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from radiant.cli._auth import TokenOpt, context, engine
from radiant.cli._base import app, models_app, platforms_app, print_json, providers_app
from radiant.errors import ValidationError

routes_app = typer.Typer(help="Change routes (a model on a platform).", no_args_is_help=True)
app.add_typer(routes_app, name="routes")

SetOpt = Annotated[
    list[str] | None,
    typer.Option("--set", help="FIELD=VALUE (VALUE as JSON when it parses, else text); repeat."),
]
FileOpt = Annotated[
    Path | None, typer.Option("--file", help="A JSON or YAML file with the fields.")
]
ExpectOpt = Annotated[
    int | None, typer.Option("--expect-version", help="Fail unless the object is at this version.")
]
JsonOut = Annotated[bool, typer.Option("--json", help="Print the stored record as JSON.")]


def parse_fields(pairs: list[str] | None, file: Path | None) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if file is not None:
        from radiant.catalog.yaml_io import read_yaml

        loaded = (
            read_yaml(file) if file.suffix in (".yaml", ".yml") else json.loads(file.read_text())
        )
        if not isinstance(loaded, dict):
            raise ValidationError(f"{file}: expected an object of fields")
        data.update(loaded)
    for pair in pairs or []:
        name, sep, raw = pair.partition("=")
        if not sep or not name.strip():
            raise ValidationError(f"--set {pair!r}: use FIELD=VALUE")
        try:
            value: Any = json.loads(raw)
        except json.JSONDecodeError:
            value = raw
        data[name.strip()] = value
    return data


def _writer() -> tuple[Any, Any]:
    from radiant.manage.registry_writes import RegistryWriter

    eng = engine()
    return RegistryWriter(eng), eng


def _version(writer: Any, kind: str, key: str, expected: int | None) -> int:
    return expected if expected is not None else int(writer.get(kind, key).row_version)


def report(result: Any, as_json: bool) -> None:
    if result.approval is not None:
        typer.echo(
            f"pending approval {result.approval['id']} ({result.approval['type']}): "
            "a second administrator must approve it (radiant approvals approve ID)"
        )
        return
    if result.deleted:
        typer.echo("deleted")
        return
    record = result.record
    if as_json:
        from radiant.core.audit import jsonable

        print_json(jsonable(record.as_dict()))
        return
    verb = (
        "retired (still referenced)"
        if result.retired
        else ("saved" if result.changed else "unchanged")
    )
    typer.echo(f"{record.kind} {record.id} {verb}: version {record.row_version}")


def _register(kind: str, sub: typer.Typer) -> None:
    @sub.command("create")
    def create(
        fields: SetOpt = None,
        file: FileOpt = None,
        token: TokenOpt = None,
        as_json: JsonOut = False,
    ) -> None:
        """Create one from --file and/or --set fields."""
        writer, eng = _writer()
        report(writer.create(kind, parse_fields(fields, file), context(token, eng)), as_json)

    @sub.command("update")
    def update(
        key: str,
        fields: SetOpt = None,
        file: FileOpt = None,
        expect_version: ExpectOpt = None,
        token: TokenOpt = None,
        as_json: JsonOut = False,
    ) -> None:
        """Change fields (the catalog sync then leaves them alone)."""
        writer, eng = _writer()
        ctx = context(token, eng)
        changes = parse_fields(fields, file)
        version = _version(writer, kind, key, expect_version)
        report(writer.update(kind, key, changes, version, ctx), as_json)

    @sub.command("delete")
    def delete(key: str, expect_version: ExpectOpt = None, token: TokenOpt = None) -> None:
        """Delete; retired instead (inactive) while anything refers to it."""
        writer, eng = _writer()
        ctx = context(token, eng)
        report(writer.delete(kind, key, _version(writer, kind, key, expect_version), ctx), False)

    create.__name__ = f"{kind}_create"
    update.__name__ = f"{kind}_update"
    delete.__name__ = f"{kind}_delete"


for _kind, _sub in (
    ("platform", platforms_app),
    ("provider", providers_app),
    ("model", models_app),
    ("route", routes_app),
):
    _register(_kind, _sub)


@models_app.command("set-price")
def model_set_price(
    model: str,
    input_price: Annotated[
        str | None, typer.Option("--input", help="USD per 1M input tokens.")
    ] = None,
    output_price: Annotated[
        str | None, typer.Option("--output", help="USD per 1M output tokens.")
    ] = None,
    platform: Annotated[
        str | None, typer.Option("--platform", help="Which route (default: primary).")
    ] = None,
    fields: SetOpt = None,
    expect_version: ExpectOpt = None,
    token: TokenOpt = None,
) -> None:
    """A new price sheet for a model's route (the old one is closed: price history)."""
    changes = parse_fields(fields, None)
    if input_price is not None:
        changes["input_per_1m"] = input_price
    if output_price is not None:
        changes["output_per_1m"] = output_price
    if platform is not None:
        changes["platform_id"] = platform
    if not changes:
        raise ValidationError("name a price: --input, --output or --set FIELD=VALUE")
    writer, eng = _writer()
    ctx = context(token, eng)
    version = _version(writer, "model", model, expect_version)
    report(writer.set_price("model", model, changes, version, ctx), False)


@models_app.command("set-status")
def model_set_status(
    model: str,
    status: Annotated[
        str, typer.Option("--status", help="active, beta, preview, deprecated, inactive")
    ],
    date: Annotated[
        str | None, typer.Option("--date", help="Deprecation date, YYYY-MM-DD.")
    ] = None,
    guide: Annotated[str | None, typer.Option("--guide", help="Migration guide.")] = None,
    successor: Annotated[str | None, typer.Option("--successor")] = None,
    expect_version: ExpectOpt = None,
    token: TokenOpt = None,
) -> None:
    """Deprecate (with date, guide, successor), disable or reactivate a model."""
    changes: dict[str, Any] = {"status": status}
    for name, value in (
        ("deprecation_date", date),
        ("migration_guide", guide),
        ("successor_id", successor),
    ):
        if value is not None:
            changes[name] = value
    writer, eng = _writer()
    ctx = context(token, eng)
    version = _version(writer, "model", model, expect_version)
    report(writer.set_status("model", model, changes, version, ctx), False)


@models_app.command("capability")
def model_capability(
    model: str,
    operation: Annotated[str, typer.Argument(help="add or remove")],
    capability: str,
    expect_version: ExpectOpt = None,
    token: TokenOpt = None,
) -> None:
    """Add or remove one capability."""
    writer, eng = _writer()
    ctx = context(token, eng)
    version = _version(writer, "model", model, expect_version)
    report(writer.change_capability(model, operation, capability, version, ctx), False)


@routes_app.command("set-priority")
def route_set_priority(
    route: Annotated[str, typer.Argument(help="MODEL@PLATFORM")],
    priority: int,
    expect_version: ExpectOpt = None,
    token: TokenOpt = None,
) -> None:
    """Move a route in its model's fallback chain (1 = primary)."""
    writer, eng = _writer()
    ctx = context(token, eng)
    version = _version(writer, "route", route, expect_version)
    report(
        writer.update(
            "route", route, {"priority": priority}, version, ctx, action="route.priority"
        ),
        False,
    )


@routes_app.command("set-status")
def route_set_status(
    route: Annotated[str, typer.Argument(help="MODEL@PLATFORM")],
    status: Annotated[str, typer.Option("--status", help="active, inactive, maintenance")],
    expect_version: ExpectOpt = None,
    token: TokenOpt = None,
) -> None:
    """Take a route out of service, or back in."""
    writer, eng = _writer()
    ctx = context(token, eng)
    version = _version(writer, "route", route, expect_version)
    report(writer.set_status("route", route, {"status": status}, version, ctx), False)
