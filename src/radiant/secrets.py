"""Where Radiant finds credentials: a small seam, environment variables by default.

Platforms and providers name their credential (``api_key_env``, ``secret_ref`` /
``secret_name``, ``auth_config``), never hold it. A :class:`SecretResolver` turns such a
name into the secret. :class:`EnvSecretResolver` reads environment variables: a name like
``OPENAI_API_KEY`` as is, a secret reference like ``radiant/providers/openai`` from the
variable ``RADIANT_PROVIDERS_OPENAI`` (upper case, every other character ``_``). To read
AWS Secrets Manager or Vault instead, pass any object with a ``get(reference)`` method.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Protocol

__all__ = ["EnvSecretResolver", "SecretResolver", "env_name"]

_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")


class SecretResolver(Protocol):
    def get(self, reference: str) -> str | None:
        """The secret ``reference`` names, or None when it is not set."""


def env_name(reference: str) -> str:
    """The environment variable that holds ``reference``."""
    reference = reference.strip()
    if _ENV_NAME.match(reference):
        return reference
    return re.sub(r"[^A-Z0-9]+", "_", reference.upper()).strip("_")


class EnvSecretResolver:
    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self.environ = os.environ if environ is None else environ

    def get(self, reference: str) -> str | None:
        if not reference.strip():
            return None
        value = self.environ.get(env_name(reference), "").strip()
        return value or None
