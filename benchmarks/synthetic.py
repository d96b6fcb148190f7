"""A deterministic synthetic catalog: 10,000 models with 3 routes each, as domain objects.

Its platforms speak OpenAI's wire on 127.0.0.1 and need no key, but for ``cloud_b``, whose
key (``RADIANT_BENCH_CLOUD_B_KEY``) is never set, and ``self_hosted``, whose endpoints no
adapter calls: as in a real registry, about a third of the routes cannot be called, and
selection skips them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from radiant.domain import (
    AuthType,
    LifecycleStatus,
    Model,
    Platform,
    PlatformKind,
    PriceSheet,
    PricingType,
    Provider,
    Route,
    RouteStatus,
)

__all__ = ["CAPABILITIES", "PROVIDERS", "UNSET_KEY", "SyntheticCatalog", "make_catalog"]

PROVIDERS: tuple[str, ...] = tuple(f"vendor{i:02d}" for i in range(20))

#: (id, kind) of the synthetic platforms.
PLATFORMS: tuple[tuple[str, PlatformKind], ...] = (
    ("direct", PlatformKind.DIRECT),
    ("aggregator", PlatformKind.AGGREGATOR),
    ("cloud_a", PlatformKind.CLOUD),
    ("cloud_b", PlatformKind.CLOUD),
    ("gpu_host", PlatformKind.HOST),
    ("self_hosted", PlatformKind.SELF_HOSTED),
)

#: Capabilities other than the task-defining ``chat`` / ``embedding``.
CAPABILITIES: tuple[str, ...] = (
    "streaming",
    "vision",
    "function_calling",
    "tool_use",
    "json_mode",
    "reasoning",
    "extended_thinking",
    "code",
    "code_generation",
    "fast",
    "multilingual",
    "batch",
    "audio",
    "video",
    "citations",
    "agents",
    "search",
    "computer_use",
    "translation",
    "summarization",
    "rag",
    "fine_tuning",
    "long_context",
    "math",
    "realtime",
    "grounding",
    "multimodal",
    "structured_output",
    "prompt_caching",
    "web_browsing",
)

#: (task-defining capabilities, categories, weight)
_KINDS: tuple[tuple[tuple[str, ...], tuple[str, ...], int], ...] = (
    (("chat",), ("text_generation", "llm", "reasoning", "vision", "code"), 70),
    (("embedding",), ("embedding",), 15),
    (
        (),
        (
            "image_generation",
            "video_generation",
            "speech_to_text",
            "text_to_speech",
            "search",
            "medical",
            "scientific",
            "geospatial",
        ),
        15,
    ),
)

_MODALITIES: tuple[str, ...] = ("text", "image", "audio", "video", "pdf")
_CONTEXT_WINDOWS: tuple[int, ...] = (
    4_096,
    8_192,
    16_384,
    32_768,
    65_536,
    128_000,
    200_000,
    256_000,
    1_000_000,
    2_000_000,
)
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class SyntheticCatalog:
    platforms: list[Platform]
    providers: list[Provider]
    models: list[Model]
    routes: list[Route]


_BASE = "http://127.0.0.1:9/v1"
#: the environment variable of cloud_b's key, which no benchmark sets
UNSET_KEY = "RADIANT_BENCH_CLOUD_B_KEY"


def _platforms() -> list[Platform]:
    made = []
    for pid, kind in PLATFORMS:
        name = pid.replace("_", " ").title()
        if kind is PlatformKind.SELF_HOSTED:
            made.append(Platform(id=pid, name=name, kind=kind, auth_type=AuthType.NONE))
            continue
        keyed = pid == "cloud_b"
        made.append(
            Platform(
                id=pid,
                name=name,
                kind=kind,
                base_url=_BASE,
                openai_compatible=True,
                auth_type=AuthType.API_KEY if keyed else AuthType.NONE,
                auth_config={"api_key_env": UNSET_KEY} if keyed else {},
            )
        )
    return made


def _providers() -> list[Provider]:
    return [
        Provider(
            id=pid,
            name=pid,
            display_name=pid.title(),
            category="llm",
            platforms=[p for p, _ in PLATFORMS],
            api_base_url=_BASE,
            auth_type=AuthType.NONE,
        )
        for pid in PROVIDERS
    ]


def _price(rng: random.Random, kind: PlatformKind) -> PriceSheet:
    if kind is PlatformKind.SELF_HOSTED:
        return PriceSheet(
            pricing_type=PricingType.PER_HOUR,
            per_hour=(Decimal(rng.randint(50, 2000)) * _CENT),
            is_estimated=True,
        )
    inp = Decimal(rng.randint(1, 3000)) * _CENT
    return PriceSheet(
        pricing_type=PricingType.PER_TOKEN,
        input_per_1m=inp,
        output_per_1m=inp * rng.choice((1, 2, 3, 4, 5)),
    )


def _model(rng: random.Random, index: int) -> Model:
    provider = PROVIDERS[index % len(PROVIDERS)]
    (task_caps, categories, _) = rng.choices(_KINDS, weights=[k[2] for k in _KINDS])[0]
    caps = [*task_caps, *rng.sample(CAPABILITIES, rng.randint(1, 8))]
    inputs = ["text", *rng.sample(_MODALITIES[1:], rng.randint(0, 3))]
    family = f"fam{index % 97:02d}"
    name = f"{family}-m{index:05d}"
    released = date(2022, 1, 1) + timedelta(days=rng.randint(0, 1400))
    context = rng.choice(_CONTEXT_WINDOWS)
    return Model(
        id=f"{provider}-{name}",
        aliases=[
            name,
            f"{provider}/{name}",
            f"{name}-{released:%Y%m%d}",
            f"{family.upper()}-Model-{index:05d}",  # a mixed-case vendor id
        ],
        provider_id=provider,
        name=name,
        display_name=f"{family.title()} Model {index}",
        description=f"Synthetic {categories[0]} model number {index} of family {family}.",
        category=rng.choice(categories),
        capabilities=caps,
        input_modalities=inputs,
        output_modalities=["text"] if task_caps == ("chat",) else [rng.choice(_MODALITIES)],
        context_window=context,
        max_output_tokens=min(context, rng.choice((4_096, 8_192, 16_384, 65_536))),
        status=rng.choices(
            (LifecycleStatus.ACTIVE, LifecycleStatus.BETA, LifecycleStatus.DEPRECATED),
            weights=(85, 10, 5),
        )[0],
        release_date=released,
        family=family,
        min_tier=rng.randint(1, 5),
    )


def _routes(rng: random.Random, model: Model) -> list[Route]:
    chosen = rng.sample(PLATFORMS, 3)
    return [
        Route(
            model_id=model.id,
            platform_id=pid,
            model_string=f"{model.provider_id}/{model.name}",
            priority=priority,
            status=RouteStatus.ACTIVE if rng.random() < 0.95 else RouteStatus.MAINTENANCE,
            price=_price(rng, kind),
        )
        for priority, (pid, kind) in enumerate(chosen, start=1)
    ]


def make_catalog(models: int = 10_000, seed: int = 42) -> SyntheticCatalog:
    rng = random.Random(seed)
    model_list = [_model(rng, i) for i in range(models)]
    route_list = [route for model in model_list for route in _routes(rng, model)]
    return SyntheticCatalog(_platforms(), _providers(), model_list, route_list)
