"""``radiant select``, ``radiant recommend``, ``radiant routes list|best|fallbacks|availability``,
``radiant routes cheapest`` and ``radiant models alternatives``.

Every money value printed is a client PRICE; ``--json`` prints the same payloads as the
API (``radiant.api.selection_schemas``). Routes this process cannot call — no adapter
serves the wire, or the credential is not set in this shell's environment — are never
chosen; ``--include-uncallable`` shows and ranks them too (``routes list`` says why each
route is callable or not).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

import typer

from radiant.cli._base import JsonOpt, app, models_app, open_registry, print_json, table
from radiant.cli.manage import routes_app
from radiant.errors import ValidationError

__all__: list[str] = []

_LIST = "Repeat the option for several values."
Input = Annotated[list[str], typer.Option("--input", help=f"Input modality. {_LIST}")]
Output = Annotated[list[str], typer.Option("--output", help=f"Output modality. {_LIST}")]
Capability = Annotated[
    list[str], typer.Option("--capability", help=f"Required capability. {_LIST}")
]
Tier = Annotated[int | None, typer.Option(min=1, max=5, help="The tenant's tier (1-5).")]
Limit = Annotated[int, typer.Option(min=1, max=1000, help="How many to show.")]
Uncallable = Annotated[
    bool,
    typer.Option(
        "--include-uncallable",
        help="Also routes this process cannot call (no adapter for the wire, no credential).",
    ),
]
Task = Annotated[
    str,
    typer.Option(
        help="chat, completion, embedding, image, video, audio, transcription, search, 3d, "
        "inference."
    ),
]


def _selector() -> Any:
    from radiant.pricing.service import PricingService
    from radiant.selection.service import Selector

    registry = open_registry()
    return Selector(registry, markups=PricingService(registry).book)


def _decimal(name: str, value: str | None) -> Decimal | None:
    from radiant.domain.numbers import to_decimal

    return None if value is None else to_decimal(name, value)


def _criteria(values: dict[str, Any]) -> Any:
    from pydantic import ValidationError as PydanticError

    from radiant.selection.criteria import SelectionCriteria

    try:
        return SelectionCriteria.model_validate(values)
    except PydanticError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ValidationError(f"{where}: {first['msg']}") from None


def _price(value: str | None) -> str:
    return "" if value is None else f"${value}"


def _print_candidates(title: str, data: list[Any], *, explain: bool) -> None:
    rows = [
        [
            c.rank,
            c.model_id,
            c.hosting_type,
            c.platform_id,
            c.thermal_state or "",
            c.health_status,
            "" if c.avg_latency_ms is None else f"{c.avg_latency_ms:g} ms",
            _price(c.price_per_request) + (" (est.)" if c.price_is_estimated else ""),
            "" if c.quality_score is None else f"{c.quality_score:g}",
        ]
        + (["; ".join(c.reasons)] if explain else [])
        for c in data
    ]
    columns = ["#", "model", "hosting", "platform", "thermal", "health", "latency"]
    columns += ["price/request", "quality"] + (["why"] if explain else [])
    table(title, columns, rows)


@app.command("select")
def select_command(
    task: Task = "chat",
    inputs: Input = [],  # noqa: B006 - typer reads the default, never mutates it
    outputs: Output = [],  # noqa: B006
    tier: Tier = None,
    hosting: Annotated[str, typer.Option(help="any, external or self_hosted.")] = "any",
    capability: Capability = [],  # noqa: B006
    optional: Annotated[
        list[str], typer.Option("--optional", help=f"Nice-to-have capability. {_LIST}")
    ] = [],  # noqa: B006
    exclude: Annotated[
        list[str], typer.Option("--exclude", help=f"Capability to avoid. {_LIST}")
    ] = [],  # noqa: B006
    provider: Annotated[
        list[str], typer.Option("--provider", help=f"Preferred provider (ranks first). {_LIST}")
    ] = [],  # noqa: B006
    platform: Annotated[
        list[str], typer.Option("--platform", help=f"Preferred platform (ranks first). {_LIST}")
    ] = [],  # noqa: B006
    compliance: Annotated[
        list[str], typer.Option("--compliance", help=f"HIPAA, SOC2, GDPR. {_LIST}")
    ] = [],  # noqa: B006
    min_context: Annotated[int | None, typer.Option(min=0, help="Minimum context window.")] = None,
    region: Annotated[str | None, typer.Option(help="Region the route must serve.")] = None,
    max_latency: Annotated[int | None, typer.Option(min=0, help="Maximum latency, ms.")] = None,
    max_price: Annotated[
        str | None, typer.Option(help="Maximum price of one request, USD.")
    ] = None,
    input_tokens: Annotated[int, typer.Option(min=0, help="Estimated input tokens.")] = 1000,
    output_tokens: Annotated[int, typer.Option(min=0, help="Estimated output tokens.")] = 500,
    allow_deprecated: Annotated[bool, typer.Option("--allow-deprecated")] = False,
    estimated: Annotated[
        bool, typer.Option("--estimated/--no-estimated", help="Accept estimated prices.")
    ] = True,
    exclude_imported: Annotated[
        bool,
        typer.Option("--exclude-imported", help="Leave out models imported from public catalogs."),
    ] = False,
    limit: Limit = 10,
    include_uncallable: Uncallable = False,
    explain: Annotated[
        bool, typer.Option("--explain", help="Why each candidate ranks, why others lost.")
    ] = False,
    fallback: Annotated[
        bool,
        typer.Option(
            "--fallback",
            help="A ready model now; a cold self-hosted choice is recorded for warm-up.",
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """The models and routes that fit a request, best first."""
    from radiant.api.selection_schemas import CandidatePublic, ExclusionPublic

    criteria = _criteria(
        {
            "task": task,
            "input_modalities": inputs,
            "output_modalities": outputs,
            "tier": tier,
            "hosting": hosting,
            "required_capabilities": capability,
            "optional_capabilities": optional,
            "excluded_capabilities": exclude,
            "preferred_providers": provider,
            "preferred_platforms": platform,
            "compliance": compliance,
            "min_context_window": min_context,
            "region": region,
            "max_latency_ms": max_latency,
            "max_price_per_request": _decimal("--max-price", max_price),
            "estimated_input_tokens": input_tokens,
            "estimated_output_tokens": output_tokens,
            "allow_deprecated": allow_deprecated,
            "include_estimated": estimated,
            "include_uncallable": include_uncallable,
            "exclude_imported": exclude_imported,
            "limit": limit,
        }
    )
    selector = _selector()
    payload: dict[str, Any] = {}
    if fallback:
        result = selector.select_with_fallback(criteria, explain=explain)
        outcome = result.outcome
        selection = outcome.selection
        payload["path"] = outcome.path.value
        payload["choice"] = CandidatePublic.of(1, outcome.choice).model_dump()
        payload["warmup"] = (
            {"model_id": outcome.warm.entry.id, "requested": result.warmup_requested}
            if outcome.warm is not None
            else None
        )
    else:
        selection = selector.select(criteria, explain=explain)
    data = [CandidatePublic.of(i, c) for i, c in enumerate(selection.candidates, start=1)]
    excluded = [ExclusionPublic.of(e) for e in selection.excluded]
    if as_json:
        body = {
            "data": [c.model_dump() for c in data],
            "count": len(data),
            "total": selection.total,
        }
        if explain:
            body["excluded"] = [e.model_dump() for e in excluded]
        print_json({**body, **payload})
        return
    if fallback:
        choice = payload["choice"]
        typer.echo(f"choice: {choice['model_id']} on {choice['platform_id']} ({payload['path']})")
        if payload["warmup"]:
            state = "requested" if payload["warmup"]["requested"] else "already under way"
            typer.echo(f"warm-up of {payload['warmup']['model_id']}: {state}")
    _print_candidates(f"Selection for {task}", data, explain=explain)
    if explain and excluded:
        rows = [[e.model_id, e.route_id or "", e.code, e.reason] for e in excluded]
        table("Excluded", ["model", "route", "check", "reason"], rows)


@app.command("recommend")
def recommend_command(
    task: Task = "chat",
    inputs: Input = [],  # noqa: B006
    outputs: Output = [],  # noqa: B006
    tier: Tier = None,
    capability: Capability = [],  # noqa: B006
    optional: Annotated[
        list[str], typer.Option("--optional", help=f"Nice-to-have capability. {_LIST}")
    ] = [],  # noqa: B006
    max_price: Annotated[
        str | None, typer.Option(help="Maximum price of one request, USD.")
    ] = None,
    limit: Limit = 5,
    include_uncallable: Uncallable = False,
    as_json: JsonOpt = False,
) -> None:
    """The top models for a task and constraints, with the reasons for each."""
    from radiant.api.selection_schemas import CandidatePublic

    criteria = _criteria(
        {
            "task": task,
            "input_modalities": inputs,
            "output_modalities": outputs,
            "tier": tier,
            "required_capabilities": capability,
            "optional_capabilities": optional,
            "max_price_per_request": _decimal("--max-price", max_price),
            "include_uncallable": include_uncallable,
            "limit": limit,
        }
    )
    selection = _selector().recommend(criteria)
    data = [CandidatePublic.of(i, c) for i, c in enumerate(selection.candidates, start=1)]
    if as_json:
        print_json({"data": [c.model_dump() for c in data], "count": len(data)})
        return
    _print_candidates(f"Recommended for {task}", data, explain=True)


def _print_routes(title: str, data: list[Any]) -> None:
    rows = [
        [
            r.rank,
            r.route_id,
            r.hosting_type,
            r.priority,
            r.status,
            r.health_status,
            "yes" if r.usable else f"no: {r.reason}",
            _price(r.price_per_request),
        ]
        for r in data
    ]
    columns = ["#", "route", "hosting", "priority", "status", "health", "usable", "price/request"]
    table(title, columns, rows)


@routes_app.command("list")
def list_routes(
    model: Annotated[
        str | None, typer.Argument(help="Model id or any alias (none: every route).")
    ] = None,
    callable_: Annotated[
        bool | None,
        typer.Option(
            "--callable/--not-callable",
            help="Only the routes this process can call, or only the others (with why).",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Every route of a model, best first (or of the registry), and whether this process
    can call each; when it cannot, why."""
    if model is None:
        _list_every_route(callable_, as_json=as_json)
        return
    from radiant.api.selection_schemas import RoutePublicRank

    ranked = _selector().routes(model)
    data = [RoutePublicRank.of(i, r) for i, r in enumerate(ranked, start=1)]
    if callable_ is not None:
        data = [r for r in data if r.callable is callable_]
    if as_json:
        print_json({"data": [r.model_dump() for r in data], "count": len(data)})
        return
    rows = [
        [
            r.rank,
            r.route_id,
            r.hosting_type,
            r.status,
            "yes" if r.callable else f"no: {r.not_callable_reason}",
            _price(r.price_per_request),
        ]
        for r in data
    ]
    columns = ["#", "route", "hosting", "status", "callable", "price/request"]
    table(f"Routes of {model}", columns, rows)


