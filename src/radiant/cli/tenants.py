"""``radiant tenants``: tenants, their model access and API keys, from the command line.

Every command acts as the administrator whose token ``radiant --token`` or ``RADIANT_TOKEN``
names, with that administrator's permissions, exactly as the API would.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any

import typer

from radiant.cli._base import JsonOpt, app, open_registry, print_json, table
from radiant.errors import ValidationError

tenants_app = typer.Typer(help="Tenants, their model access and API keys.", no_args_is_help=True)
access_app = typer.Typer(
    help="Which models a tenant may use, and at what price.", no_args_is_help=True
)
keys_app = typer.Typer(help="A tenant's API keys.", no_args_is_help=True)
app.add_typer(tenants_app, name="tenants")
tenants_app.add_typer(access_app, name="access")
tenants_app.add_typer(keys_app, name="keys")

TenantArg = Annotated[str, typer.Argument(help="Tenant id or slug.")]
ModelArg = Annotated[str, typer.Argument(help="Model id or alias.")]


def _services() -> Any:
    from radiant.tenants import Tenants

    return Tenants.open(open_registry())


def _operator() -> Any:
    from radiant.cli._auth import acting

    return acting()


def _money(option: str, value: str | None) -> Decimal | None:
    """A decimal option; ``none`` clears the value."""
    if value is None or value.strip().lower() in ("none", ""):
        return None
    from radiant.domain.numbers import to_decimal

    return to_decimal(option, value)


def _show_tenant(tenant: Any, as_json: bool) -> None:
    if as_json:
        print_json(tenant.model_dump(mode="json"))
        return
    table(
        f"tenant {tenant.slug}",
        ["field", "value"],
        [[k, v] for k, v in tenant.model_dump(mode="json").items()],
    )


# ---------------------------------------------------------------------------- tenants


@tenants_app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="The organisation's name.")],
    slug: Annotated[str, typer.Option(help="Unique handle (lower case, digits, - . _).")],
    tier: Annotated[int, typer.Option(help="Tier 1-5.")] = 1,
    domain: Annotated[str | None, typer.Option(help="The organisation's domain.")] = None,
    billing_email: Annotated[str | None, typer.Option(help="Where invoices go.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a tenant."""
    tenant = _services().tenants.create(
        _operator(), name=name, slug=slug, tier=tier, domain=domain, billing_email=billing_email
    )
    _show_tenant(tenant, as_json)


