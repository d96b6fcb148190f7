"""Discovery: list the models each platform serves, keep new ones for review, retire
vanished ones. The ``discovery`` job lives in :mod:`radiant.sync.discovery.job`; the
review workflow in :mod:`radiant.sync.discovery.review`."""

from radiant.secrets import EnvSecretResolver, SecretResolver
from radiant.sync.discovery.http import RetryPolicy, UpstreamError
from radiant.sync.discovery.targets import Target, build_targets
from radiant.sync.discovery.upstream import Listing, UpstreamModel

__all__ = [
    "EnvSecretResolver",
    "Listing",
    "RetryPolicy",
    "SecretResolver",
    "Target",
    "UpstreamError",
    "UpstreamModel",
    "build_targets",
]