def _list_every_route(callable_: bool | None, *, as_json: bool) -> None:
    """``routes list`` with no model: the registry's routes, from the read path."""
    from radiant.cli._base import read_snapshot

    snapshot = read_snapshot()
    data = [
        {
            "route_id": route.id,
            "model_id": entry.id,
            "platform": route.platform_id,
            "status": route.status.value,
            "callable": snapshot.not_callable(route) is None,
            "not_callable_reason": snapshot.not_callable(route),
        }
        for entry in snapshot.entries
        for route in entry.routes
    ]
    if callable_ is not None:
        data = [r for r in data if r["callable"] is callable_]
    if as_json:
        print_json({"data": data, "count": len(data)})
        return
    rows = [
        [
            r["route_id"],
            r["platform"],
            r["status"],
            "yes" if r["callable"] else f"no: {r['not_callable_reason']}",
        ]
        for r in data
    ]
    which = {None: "Routes", True: "Callable routes", False: "Routes that cannot be called"}
    table(f"{which[callable_]} ({len(data)})", ["route", "platform", "status", "callable"], rows)


@routes_app.command("best")
def best_route(
    model: Annotated[str, typer.Argument(help="Model id or any alias.")],
    include_uncallable: Uncallable = False,
    as_json: JsonOpt = False,
) -> None:
    """The route to send a model's requests to (the first of its ranked routes)."""
    from radiant.api.selection_schemas import RoutePublicRank

    found = RoutePublicRank.of(
        1, _selector().best_route(model, include_uncallable=include_uncallable)
    )
    if as_json:
        print_json(found.model_dump())
        return
    _print_routes(f"Best route of {model}", [found])


