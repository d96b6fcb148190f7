"""The registry as a LiteLLM proxy ``config.yaml``, for teams that run one.

* ``model_list``: one deployment per active route. A model's first route (its fallback
  chain's primary) is named by the model id; every further route by its route id
  (``model@platform``). ``litellm_params``: ``model`` as ``<litellm provider>/<model
  string>``, ``api_base`` where the platform or provider has one, ``api_key`` as
  ``os.environ/VAR`` (the variable the platform or provider names; never a secret).
  ``model_info``: ``mode`` and the route's COST in LiteLLM's units and spellings (USD per
  token, per image, per second), from the price sheet in force.
* ``router_settings``: ``allowed_fails`` and ``cooldown_time`` of Radiant's circuit
  breaker (defaults 3 and 60), and ``fallbacks``, LiteLLM's ``[{name: [names]}]``: each
  model falls back along its own route chain, then to the models that global,
  enabled ``fallback`` routing rules name when their only condition is the model.
  Rules with other conditions (tiers, tasks, sizes) have no LiteLLM equivalent and are
  listed in :attr:`LiteLLMExport.skipped_rules`.

Left out: inactive routes and models, and tasks LiteLLM's proxy does not serve (video,
3D). Self-hosted routes become ``sagemaker/<endpoint>`` deployments priced per second.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import yaml

from radiant.catalog.importers.platforms import LITELLM_PLATFORMS
from radiant.domain import (
    LifecycleStatus,
    Platform,
    PlatformKind,
    PriceSheet,
    Provider,
    Route,
    RouteStatus,
    Task,
)
from radiant.domain.routing_rule import RoutingRule, RuleAction, RuleConditions
from radiant.registry.entry import ModelEntry
from radiant.registry.snapshot import Snapshot

__all__ = ["LiteLLMExport", "litellm_config", "to_yaml"]

_MODES = {
    Task.CHAT: "chat",
    Task.COMPLETION: "chat",
    Task.SEARCH: "chat",
    Task.EMBEDDING: "embedding",
    Task.IMAGE: "image_generation",
    Task.AUDIO: "audio_speech",
    Task.TRANSCRIPTION: "audio_transcription",
}
#: price sheet field (per 1M tokens) -> LiteLLM key (per token)
_PER_TOKEN = {
    "input_per_1m": "input_cost_per_token",
    "output_per_1m": "output_cost_per_token",
    "cached_input_per_1m": "cache_read_input_token_cost",
    "cache_write_per_1m": "cache_creation_input_token_cost",
    "batch_input_per_1m": "input_cost_per_token_batches",
    "batch_output_per_1m": "output_cost_per_token_batches",
    "reasoning_per_1m": "output_cost_per_reasoning_token",
    "audio_input_per_1m": "input_cost_per_audio_token",
    "audio_output_per_1m": "output_cost_per_audio_token",
}
_MILLION = Decimal(1_000_000)
_HOUR = Decimal(3600)
#: derived per-second rates are rounded once, as the cost engine does
_PER_SECOND_STEP = Decimal("1e-12")
_SKIPPED_MODELS = {LifecycleStatus.INACTIVE}
#: our (platform, provider) -> LiteLLM's provider prefix; the first name listed wins
_PREFIX: dict[tuple[str, str | None], str] = {}
for _name, _target in LITELLM_PLATFORMS.items():
    _PREFIX.setdefault(_target, _name)


class _Unsupported(Exception):
    """A route LiteLLM cannot call."""


@dataclass
class LiteLLMExport:
    config: dict[str, Any]
    #: routing rules that could not be expressed, with the reason
    skipped_rules: list[tuple[str, str]] = field(default_factory=list)
    #: active routes left out, with the reason
    skipped_routes: list[tuple[str, str]] = field(default_factory=list)


def litellm_config(
    snapshot: Snapshot,
    rules: Iterable[RoutingRule] = (),
    *,
    allowed_fails: int = 3,
    cooldown_time: float = 60,
    sagemaker_prefix: str = "radiant-",
) -> LiteLLMExport:
    """The LiteLLM proxy configuration of every active route in ``snapshot``."""
    model_list: list[dict[str, Any]] = []
    chains: dict[str, list[str]] = {}
    exported: dict[str, ModelEntry] = {}
    export = LiteLLMExport({})
    for entry in snapshot.entries:
        mode = _MODES.get(entry.task)
        if mode is None or entry.model.status in _SKIPPED_MODELS:
            continue
        names: list[str] = []
        for route in entry.routes:
            try:
                deployment = _deployment(snapshot, entry, route, mode, sagemaker_prefix)
            except _Unsupported as reason:
                export.skipped_routes.append((route.id, str(reason)))
                continue
            if deployment is None:
                continue
            deployment["model_name"] = entry.id if not names else route.id
            names.append(deployment["model_name"])
            model_list.append(deployment)
        if names:
            exported[entry.id] = entry
            chains[entry.id] = names[1:]
    _rule_fallbacks(exported, chains, rules, export.skipped_rules)
    fallbacks = [{name: chain} for name, chain in chains.items() if chain]
    export.config = {
        "model_list": model_list,
        "router_settings": {
            "allowed_fails": allowed_fails,
            "cooldown_time": _number(Decimal(str(cooldown_time))),
            "fallbacks": fallbacks,
            "model_group_alias": _aliases(exported),
        },
    }
    return export


def _aliases(exported: dict[str, ModelEntry]) -> dict[str, str]:
    """Every other name of an exported model that names no other model."""
    owners: dict[str, set[str]] = {}
    for model_id, entry in exported.items():
        for name in entry.model.names():
            owners.setdefault(name, set()).add(model_id)
    return {
        name: next(iter(ids))
        for name, ids in sorted(owners.items())
        if len(ids) == 1 and name not in exported
    }


def _deployment(
    snapshot: Snapshot, entry: ModelEntry, route: Route, mode: str, sagemaker_prefix: str
) -> dict[str, Any] | None:
    platform = snapshot.platforms.get(route.platform_id)
    if route.status is not RouteStatus.ACTIVE or platform is None:
        return None
    if platform.kind is PlatformKind.SELF_HOSTED:
        params: dict[str, Any] = {"model": f"sagemaker/{sagemaker_prefix}{entry.id}"}
    elif platform.kind is PlatformKind.DIRECT:
        params = _direct(snapshot.providers.get(entry.model.provider_id), entry, route)
    else:
        prefix = _PREFIX.get((platform.id, None)) or "openai"  # OpenAI-compatible servers
        params = {"model": f"{prefix}/{route.model_string}"}
        base = route.endpoint_override or (
            platform.base_url if platform.openai_compatible else None
        )
        if "endpoint_env" in platform.auth_config:
            params["api_base"] = f"os.environ/{platform.auth_config['endpoint_env']}"
        elif base and "*" not in base:  # clouds: LiteLLM builds the URL from the region
            params["api_base"] = base
    params.update(_credentials(platform, "api_key" in params))
    info: dict[str, Any] = {"mode": mode}
    if entry.model.context_window:
        info["max_input_tokens"] = entry.model.context_window
    if entry.model.max_output_tokens:
        info["max_output_tokens"] = entry.model.max_output_tokens
    if route.price is not None:
        info.update(_prices(route.price, mode))
    return {"model_name": "", "litellm_params": params, "model_info": info}


def _direct(provider: Provider | None, entry: ModelEntry, route: Route) -> dict[str, Any]:
    """A provider's own API: LiteLLM knows its endpoint, an api_base only when overridden."""
    provider_id = entry.model.provider_id
    prefix = _PREFIX.get(("direct", provider_id.split("-")[0]))
    if prefix is None:
        raise _Unsupported(f"LiteLLM has no provider for {provider_id}")
    params: dict[str, Any] = {"model": f"{prefix}/{route.model_string}"}
    if route.endpoint_override:
        params["api_base"] = route.endpoint_override
    if provider and provider.api_key_env:
        params["api_key"] = f"os.environ/{provider.api_key_env}"
    return params


