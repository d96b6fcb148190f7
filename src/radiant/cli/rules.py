"""``radiant rules``: routing rules from the command line, through the same service and
permission checks as ``/api/v2/admin/routing-rules`` (reads ``admin:read``, writes
``routing:write``; the token comes from ``--token`` or ``RADIANT_TOKEN``).

Writes read the rule's current version and send it as the expected one (or use
``--expect-version`` from an earlier read), so a concurrent change is never overwritten.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from radiant.bounds import INT32_MAX
from radiant.cli._auth import TokenOpt, context
from radiant.cli._base import JsonOpt, app, open_registry, print_json, state, table
from radiant.errors import ValidationError

rules_app = typer.Typer(
    help="Routing rules: route, fall back, block or rate-limit requests before selection.",
    no_args_is_help=True,
)
app.add_typer(rules_app, name="rules")

RuleArg = Annotated[str, typer.Argument(help="The rule's id.")]
ExpectOpt = Annotated[
    int | None, typer.Option("--expect-version", help="Fail unless the rule is at this version.")
]
Many = list[str] | None
ModelsOpt = Annotated[Many, typer.Option("--model", help="Glob on model id/alias; repeat.")]
ProvidersOpt = Annotated[Many, typer.Option("--provider", help="Glob on provider id; repeat.")]
TiersOpt = Annotated[
    list[int] | None, typer.Option("--tier", min=1, max=5, help="A tenant tier; repeat.")
]
MinTierOpt = Annotated[int | None, typer.Option(min=1, max=5, help="Lowest tenant tier.")]
MaxTierOpt = Annotated[int | None, typer.Option(min=1, max=5, help="Highest tenant tier.")]
CapsOpt = Annotated[Many, typer.Option("--capability", help="A required capability; repeat.")]
TasksOpt = Annotated[Many, typer.Option("--task", help="A task (chat, embedding, ...); repeat.")]
MinTokOpt = Annotated[
    int | None, typer.Option(min=0, max=INT32_MAX, help="Smallest estimated request, in tokens.")
]
MaxTokOpt = Annotated[
    int | None, typer.Option(min=0, max=INT32_MAX, help="Largest estimated request, in tokens.")
]
TenantOpt = Annotated[str | None, typer.Option("--tenant", help="A tenant's id or slug.")]
FallbackOpt = Annotated[Many, typer.Option("--fallback", help="A fallback model; repeat.")]


def _service() -> tuple[Any, Any]:
    from radiant.selection.rule_admin import RoutingRules

    registry = open_registry()
    return RoutingRules(registry), registry.engine


def _ctx(token: str | None, engine: Any) -> Any:
    return context(token, engine)


def _reader(token: str | None, engine: Any) -> Any:
    from radiant.cli._auth import acting

    if token or state.token:
        return _ctx(token, engine).principal
    return acting(engine)


def _show(rule: Any, as_json: bool) -> None:
    data = rule.model_dump(mode="json")
    if as_json:
        print_json(data)
        return
    data["conditions"] = json.dumps(_conditions(**data["conditions"])) or "{}"
    table(f"routing rule {rule.name}", ["field", "value"], [[k, v] for k, v in data.items()])


def _conditions(**given: Any) -> dict[str, Any]:
    return {k: v for k, v in given.items() if v not in (None, [])}


@rules_app.command("list")
def list_rules(
    tenant: TenantOpt = None,
    scope: Annotated[str | None, typer.Option(help="'tenant' or 'global' only.")] = None,
    token: TokenOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Rules in the order they are considered (priority ascending)."""
    service, engine = _service()
    rules = service.list(_reader(token, engine), tenant=tenant, scope=scope)
    if as_json:
        print_json({"data": [r.model_dump(mode="json") for r in rules], "count": len(rules)})
        return
    table(
        "routing rules",
        ["priority", "name", "action", "scope", "enabled", "target", "id"],
        [
            [
                r.priority,
                r.name,
                r.action.value,
                r.tenant_id or "global",
                r.enabled,
                r.target_model or r.target_provider or ", ".join(r.fallback_models),
                r.id,
            ]
            for r in rules
        ],
    )


@rules_app.command("show")
def show(rule_id: RuleArg, token: TokenOpt = None, as_json: JsonOpt = False) -> None:
    """One rule (its version is what --expect-version takes)."""
    service, engine = _service()
    _show(service.get(_reader(token, engine), rule_id), as_json)