@tenants_app.command("list")
def list_tenants(
    status: Annotated[str | None, typer.Option(help="active, suspended or cancelled.")] = None,
    include_deleted: Annotated[bool, typer.Option("--all", help="Deleted ones too.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """List tenants."""
    from radiant.domain.tenant import TenantStatus

    try:
        wanted = None if status is None else TenantStatus(status)
    except ValueError:
        raise ValidationError(f"--status {status!r}: use active, suspended or cancelled") from None
    rows = _services().tenants.list(_operator(), status=wanted, include_deleted=include_deleted)
    if as_json:
        print_json([t.model_dump(mode="json") for t in rows])
        return
    table(
        "tenants",
        ["slug", "name", "tier", "status", "id"],
        [[t.slug, t.name, t.tier, t.status.value, t.id] for t in rows],
    )


@tenants_app.command("show")
def show(tenant: TenantArg, as_json: JsonOpt = False) -> None:
    """Show one tenant."""
    _show_tenant(_services().tenants.get(_operator(), tenant), as_json)


@tenants_app.command("update")
def update(
    tenant: TenantArg,
    name: Annotated[str | None, typer.Option(help="New name.")] = None,
    slug: Annotated[str | None, typer.Option(help="New slug.")] = None,
    tier: Annotated[int | None, typer.Option(help="Tier 1-5.")] = None,
    status: Annotated[str | None, typer.Option(help="active or suspended.")] = None,
    domain: Annotated[str | None, typer.Option(help="Domain.")] = None,
    billing_email: Annotated[str | None, typer.Option(help="Billing e-mail.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Change a tenant's fields."""
    given = {
        "name": name,
        "slug": slug,
        "tier": tier,
        "status": status,
        "domain": domain,
        "billing_email": billing_email,
    }
    changes = {k: v for k, v in given.items() if v is not None}
    if not changes:
        raise ValidationError("nothing to change: give at least one option")
    _show_tenant(_services().tenants.update(_operator(), tenant, changes), as_json)


@tenants_app.command("suspend")
def suspend(tenant: TenantArg, as_json: JsonOpt = False) -> None:
    """Suspend a tenant: its keys stop working (undo: update --status active)."""
    _show_tenant(_services().tenants.suspend(_operator(), tenant), as_json)


@tenants_app.command("delete")
def delete(tenant: TenantArg, as_json: JsonOpt = False) -> None:
    """Delete a tenant (soft: cancelled, keys revoked, rows kept)."""
    _show_tenant(_services().tenants.delete(_operator(), tenant), as_json)


# ---------------------------------------------------------------------------- access


def _show_access(rows: list[Any], as_json: bool) -> None:
    if as_json:
        print_json([a.model_dump(mode="json") for a in rows])
        return
    table(
        "model access",
        ["model", "enabled", "input/1M", "output/1M", "markup %", "rpm", "tpm"],
        [
            [
                a.model_id,
                a.enabled,
                a.custom_input_price_per_1m,
                a.custom_output_price_per_1m,
                a.custom_markup_percent,
                a.rate_limit_rpm,
                a.rate_limit_tpm,
            ]
            for a in rows
        ],
    )


PriceOpt = Annotated[str | None, typer.Option(help="USD per 1M tokens ('none' clears).")]
MarkupOpt = Annotated[str | None, typer.Option(help="Percent over cost ('none' clears).")]
RpmOpt = Annotated[int | None, typer.Option(help="Requests per minute.")]
TpmOpt = Annotated[int | None, typer.Option(help="Tokens per minute.")]


def _access_values(
    input_price: str | None,
    output_price: str | None,
    markup: str | None,
    rpm: int | None,
    tpm: int | None,
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if input_price is not None:
        values["custom_input_price_per_1m"] = _money("--input-price", input_price)
    if output_price is not None:
        values["custom_output_price_per_1m"] = _money("--output-price", output_price)
    if markup is not None:
        values["custom_markup_percent"] = _money("--markup", markup)
    if rpm is not None:
        values["rate_limit_rpm"] = rpm
    if tpm is not None:
        values["rate_limit_tpm"] = tpm
    return values


@access_app.command("grant")
def grant(
    tenant: TenantArg,
    model: ModelArg,
    input_price: PriceOpt = None,
    output_price: PriceOpt = None,
    markup: MarkupOpt = None,
    rpm: RpmOpt = None,
    tpm: TpmOpt = None,
    disabled: Annotated[bool, typer.Option("--disabled", help="Grant it switched off.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Let a tenant use a model."""
    values = _access_values(input_price, output_price, markup, rpm, tpm)
    access = _services().access.grant(_operator(), tenant, model, enabled=not disabled, **values)
    _show_access([access], as_json)


@access_app.command("set")
def set_access(
    tenant: TenantArg,
    model: ModelArg,
    input_price: PriceOpt = None,
    output_price: PriceOpt = None,
    markup: MarkupOpt = None,
    rpm: RpmOpt = None,
    tpm: TpmOpt = None,
    enabled: Annotated[
        bool | None, typer.Option("--enable/--disable", help="Switch the grant on or off.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Change a grant: switch it on or off, its prices, markup and limits."""
    changes = _access_values(input_price, output_price, markup, rpm, tpm)
    if enabled is not None:
        changes["enabled"] = enabled
    if not changes:
        raise ValidationError("nothing to change: give at least one option")
    _show_access([_services().access.update(_operator(), tenant, model, changes)], as_json)


@access_app.command("revoke")
def revoke_access(tenant: TenantArg, model: ModelArg) -> None:
    """Remove a tenant's grant of a model."""
    gone = _services().access.revoke(_operator(), tenant, model)
    typer.echo(f"revoked {gone.model_id} for tenant {tenant}")


@access_app.command("list")
def list_access(tenant: TenantArg, as_json: JsonOpt = False) -> None:
    """The models a tenant was granted."""
    _show_access(_services().access.list(_operator(), tenant), as_json)


# ---------------------------------------------------------------------------- keys


@keys_app.command("create")
def create_key(
    tenant: TenantArg,
    name: Annotated[str, typer.Option(help="What the key is for.")],
    scope: Annotated[
        list[str] | None,
        typer.Option(
            help="A scope (repeat for more): chat, embeddings, images, audio, models. "
            "None given: every scope."
        ),
    ] = None,
    rpm: Annotated[
        int | None, typer.Option(min=1, help="Requests per minute (default: the tier's).")
    ] = None,
    tpm: Annotated[
        int | None, typer.Option(min=1, help="Tokens per minute (default: the tier's).")
    ] = None,
    expires_in_days: Annotated[
        int | None, typer.Option(min=1, help="Expire after this many days.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Issue an API key. The key is printed once: store it now."""
    expires = None
    if expires_in_days is not None:
        expires = datetime.now(UTC) + timedelta(days=expires_in_days)
    issued = _services().keys.issue(
        _operator(),
        tenant,
        name=name,
        scopes=scope,
        rate_limit_rpm=rpm,
        rate_limit_tpm=tpm,
        expires_at=expires,
    )
    if as_json:
        print_json({**issued.key.model_dump(mode="json"), "key": issued.secret})
        return
    typer.echo(issued.secret)
    typer.echo(
        f"key {issued.key.id} ({issued.key.name}) for tenant {tenant}; it is shown only once",
        err=True,
    )


@keys_app.command("list")
def list_keys(tenant: TenantArg, as_json: JsonOpt = False) -> None:
    """A tenant's keys (prefixes only; keys are never shown again)."""
    rows = _services().keys.list(_operator(), tenant)
    if as_json:
        print_json([k.model_dump(mode="json") for k in rows])
        return
    table(
        "API keys",
        ["id", "name", "prefix", "status", "scopes", "expires", "last used", "uses"],
        [
            [
                k.id,
                k.name,
                k.key_prefix,
                k.status.value,
                ",".join(k.scopes) or "all",
                k.expires_at,
                k.last_used_at,
                k.usage_count,
            ]
            for k in rows
        ],
    )


@keys_app.command("revoke")
def revoke_key(tenant: TenantArg, key_id: Annotated[str, typer.Argument(help="Key id.")]) -> None:
    """Revoke a key for good."""
    key = _services().keys.revoke(_operator(), tenant, key_id)
    typer.echo(f"key {key.id} ({key.name}) is {key.status.value}")
