"""Catalog importers: LiteLLM, models.dev and OpenRouter entries in our vocabulary.

Every entry of a fixture is either imported (with exact Decimal prices per 1M tokens) or
skipped with its reason; files and http URLs read alike; unreadable sources say why.
"""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from radiant.catalog.importers import (
    ImportResult,
    load_source,
    parse_source_option,
)
from radiant.domain import PricingType
from radiant.domain.enums import CostSource
from radiant.errors import ValidationError

CATALOGS = Path(__file__).parent / "fixtures" / "catalogs"
FILES = {
    "litellm": CATALOGS / "litellm.json",
    "models-dev": CATALOGS / "models_dev.json",
    "openrouter": CATALOGS / "openrouter.json",
}


def _load(kind: str) -> ImportResult:
    return load_source(kind, str(FILES[kind]))


@pytest.mark.parametrize(
    ("kind", "entries"), [("litellm", 19), ("models-dev", 11), ("openrouter", 8)]
)
def test_no_entry_is_dropped_silently(kind: str, entries: int) -> None:
    result = _load(kind)
    assert result.total == entries
    assert all(s.reason for s in result.skipped)
    keys = [e.source_key for e in result.imported] + [s.source_key for s in result.skipped]
    assert len(keys) == len(set(keys))


def test_litellm_prices_per_token_become_exact_prices_per_million() -> None:
    result = _load("litellm")
    entries = {e.source_key: e for e in result.imported}
    gpt = entries["gpt-4o"]
    assert gpt.platform == "direct" and gpt.provider == "openai" and gpt.model_name == "gpt-4o"
    assert gpt.price is not None
    assert gpt.price.source is CostSource.IMPORTED_CATALOG
    assert gpt.price.prices() == {
        "input_per_1m": Decimal("2.2"),
        "output_per_1m": Decimal("10"),
        "cached_input_per_1m": Decimal("1.1"),
        "batch_input_per_1m": Decimal("1.1"),
        "batch_output_per_1m": Decimal("5"),
        "priority_input_per_1m": Decimal("4.25"),
        "priority_output_per_1m": Decimal("17"),
    }
    assert gpt.context_window == 128000 and gpt.max_output_tokens == 16384
    assert set(gpt.capabilities) == {"vision", "function_calling", "prompt_caching"}


def test_litellm_tiers_cache_units_and_platforms() -> None:
    entries = {e.source_key: e for e in _load("litellm").imported}
    gemini = entries["gemini/gemini-2.5-pro"]
    assert (gemini.platform, gemini.provider, gemini.model_name) == (
        "direct",
        "google",
        "gemini-2.5-pro",
    )
    assert gemini.price is not None
    assert gemini.price.long_context_threshold == 200_000
    assert gemini.price.long_context_input_per_1m == Decimal("2.5")
    assert gemini.price.long_context_output_per_1m == Decimal("15")
    assert gemini.price.flex_input_per_1m == Decimal("0.625")
    assert gemini.price.flex_output_per_1m == Decimal("5")
    assert gemini.input_modalities == ("text", "image", "audio", "video")

    opus = entries["anthropic.claude-opus-4-5-20251101-v1:0"]
    assert opus.platform == "bedrock" and opus.provider is None
    assert opus.price is not None
    assert opus.price.cache_write_per_1m == Decimal("6.25")
    assert opus.price.cached_input_per_1m == Decimal("0.5")
    assert "cache_creation_input_token_cost_above_1hr" in opus.unmapped_prices

    tts = entries["tts-1"]
    assert tts.price is not None and tts.price.input_per_1m == Decimal("15")
    assert tts.price.notes == "input and output priced per 1M characters"
    assert str(tts.deprecation_date) == "2027-01-06"

    whisper = entries["whisper-1"]
    assert whisper.price is not None
    assert whisper.price.pricing_type is PricingType.PER_SECOND
    assert whisper.price.per_second == Decimal("0.0001")

    image = entries["dall-e-3"].price
    video = entries["runwayml/gen3a_turbo"]
    search = entries["tavily/search"].price
    assert image is not None and image.pricing_type is PricingType.PER_IMAGE
    assert image.per_image == Decimal("0.05")
    assert video.price is not None and video.price.per_second == Decimal("0.05")
    assert video.provider == "runway" and video.model_name == "gen3a_turbo"
    assert search is not None and search.pricing_type is PricingType.PER_REQUEST
    assert search.per_request == Decimal("0.008")


def test_litellm_skips_say_why() -> None:
    result = _load("litellm")
    reasons = {s.source_key: s.reason for s in result.skipped}
    assert reasons == {
        "sample_spec": "documentation of the format, not a model",
        "no-provider-model": "no litellm_provider",
        "broken-entry": "not an object",
    }
    entries = {e.source_key: e for e in result.imported}
    # a service no table lists is a platform of its own; an entry without a usable price
    # is a model all the same, unpriced, and says what was wrong
    fal = entries["fal_ai/flux-dev"]
    assert (fal.platform, fal.model_name) == ("fal-ai", "flux-dev")
    assert result.services["fal-ai"].kind == "host"
    assert entries["unpriced-model"].price is None and entries["unpriced-model"].flags == ()
    negative = entries["negative-model"]
    assert negative.price is None
    assert negative.flags == ("bad price: not a price: Decimal('-0.000001')",)


