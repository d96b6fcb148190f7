"""What discovery lists: one target per platform, and on the ``direct`` platform one per
provider API (providers sharing a base URL and key, like ``openai`` and
``openai-images``, share one target).

The wire protocol of a target comes from ``metadata.list_models`` of the platform or
provider when set (``openai``, ``anthropic``, ``gemini``, ``openrouter`` or ``none``);
otherwise OpenRouter by id, any ``openai_compatible`` platform as ``openai``, and the
direct APIs of the providers in :data:`DIRECT_PROTOCOLS` (of those the ``direct``
platform's ``supported_providers`` names, when it names any). The base URL is the platform's
``base_url`` (the provider's ``api_base_url`` on ``direct``): change that row to point
discovery at a proxy or, in tests, at a fake server.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from radiant.domain import AuthType, LifecycleStatus, Platform, PlatformKind, Provider
from radiant.secrets import SecretResolver, env_name

__all__ = ["DIRECT_PROTOCOLS", "PROTOCOLS", "Target", "build_targets"]

PROTOCOLS = ("openai", "anthropic", "gemini", "openrouter")

#: providers whose own API has a list-models endpoint, by wire protocol
DIRECT_PROTOCOLS = {
    "openai": "openai",
    "anthropic": "anthropic",
    "google": "gemini",
    "xai": "openai",
    "deepseek": "openai",
    "mistral": "openai",
}


@dataclass
class Target:
    name: str
    platform_id: str
    protocol: str
    base_url: str | None
    #: the providers whose routes on ``platform_id`` this listing covers (None: all)
    provider_ids: frozenset[str] | None = None
    credential_refs: list[str] = field(default_factory=list)
    needs_key: bool = True
    api_key: str | None = None
    #: why it cannot be listed (set by :func:`build_targets`)
    skipped: str | None = None

    def covers(self, provider_id: str) -> bool:
        return self.provider_ids is None or provider_id in self.provider_ids


def _protocol(declared: object, default: str | None) -> str | None:
    if isinstance(declared, str) and declared:
        return None if declared == "none" else declared
    return default


def _platform_protocol(platform: Platform) -> str | None:
    default = None
    if platform.id == "openrouter" or "openrouter.ai" in (platform.base_url or ""):
        default = "openrouter"
    elif platform.openai_compatible:
        default = "openai"
    return _protocol(platform.metadata.get("list_models"), default)


def _refs(*values: object) -> list[str]:
    return [v for v in values if isinstance(v, str) and v.strip()]


def _finish(target: Target, secrets: SecretResolver) -> Target:
    if target.protocol not in PROTOCOLS:
        target.skipped = f"unknown list_models protocol {target.protocol!r}"
    elif not target.base_url:
        target.skipped = "no base URL"
    elif "*" in target.base_url:
        target.skipped = f"the base URL {target.base_url} is a pattern, not an address"
    elif target.needs_key:
        for ref in target.credential_refs:
            target.api_key = secrets.get(ref)
            if target.api_key:
                break
        if not target.api_key:
            names = " or ".join(env_name(r) for r in target.credential_refs) or "none named"
            target.skipped = f"no credentials (environment variable {names})"
    return target


def _platform_target(platform: Platform) -> Target | None:
    protocol = _platform_protocol(platform)
    if protocol is None:
        return None
    auth = platform.auth_config
    return Target(
        name=platform.id,
        platform_id=platform.id,
        protocol=protocol,
        base_url=platform.base_url,
        credential_refs=_refs(
            auth.get("api_key_env"), auth.get("secret_ref"), auth.get("secret_name")
        ),
        needs_key=platform.auth_type is not AuthType.NONE,
    )


def _direct_targets(platform: Platform, providers: Iterable[Provider]) -> list[Target]:
    groups: dict[tuple[str, str | None, tuple[str, ...]], Target] = {}
    served = set(platform.supported_providers)
    for provider in sorted(providers, key=lambda p: (p.parent_id is not None, p.id)):
        if not provider.enabled or provider.status is not LifecycleStatus.ACTIVE:
            continue
        if served and provider.id not in served:
            continue
        protocol = _protocol(
            provider.metadata.get("list_models"),
            DIRECT_PROTOCOLS.get(provider.id) or DIRECT_PROTOCOLS.get(provider.parent_id or ""),
        )
        if protocol is None:
            continue
        refs = _refs(provider.api_key_env, provider.secret_ref)
        key = (protocol, provider.api_base_url, tuple(refs))
        target = groups.get(key)
        if target is None:
            groups[key] = Target(
                name=f"{platform.id}:{provider.id}",
                platform_id=platform.id,
                protocol=protocol,
                base_url=provider.api_base_url,
                provider_ids=frozenset({provider.id}),
                credential_refs=refs,
                needs_key=provider.auth_type is not AuthType.NONE,
            )
        else:
            target.provider_ids = frozenset({*(target.provider_ids or ()), provider.id})
    return list(groups.values())


def build_targets(
    platforms: Iterable[Platform],
    providers: Iterable[Provider],
    secrets: SecretResolver,
    *,
    only: Iterable[str] | None = None,
) -> tuple[list[Target], list[str]]:
    """The targets to list (some with ``skipped`` set), and the platforms that have no
    list-models API. ``only`` keeps targets whose name, platform or provider is in it."""
    wanted = {o.strip() for o in only or () if o.strip()} or None
    providers = list(providers)
    targets: list[Target] = []
    unsupported: list[str] = []
    for platform in platforms:
        if platform.status is not LifecycleStatus.ACTIVE:
            continue
        if platform.kind is PlatformKind.DIRECT and platform.metadata.get("list_models") is None:
            found = _direct_targets(platform, providers)
        else:
            target = _platform_target(platform)
            found = [] if target is None else [target]
        if not found:
            unsupported.append(platform.id)
        for target in found:
            names = {target.name, target.platform_id, *(target.provider_ids or ())}
            if wanted is None or names & wanted:
                targets.append(_finish(target, secrets))
    return targets, unsupported