def _credentials(platform: Platform, has_key: bool) -> dict[str, str]:
    """The environment variables the platform names, as LiteLLM reads them."""
    auth = platform.auth_config
    params: dict[str, str] = {}
    if "api_key_env" in auth and not has_key:
        params["api_key"] = f"os.environ/{auth['api_key_env']}"
    if "region_env" in auth:
        key = "vertex_location" if platform.id == "vertex_ai" else "aws_region_name"
        params[key] = f"os.environ/{auth['region_env']}"
    if "project_env" in auth:
        params["vertex_project"] = f"os.environ/{auth['project_env']}"
    return params


def _prices(sheet: PriceSheet, mode: str) -> dict[str, Any]:
    prices: dict[str, Any] = {}
    for ours, theirs in _PER_TOKEN.items():
        value = getattr(sheet, ours)
        if value is not None:
            if mode == "audio_speech":  # text-to-speech sheets price 1M characters
                theirs = theirs.replace("cost_per_token", "cost_per_character")  # noqa: PLW2901 - normalised in place
            prices[theirs] = _number(value / _MILLION)
    if sheet.per_image is not None:
        prices["output_cost_per_image"] = _number(sheet.per_image)
    per_second = sheet.per_second
    if per_second is None and sheet.per_minute is not None:
        per_second = (sheet.per_minute / 60).quantize(_PER_SECOND_STEP)
    if per_second is None and sheet.per_hour is not None:
        per_second = (sheet.per_hour / _HOUR).quantize(_PER_SECOND_STEP)
    if per_second is not None:
        side = "input" if mode in ("audio_transcription", "chat", "embedding") else "output"
        prices[f"{side}_cost_per_second"] = _number(per_second)
    if sheet.per_request is not None:
        prices["input_cost_per_request"] = _number(sheet.per_request)
    return prices