@rules_app.command("create")
def create(
    name: Annotated[str, typer.Option(help="A short name.")],
    action: Annotated[str, typer.Option(help="route, fallback, block or rate_limit.")],
    tenant: TenantOpt = None,
    priority: Annotated[
        int, typer.Option(min=0, max=INT32_MAX, help="Lower numbers are considered first.")
    ] = 100,
    description: Annotated[str | None, typer.Option(help="Why (a block's reason).")] = None,
    disabled: Annotated[bool, typer.Option("--disabled", help="Store it switched off.")] = False,
    model: ModelsOpt = None,
    provider: ProvidersOpt = None,
    tier: TiersOpt = None,
    min_tier: MinTierOpt = None,
    max_tier: MaxTierOpt = None,
    capability: CapsOpt = None,
    task: TasksOpt = None,
    min_tokens: MinTokOpt = None,
    max_tokens: MaxTokOpt = None,
    target_model: Annotated[str | None, typer.Option(help="Route to this model.")] = None,
    target_provider: Annotated[str | None, typer.Option(help="Route to this provider.")] = None,
    fallback: FallbackOpt = None,
    rpm: Annotated[
        int | None, typer.Option(min=1, max=INT32_MAX, help="Requests per minute (rate_limit).")
    ] = None,
    tpm: Annotated[
        int | None, typer.Option(min=1, max=INT32_MAX, help="Tokens per minute (rate_limit).")
    ] = None,
    token: TokenOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a rule; conditions given by options must all hold for it to apply."""
    service, engine = _service()
    data: dict[str, Any] = {
        "name": name,
        "action": action,
        "tenant_id": tenant,
        "priority": priority,
        "description": description,
        "enabled": not disabled,
        "conditions": _conditions(
            models=model,
            providers=provider,
            tenant_tiers=tier,
            min_tier=min_tier,
            max_tier=max_tier,
            capabilities=capability,
            tasks=task,
            min_estimated_tokens=min_tokens,
            max_estimated_tokens=max_tokens,
        ),
        "target_model": target_model,
        "target_provider": target_provider,
        "fallback_models": fallback or [],
        "rate_limit_rpm": rpm,
        "rate_limit_tpm": tpm,
    }
    _show(service.create(_ctx(token, engine), data), as_json)


@rules_app.command("update")
def update(
    rule_id: RuleArg,
    fields: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="FIELD=VALUE (VALUE as JSON when it parses, else text), e.g. priority=5, "
            'enabled=false, conditions=\'{"models": ["gpt-*"]}\', tenant_id=null; repeat.',
        ),
    ] = None,
    expect_version: ExpectOpt = None,
    token: TokenOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Change fields of a rule."""
    from radiant.cli.manage import parse_fields

    service, engine = _service()
    ctx = _ctx(token, engine)
    changes = parse_fields(fields, None)
    if not changes:
        raise ValidationError("nothing to change: pass --set FIELD=VALUE")
    version = expect_version or service.get(ctx.principal, rule_id).row_version
    _show(service.update(ctx, rule_id, changes, version), as_json)


@rules_app.command("delete")
def delete(rule_id: RuleArg, expect_version: ExpectOpt = None, token: TokenOpt = None) -> None:
    """Delete a rule."""
    service, engine = _service()
    ctx = _ctx(token, engine)
    version = expect_version or service.get(ctx.principal, rule_id).row_version
    service.delete(ctx, rule_id, version)
    typer.echo(f"routing rule {rule_id} deleted")


@rules_app.command("evaluate")
def evaluate(
    tenant: TenantOpt = None,
    tier: Annotated[int | None, typer.Option(help="The tenant's tier (default: its own).")] = None,
    model: Annotated[str | None, typer.Option(help="The requested model.")] = None,
    task: Annotated[str | None, typer.Option(help="The request's task.")] = None,
    capability: CapsOpt = None,
    tokens: Annotated[int | None, typer.Option(help="Estimated size in tokens.")] = None,
    token: TokenOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Dry run: which rules match a request, and what they decide."""
    from radiant.domain import Task

    try:
        wanted = None if task is None else Task(task)
    except ValueError:
        raise ValidationError(f"--task {task!r} is not a task") from None
    if tier is not None and not 1 <= tier <= 5:
        raise ValidationError("--tier is 1 to 5")
    service, engine = _service()
    result = service.evaluate(
        _reader(token, engine),
        tenant=tenant,
        tenant_tier=tier,
        model=model,
        task=wanted,
        capabilities=frozenset(capability or []),
        estimated_tokens=tokens,
    ).as_dict()
    if as_json:
        print_json(result)
        return
    decision = result["decision"]
    if decision["blocked"]:
        typer.echo(f"blocked by {decision['rule_name']}: {decision['reason']}")
    else:
        target = decision["target_model"] or decision["target_provider"] or "(selection decides)"
        typer.echo(f"route to: {target}")
        typer.echo(f"fallbacks: {', '.join(decision['fallback_models']) or '-'}")
        rpm, tpm = decision["rate_limit_rpm"], decision["rate_limit_tpm"]
        limits = ", ".join(f"{n} {v}" for n, v in (("rpm", rpm), ("tpm", tpm)) if v is not None)
        typer.echo(f"rate limits: {limits or '-'}")
    table(
        "rules considered",
        ["priority", "name", "action", "matched", "applied", "why not"],
        [
            [r["priority"], r["name"], r["action"], r["matched"], r["applied"], r["reason"]]
            for r in result["rules"]
        ],
    )
