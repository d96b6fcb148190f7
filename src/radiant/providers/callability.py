"""Whether this process can call a route: an adapter serves its wire and its key is present.

A route is *callable* when

0. no ``no_public_api`` reason is declared in the metadata of its route, platform or
   provider (a provider that sells no API, such as Midjourney, is listed and priced but
   honestly not callable);
1. its wire protocol is known (:func:`~radiant.providers.target.wire_for`) and an adapter
   is registered for that wire that really calls it — a seam that only says "not
   configured" (:class:`~radiant.providers.seams.NotConfiguredAdapter`: ``bedrock`` and
   ``vertex`` until a real one is plugged in) does not count, nor one whose library is not
   installed (SageMaker needs boto3: ``pip install 'radiant-registry[aws]'``);
2. :func:`~radiant.providers.target.target_for` finds what that adapter needs: the base
   URL and, where the platform or provider requires one, the credential, through the
   secret resolver (environment variables by default).

:class:`CallabilityCheck` answers with the reason a route is *not* callable (None when it
is). The registry runs it once per snapshot build (:meth:`radiant.registry.Snapshot.build`
takes it), never per request, so the answer is that process's: one started with
``OPENAI_API_KEY`` set sees OpenAI's routes callable, one without does not, and a key set
later counts from the next snapshot. Adapters registered later count from the next one too.
"""

from __future__ import annotations

from radiant.domain import Platform, PlatformKind, Provider, Route
from radiant.errors import ProviderError
from radiant.providers.aws_credentials import AWS_WIRES, aws_credentials_missing
from radiant.providers.target import target_for, wire_for
from radiant.providers.wires import has_adapter, is_seam, missing_dependency
from radiant.secrets import EnvSecretResolver, SecretResolver

__all__ = ["NO_PUBLIC_API", "CallabilityCheck"]

#: the metadata key (of a route, platform or provider) that says why its routes cannot be
#: called at all: the provider has no public API (Midjourney); its value is the reason
NO_PUBLIC_API = "no_public_api"

_Key = tuple[str, str | None, str | None, bool, object]


class CallabilityCheck:
    """``check(platform, route, provider)``: why ``route`` cannot be called, or None.

    Make one per snapshot build: answers are remembered per platform, provider and the
    route fields that decide them (its credential reference, endpoint override and
    declared wire), so a registry of 30,000 routes costs a few hundred look-ups.
    """

    def __init__(self, secrets: SecretResolver | None = None) -> None:
        self.secrets = secrets if secrets is not None else EnvSecretResolver()
        self._known: dict[_Key, str | None] = {}

    def __call__(self, platform: Platform, route: Route, provider: Provider | None) -> str | None:
        key = (
            platform.id,
            provider.id if provider is not None else None,
            route.secret_ref,
            bool(route.endpoint_override),
            route.metadata.get("wire"),
        )
        try:
            return self._known[key]
        except KeyError:
            reason = self._known[key] = self._reason(platform, route, provider)
            return reason

    def _reason(self, platform: Platform, route: Route, provider: Provider | None) -> str | None:
        if provider is None or provider.id == platform.id:
            name = platform.id
        else:
            name = f"{platform.id}:{provider.id}"
        for meta in (route.metadata, platform.metadata, provider.metadata if provider else {}):
            why = meta.get(NO_PUBLIC_API)
            if isinstance(why, str) and why.strip():
                return f"no public API: {why.strip()}"
        direct = platform.kind is PlatformKind.DIRECT
        if provider is None and direct and not route.endpoint_override:
            return f"no adapter: {name} names no provider whose API to call"
        wire = wire_for(platform, route, provider)
        if wire is None:
            return f"no adapter: no wire protocol is known for {name}"
        if not has_adapter(wire):
            return f"no adapter for wire {wire!r}"
        needs = missing_dependency(wire)
        if needs is not None:
            return needs
        if is_seam(wire):
            return f"no adapter for wire {wire!r} (a seam: plug one in with register_adapter)"
        try:
            target_for(platform, route, self.secrets, provider=provider)
        except ProviderError as exc:
            # "<name>: no credentials (environment variable X)", "<name>: no endpoint (...)"
            return _reworded(exc.message.split(": ", 1)[-1])
        if wire in AWS_WIRES:
            return aws_credentials_missing(platform, self.secrets)
        return None


def _reworded(detail: str) -> str:
    """target_for's "no credentials (environment variable X or Y)" as a reason."""
    prefix = "no credentials (environment variable "
    if not detail.startswith(prefix):
        return detail
    names = detail[len(prefix) :].rstrip(")")
    if names == "none named":
        return "no credential (none is named for it)"
    return f"no credential ({names} is not set)"