@routes_app.command("fallbacks")
def fallback_chain(
    model: Annotated[str, typer.Argument(help="Model id or any alias.")],
    include_uncallable: Uncallable = False,
    as_json: JsonOpt = False,
) -> None:
    """The usable routes of a model across platforms, in the order to try them."""
    from radiant.api.selection_schemas import RoutePublicRank

    chain = _selector().fallbacks(model, include_uncallable=include_uncallable)
    data = [RoutePublicRank.of(i, r) for i, r in enumerate(chain, start=1)]
    if as_json:
        print_json({"data": [r.model_dump() for r in data], "count": len(data)})
        return
    _print_routes(f"Fallback chain of {model}", data)


@routes_app.command("availability")
def availability(
    model: Annotated[str, typer.Argument(help="Model id or any alias.")],
    include_uncallable: Uncallable = False,
    as_json: JsonOpt = False,
) -> None:
    """Every platform a model is on, with its routes there."""
    from radiant.api.selection_schemas import RoutePublicRank

    grouped = _selector().availability(model, include_uncallable=include_uncallable)
    platforms = {
        p: [RoutePublicRank.of(i, r) for i, r in enumerate(routes, start=1)]
        for p, routes in grouped.items()
    }
    if as_json:
        print_json({p: [r.model_dump() for r in rs] for p, rs in platforms.items()})
        return
    _print_routes(f"Availability of {model}", [r for rs in platforms.values() for r in rs])