def _rule_fallbacks(
    exported: dict[str, ModelEntry],
    chains: dict[str, list[str]],
    rules: Iterable[RoutingRule],
    skipped: list[tuple[str, str]],
) -> None:
    for rule in sorted(rules, key=lambda r: (r.priority, r.id)):
        if not rule.enabled or not rule.fallback_models:
            continue
        if rule.tenant_id is not None:
            skipped.append((rule.id, "a tenant's rule (LiteLLM fallbacks are global)"))
            continue
        if rule.action is not RuleAction.FALLBACK:
            skipped.append((rule.id, f"a {rule.action.value} rule (only fallback rules export)"))
            continue
        if rule.conditions.model_dump(exclude={"models"}) != _NO_CONDITIONS:
            skipped.append((rule.id, "conditions other than the model"))
            continue
        targets = [m for m in rule.fallback_models if m in exported]
        for model_id, entry in exported.items():
            if not _matches(rule.conditions.models, entry):
                continue
            chain = chains[model_id]
            chain.extend(t for t in targets if t != model_id and t not in chain)


_NO_CONDITIONS = RuleConditions().model_dump(exclude={"models"})


def _matches(patterns: list[str], entry: ModelEntry) -> bool:
    if not patterns:
        return True
    names = [n.casefold() for n in entry.model.names()]
    return any(fnmatch.fnmatchcase(n, p.casefold()) for p in patterns for n in names)


class _Number(Decimal):
    """A Decimal written as a plain YAML float (never in exponent form)."""


def _number(value: Decimal) -> _Number:
    return _Number(value)


def _represent_number(dumper: yaml.SafeDumper, value: _Number) -> yaml.Node:
    text = format(value.normalize(), "f")
    if "." not in text:
        text += ".0"
    return dumper.represent_scalar("tag:yaml.org,2002:float", text)


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(_Number, _represent_number)


def to_yaml(config: dict[str, Any]) -> str:
    header = "# LiteLLM proxy configuration generated by `radiant export litellm-config`.\n"
    body = yaml.dump(config, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    return header + body
