"""``radiant export``: the registry in other tools' formats."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from radiant.cli._base import app, load_settings, open_registry

export_app = typer.Typer(help="Write the registry in other tools' formats.", no_args_is_help=True)
app.add_typer(export_app, name="export")


@export_app.command("litellm-config")
def litellm_config(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
) -> None:
    """A LiteLLM proxy config.yaml: model_list (prices per token) and router fallbacks."""
    from radiant.registry.litellm_export import litellm_config as build
    from radiant.registry.litellm_export import to_yaml
    from radiant.store.rule_repository import enabled_rules

    settings = load_settings()
    registry = open_registry()
    try:
        export = build(
            registry.snapshot(),
            enabled_rules(registry.engine),
            allowed_fails=settings.breaker_allowed_fails,
            cooldown_time=settings.breaker_cooldown_seconds,
            sagemaker_prefix=settings.sagemaker_endpoint_prefix,
        )
    finally:
        registry.engine.dispose()
    text = to_yaml(export.config)
    for rule_id, reason in export.skipped_rules:
        typer.echo(f"routing rule {rule_id} not exported: {reason}", err=True)
    if output is None:
        typer.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    count = len(export.config["model_list"])
    typer.echo(f"wrote {count} deployments to {output}", err=True)