@routes_app.command("cheapest")
def cheapest(
    prompt_tokens: Annotated[int, typer.Option(min=0, help="Tokens in the prompt.")],
    max_output_tokens: Annotated[int, typer.Option(min=0, help="Most tokens out.")] = 0,
    capability: Capability = [],  # noqa: B006
    task: Task = "chat",
    tier: Tier = None,
    limit: Limit = 5,
    include_uncallable: Uncallable = False,
    as_json: JsonOpt = False,
) -> None:
    """The cheapest routes of any model for a prompt, with their price."""
    from radiant.api.selection_schemas import CheapestRequest, CheapRoutePublic

    try:
        request = CheapestRequest(
            prompt_tokens=prompt_tokens,
            max_output_tokens=max_output_tokens,
            required_capabilities=capability,
            task=task,
            tier=tier,
            include_uncallable=include_uncallable,
            limit=min(limit, 100),
        )
    except ValueError as exc:
        raise ValidationError(str(exc).splitlines()[0]) from None
    found = _selector().cheapest(request.criteria())
    data = [CheapRoutePublic.of(i, c) for i, c in enumerate(found, start=1)]
    if as_json:
        print_json({"data": [c.model_dump() for c in data], "count": len(data)})
        return
    rows = [[c.rank, c.model_id, c.route_id, c.hosting_type, _price(c.price)] for c in data]
    table("Cheapest routes", ["#", "model", "route", "hosting", "price"], rows)


@models_app.command("alternatives")
def alternatives(
    model: Annotated[str, typer.Argument(help="Model id or any alias.")],
    tier: Tier = None,
    limit: Annotated[int, typer.Option(min=1, max=50, help="How many to show.")] = 5,
    as_json: JsonOpt = False,
) -> None:
    """Models to move to from this one (its successor first)."""
    from radiant.api.selection_schemas import AlternativePublic

    found = _selector().alternatives(model, tier=tier, limit=limit)
    data = [AlternativePublic.of_alternative(i, a) for i, a in enumerate(found, start=1)]
    if as_json:
        print_json({"data": [a.model_dump() for a in data], "count": len(data)})
        return
    rows = [
        [a.rank, a.model_id, "yes" if a.is_successor else "", ", ".join(a.shared_capabilities)]
        for a in data
    ]
    table(f"Alternatives to {model}", ["#", "model", "successor", "shared capabilities"], rows)
