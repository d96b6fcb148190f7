"""Domain rules that a user of the catalog format or the API would run into."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pydantic
import pytest

from radiant.domain import Model, PriceSheet, PricingType, Task, derive_task


def test_price_sheet_money_is_decimal_and_serialises_as_strings() -> None:
    sheet = PriceSheet(
        pricing_type=PricingType.PER_TOKEN,
        input_per_1m=Decimal("1.750"),
        output_per_1m=Decimal("14"),
    )
    dumped = sheet.model_dump(mode="json")
    assert dumped["input_per_1m"] == "1.75"
    assert dumped["output_per_1m"] == "14"
    assert sheet.prices() == {"input_per_1m": Decimal("1.75"), "output_per_1m": Decimal("14")}


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"pricing_type": "per_token"}, "needs one of"),
        ({"pricing_type": "per_image", "per_image": "-0.01"}, "greater than or equal"),
        (
            {"pricing_type": "per_token", "input_per_1m": "1", "long_context_input_per_1m": "2"},
            "long_context_threshold",
        ),
        ({"pricing_type": "per_token", "input_per_1m": "1", "currency": "EUR"}, "USD"),
        (
            {
                "pricing_type": "per_token",
                "input_per_1m": "1",
                "effective_from": datetime(2025, 2, 1, tzinfo=UTC),
                "effective_to": datetime(2025, 1, 1, tzinfo=UTC),
            },
            "after effective_from",
        ),
        ({"pricing_type": "per_gallon", "input_per_1m": "1"}, "per_token"),
    ],
)
def test_bad_price_sheets(data: dict[str, object], problem: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=problem):
        PriceSheet.model_validate(data)


def test_same_prices_ignores_provenance() -> None:
    a = PriceSheet(pricing_type="per_token", input_per_1m=Decimal("3"), output_per_1m=Decimal("15"))
    b = a.model_copy(update={"source": "admin_manual_entry", "input_per_1m": Decimal("3.000")})
    c = a.model_copy(update={"output_per_1m": Decimal("14")})
    assert a.same_prices(b)
    assert not a.same_prices(c)


def test_model_rules() -> None:
    base = {"id": "m", "provider_id": "p", "name": "m", "display_name": "M", "category": "llm"}
    with pytest.raises(pydantic.ValidationError, match="lower-case"):
        Model.model_validate({**base, "id": "Bad Id"})
    with pytest.raises(pydantic.ValidationError, match="repeat the id"):
        Model.model_validate({**base, "aliases": ["m"]})
    with pytest.raises(pydantic.ValidationError, match="own successor"):
        Model.model_validate({**base, "successor_id": "m"})
    with pytest.raises(pydantic.ValidationError, match="less than or equal to 5"):
        Model.model_validate({**base, "min_tier": 6})
    model = Model.model_validate({**base, "capabilities": ["chat", "chat", "vision"]})
    assert model.capabilities == ["chat", "vision"]
    assert model.primary_task is Task.CHAT
    # one vocabulary of categories: an older name is stored as the one it stands for
    assert model.category == "text_generation"
    for old, new in (
        ("embeddings", "embedding"),
        ("3d", "3d_generation"),
        ("LLM", "text_generation"),
    ):
        assert Model.model_validate({**base, "category": old}).category == new
    assert Model.model_validate({**base, "category": "vision"}).category == "vision"
    names = Model.model_validate({**base, "tags": [" a", "a", "", "b"]}).tags
    assert names == ["a", "b"]  # stripped, no empty and no repeated tag


def test_task_derivation() -> None:
    assert derive_task(["chat", "embeddings"], "text_generation") is Task.CHAT
    assert derive_task(["text_embedding"], "embedding") is Task.EMBEDDING
    assert derive_task(["text_to_image"], "image_generation") is Task.IMAGE
    assert derive_task(["transcription"], "speech_to_text") is Task.TRANSCRIPTION
    assert derive_task(["text_to_3d"], "3d_generation") is Task.THREE_D
    assert derive_task([], "whatever") is Task.OTHER
