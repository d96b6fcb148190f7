"""The model strings each platform's own API uses: one rule per platform.

A route's model string is what the gateway sends to the platform and what discovery
looks for in the platform's list-models answer, so it must be the platform's own id
(``meta-llama/Llama-3.3-70B-Instruct-Turbo`` on Together, not ``llama-3.3-70b``). The
rules below are the shapes those ids take, as each platform's model list and
documentation show them; a string outside its platform's shape is certainly wrong (one
inside may still name a model the platform does not serve: discovery tells that).

The catalog loader checks every route against :data:`RULES` (its platform id) and keeps
what it finds as the catalog's warnings; the built-in catalog has none (a test checks).
Platforms without a rule (``direct``, ``azure_openai`` deployments, self-hosted and
local endpoints) name models as their owner chooses.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["RULES", "ModelStringRule", "model_string_problem"]


@dataclass(frozen=True)
class ModelStringRule:
    """The shape of one platform's model ids, with a provider's stricter shape where one
    exists (Anthropic's models on Vertex AI carry an ``@version``)."""

    pattern: str
    #: the shape in words, with an example: what a warning tells the user
    shape: str
    by_provider: Mapping[str, tuple[str, str]] = field(default_factory=dict)

    def problem(self, model_string: str, provider_id: str | None = None) -> str | None:
        """Why ``model_string`` is no id of this platform; None when it fits."""
        pattern, shape = self.pattern, self.shape
        if provider_id is not None and provider_id in self.by_provider:
            pattern, shape = self.by_provider[provider_id]
        if re.fullmatch(pattern, model_string):
            return None
        return f"model string {model_string!r} is not of the platform's form: {shape}"


_BEDROCK_REGIONS = "us|us-gov|eu|apac|au|jp|ca|in|global"

#: every platform of the built-in catalog whose model ids have a fixed shape
RULES: dict[str, ModelStringRule] = {
    "together": ModelStringRule(
        r"[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.+-]*",
        "organisation/Model-Name, as Together lists it (meta-llama/Llama-3.3-70B-Instruct-Turbo)",
    ),
    "fireworks": ModelStringRule(
        r"accounts/[a-z0-9][a-z0-9-]*/(?:models|routers)/[A-Za-z0-9][A-Za-z0-9_.-]*",
        "accounts/<account>/models/<name> (accounts/fireworks/models/llama-v3p3-70b-instruct)",
    ),
    "groq": ModelStringRule(
        r"(?:[a-z0-9][a-z0-9-]*/)?[a-z0-9][a-z0-9._-]*",
        "a lower-case id, some with an owner (llama-3.3-70b-versatile, openai/gpt-oss-120b)",
    ),
    "bedrock": ModelStringRule(
        rf"(?:(?:{_BEDROCK_REGIONS})\.)?[a-z0-9][a-z0-9-]*\.[a-z0-9][a-z0-9.-]*(?::\d+)?"
        r"|arn:aws[a-z-]*:bedrock:[a-z0-9-]+:\d{12}:[a-z-]+/[A-Za-z0-9_.:/-]+",
        "vendor.model-id-vN:M with an optional inference-profile region "
        "(anthropic.claude-sonnet-4-5-20250929-v1:0, us.meta.llama3-3-70b-instruct-v1:0), "
        "or an ARN",
    ),
    "vertex_ai": ModelStringRule(
        r"(?:[a-z0-9][a-z0-9-]*/)?[a-z0-9][a-z0-9._-]*(?:@[a-z0-9._-]+)?",
        "a publisher model id (gemini-2.5-pro, meta/llama-3.3-70b-instruct-maas)",
        by_provider={
            "anthropic": (
                r"claude-[a-z0-9.-]+@(?:\d{8}|default)",
                "claude-<model>@<version>: Vertex AI serves Claude only by versioned id "
                "(claude-sonnet-4-5@20250929)",
            )
        },
    ),
    "openrouter": ModelStringRule(
        r"~?[a-z0-9][a-z0-9._-]*/[a-z0-9][a-z0-9._-]*(?::[a-z0-9-]+)?",
        "vendor/model with an optional :variant (openai/gpt-5-nano, "
        "meta-llama/llama-3.3-70b-instruct:free)",
    ),
    "replicate": ModelStringRule(
        r"[a-z0-9][a-z0-9._-]*/[a-z0-9][a-z0-9._-]*(?::[0-9a-f]{64})?",
        "owner/model with an optional :version hash (black-forest-labs/flux-schnell)",
    ),
}


def model_string_problem(
    platform_id: str, model_string: str, provider_id: str | None = None
) -> str | None:
    """Why ``model_string`` is no model id of ``platform_id``; None when it fits the
    platform's rule or the platform has none."""
    rule = RULES.get(platform_id)
    return None if rule is None else rule.problem(model_string, provider_id)