def test_models_dev_costs_tiers_limits_and_status() -> None:
    result = _load("models-dev")
    entries = {e.source_key: e for e in result.imported}
    gemini = entries["google/gemini-2.5-pro"]
    assert gemini.price is not None
    assert gemini.price.prices()["input_per_1m"] == Decimal("1.25")
    assert gemini.price.cached_input_per_1m == Decimal("0.31")
    # the smallest context tier is the long-context price; the next one is named, not lost
    assert gemini.price.long_context_threshold == 200_000
    assert gemini.price.long_context_output_per_1m == Decimal("15")
    assert gemini.unmapped_prices == ("tier above 500000 tokens",)
    assert gemini.context_window == 1_048_576 and gemini.max_output_tokens == 65_536

    deep = entries["perplexity/sonar-deep-research"]
    assert deep.price is not None
    assert deep.price.reasoning_per_1m == Decimal("3")
    assert deep.price.per_request == Decimal("5")
    assert deep.unmapped_prices == ("citation",)
    assert entries["openai/gpt-3.5-turbo"].deprecated is True
    bedrock = entries["amazon-bedrock/anthropic.claude-opus-4-5-20251101-v1:0"]
    assert bedrock.platform == "bedrock"
    reasons = {s.source_key: s.reason for s in result.skipped}
    assert reasons == {"empty-provider": "provider without a models object"}
    assert entries["openai/chatgpt-image-latest"].price is None
    assert entries["openai/chatgpt-image-latest"].mode == "image_generation"
    assert entries["perplexity/broken-price"].flags == ("bad price: not a price: 'free'",)
    hosted = entries["302ai/gpt-4o"]
    assert (hosted.platform, hosted.model_name) == ("302ai", "gpt-4o")


def test_openrouter_string_prices_and_routers() -> None:
    result = _load("openrouter")
    entries = {e.source_key: e for e in result.imported}
    nano = entries["openai/gpt-5-nano"]
    assert nano.platform == "openrouter" and nano.model_name == "openai/gpt-5-nano"
    assert nano.vendor == "openai" and nano.display_name == "GPT-5 Nano"
    assert nano.price is not None
    assert nano.price.prices() == {
        "input_per_1m": Decimal("0.05"),
        "output_per_1m": Decimal("0.4"),
        "cached_input_per_1m": Decimal("0.005"),
        "per_search_request": Decimal("0.01"),
    }
    assert nano.max_output_tokens == 128000
    assert {"function_calling", "reasoning", "vision"} <= set(nano.capabilities)
    gpt = entries["openai/gpt-4o"]
    # OpenRouter's image price is per input image: not an image-generation price
    assert gpt.price is not None and gpt.price.per_image is None
    assert "image" in gpt.unmapped_prices
    assert str(gpt.deprecation_date) == "2026-06-01"
    # 17-digit prices are rounded to the 10 decimal places a price sheet stores
    lite = entries["google/gemini-3.1-flash-lite"].price
    assert lite is not None and lite.cache_write_per_1m == Decimal("0.0833333333")
    reasons = {s.source_key: s.reason for s in result.skipped}
    assert reasons == {
        "openrouter/auto": "price decided per request (a router, not a model)",
        "data[7]": "entry without an id",
    }
    assert entries["bad/price"].flags == ("bad price: not a price: 'cheap'",)
    assert entries["unpriced/model"].price is None


# ----------------------------------------------------------------------------- reading


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/slow.json":
            time.sleep(2)
        name = self.path.lstrip("/")
        body = b"{not json" if name == "broken.json" else None
        if body is None:
            path = CATALOGS / name
            if not path.is_file():
                self.send_response(404)
                self.end_headers()
                return
            body = path.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return None


@pytest.fixture
def catalog_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.slow
def test_a_url_reads_like_the_file(catalog_server: str) -> None:
    from_url = load_source("litellm", f"{catalog_server}/litellm.json")
    from_file = _load("litellm")
    assert from_url.imported == from_file.imported
    assert from_url.skipped == from_file.skipped
    assert from_url.location.startswith("http://127.0.0.1")


@pytest.mark.slow
def test_unreadable_urls_say_why(catalog_server: str) -> None:
    with pytest.raises(ValidationError, match=r"litellm: GET .*/missing.json answered HTTP 404"):
        load_source("litellm", f"{catalog_server}/missing.json")
    with pytest.raises(ValidationError, match=r"openrouter: .*/broken.json is not valid JSON"):
        load_source("openrouter", f"{catalog_server}/broken.json")
    with pytest.raises(ValidationError, match=r"timed out after 0.5 s"):
        load_source("models-dev", f"{catalog_server}/slow.json", timeout=0.5)


def test_bad_sources_say_why(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="litellm: no such file"):
        load_source("litellm", str(tmp_path / "nope.json"))
    with pytest.raises(ValidationError, match="is a directory"):
        load_source("litellm", str(tmp_path))
    with pytest.raises(ValidationError, match="unknown catalog source 'helicone'"):
        load_source("helicone", str(FILES["litellm"]))
    with pytest.raises(ValidationError, match="NAME=FILE_OR_URL"):
        parse_source_option("litellm")
    assert parse_source_option("models-dev=https://models.dev/api.json") == (
        "models-dev",
        "https://models.dev/api.json",
    )
    wrong = tmp_path / "list.json"
    wrong.write_text("[1, 2]")
    result = load_source("openrouter", str(wrong))
    assert [(s.source_key, s.reason) for s in result.skipped] == [
        ("(document)", 'not an object with a "data" list')
    ]
