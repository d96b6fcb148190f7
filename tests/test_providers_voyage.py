"""Voyage AI embeddings and rerank behind Radiant's adapter contract, over a real HTTP
fake (:mod:`fakes_retrieval`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fakes_retrieval import RetrievalState, serve_retrieval
from providers_fakes import KEY, Trouble, fail, run
from radiant.catalog.loader import load_catalog
from radiant.domain import Route
from radiant.errors import ValidationError
from radiant.providers import UpstreamTarget, target_for
from radiant.providers.shapes.openai import EmbeddingParams, Whole
from radiant.secrets import EnvSecretResolver

pytestmark = pytest.mark.slow


@pytest.fixture
def fake() -> Iterator[RetrievalState]:
    yield from serve_retrieval(RetrievalState())


def voyage(fake: RetrievalState, model: str = "voyage-3") -> UpstreamTarget:
    return UpstreamTarget(
        platform_id="direct",
        provider_id="voyage",
        wire="voyage",
        base_url=fake.url("voyage/v1"),
        model=model,
        api_key=KEY,
    )


def test_the_catalog_rows_resolve_to_this_wire() -> None:
    catalog = load_catalog()
    route = Route(model_id="m", platform_id="direct", model_string="x")
    secrets = EnvSecretResolver({"VOYAGE_API_KEY": "v"})
    provider = catalog.providers["voyage"]
    target = target_for(catalog.platforms["direct"], route, secrets, provider=provider)
    assert (target.wire, target.base_url) == ("voyage", "https://api.voyageai.com/v1")
    routes = [r for r in catalog.routes.values() if r.model_id == "voyage-rerank-2"]
    assert [r.model_string for r in routes] == ["rerank-2"]


def test_embeddings_in_request_order_with_usage(fake: RetrievalState) -> None:
    target = UpstreamTarget(**{**voyage(fake).__dict__, "options": {"input_type": "query"}})
    answer = run(target, lambda a: a.embeddings({"input": ["a", "b"], "dimensions": 512}))
    assert [d["embedding"] for d in answer["data"]] == [[0.1, 0.2, 0.0], [0.1, 0.2, 1.0]]
    assert [d["index"] for d in answer["data"]] == [0, 1]
    assert answer["usage"] == {"prompt_tokens": 10, "total_tokens": 10}
    sent = fake.last
    assert sent.path == "/voyage/v1/embeddings"
    assert sent.headers["authorization"] == f"Bearer {KEY}"
    assert sent.body == {
        "input": ["a", "b"],
        "model": "voyage-3",
        "input_type": "query",
        "output_dimension": 512,
    }


def test_rerank_answers_radiant_shape_with_input_tokens(fake: RetrievalState) -> None:
    documents = ["cats purr", "dogs bark loudly", "the dogs"]
    answer = run(
        voyage(fake, "rerank-2"),
        lambda a: a.rerank({"query": "dogs bark", "documents": documents, "top_n": 2}),
    )
    assert [r["index"] for r in answer["results"]] == [1, 2]
    assert answer["results"][0]["relevance_score"] == 1.0
    assert answer["meta"] == {"billed_units": {"input_tokens": 42}}
    assert answer["id"].startswith("rerank-")
    assert fake.last.path == "/voyage/v1/rerank"
    assert fake.last.body == {
        "query": "dogs bark",
        "documents": documents,
        "model": "rerank-2",
        "top_k": 2,
    }


def test_upstream_errors_are_typed(fake: RetrievalState) -> None:
    fake.script.append(Trouble(status=429, retry_after="3", body=b'{"detail": "rate limited"}'))
    error = fail(voyage(fake), lambda a: a.embeddings({"input": "x"}))
    assert error.status == 429 and error.retry_after == 3.0 and error.retryable
    fake.script.append(Trouble(status=400, body=b'{"detail": "bad model"}'))
    error = fail(voyage(fake), lambda a: a.rerank({"query": "q", "documents": ["d"]}))
    assert error.status == 400 and not error.retryable and "bad model" in str(error)
    wrong = UpstreamTarget(**{**voyage(fake).__dict__, "api_key": "nope"})
    error = fail(wrong, lambda a: a.embeddings({"input": "x"}))
    assert error.status == 401 and "API key is invalid" in str(error)
    fake.script.append(Trouble(body=b"not json"))
    error = fail(voyage(fake), lambda a: a.embeddings({"input": "x"}))
    assert error.kind == "protocol"


def test_token_arrays_are_refused_before_any_request(fake: RetrievalState) -> None:
    ids: list[Whole] = [1, 2, 3]
    tokens: EmbeddingParams = {"input": ids}
    with pytest.raises(ValidationError):
        run(voyage(fake), lambda a: a.embeddings(tokens))
    assert fake.seen == []
