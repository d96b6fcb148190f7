"""Whether AWS credentials can be found for a route on an AWS wire (SageMaker), without
asking for them: boto3's chain ends at the instance metadata service, a network call this
check must not make once per snapshot build.

Found when any of these is there: the platform's ``auth_config.access_key_id_env``
(``AWS_ACCESS_KEY_ID``), ``AWS_PROFILE``, a web identity token (EKS, GitHub OIDC), a
container credentials URI (ECS), the shared credentials or config file
(``~/.aws/credentials``, ``~/.aws/config``, or where ``AWS_SHARED_CREDENTIALS_FILE`` /
``AWS_CONFIG_FILE`` point), or ``aws_instance_role: true`` in the platform's metadata (an
instance or task role, which only the metadata service knows).
"""

from __future__ import annotations

import os
from pathlib import Path

from radiant.domain import Platform
from radiant.secrets import SecretResolver

__all__ = ["AWS_WIRES", "aws_credentials_missing"]

#: the wires whose calls sign with AWS credentials from boto3's chain
AWS_WIRES = frozenset({"sagemaker"})

_ENVIRONMENT = (
    "AWS_ACCESS_KEY_ID",
    "AWS_PROFILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
)


def _files() -> list[Path]:
    return [
        Path(os.environ.get("AWS_SHARED_CREDENTIALS_FILE") or "~/.aws/credentials").expanduser(),
        Path(os.environ.get("AWS_CONFIG_FILE") or "~/.aws/config").expanduser(),
    ]


def aws_credentials_missing(platform: Platform, secrets: SecretResolver) -> str | None:
    """Why no AWS credentials can be found for ``platform`` (None: some can)."""
    named = platform.auth_config.get("access_key_id_env")
    names = [named] if isinstance(named, str) and named else []
    if any(secrets.get(name) for name in (*names, *_ENVIRONMENT)):
        return None
    if platform.metadata.get("aws_instance_role") is True:
        return None
    if any(path.is_file() for path in _files()):
        return None
    return (
        "no AWS credentials (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or AWS_PROFILE, "
        "or declare aws_instance_role: true in the platform's metadata)"
    )
