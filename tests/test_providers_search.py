"""Exa and Tavily behind ``POST /v1/search`` (Radiant's SearchParams/SearchResponse),
over real HTTP fakes (:mod:`fakes_retrieval`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fakes_retrieval import RetrievalState, serve_retrieval
from providers_fakes import KEY, Trouble, fail, run
from radiant.catalog.loader import load_catalog
from radiant.domain import Route
from radiant.providers import UpstreamTarget, target_for
from radiant.secrets import EnvSecretResolver

pytestmark = pytest.mark.slow


@pytest.fixture
def fake() -> Iterator[RetrievalState]:
    yield from serve_retrieval(RetrievalState())


def target(fake: RetrievalState, wire: str, model: str) -> UpstreamTarget:
    return UpstreamTarget(
        platform_id="direct",
        provider_id=wire,
        wire=wire,
        base_url=fake.url(wire),
        model=model,
        api_key=KEY,
    )


def test_the_catalog_rows_resolve_to_these_wires() -> None:
    catalog = load_catalog()
    secrets = EnvSecretResolver({"EXA_API_KEY": "e", "TAVILY_API_KEY": "t"})
    for provider_id, base, model in (
        # the catalog's model strings name no search type: the APIs' defaults (auto, basic)
        ("exa", "https://api.exa.ai", "exa-search"),
        ("tavily", "https://api.tavily.com", "tavily-search"),
    ):
        route = Route(model_id="m", platform_id="direct", model_string="x")
        provider = catalog.providers[provider_id]
        found = target_for(catalog.platforms["direct"], route, secrets, provider=provider)
        assert (found.wire, found.base_url) == (provider_id, base)
        routes = [r for r in catalog.routes.values() if r.model_id == f"{provider_id}-search"]
        assert [r.model_string for r in routes] == [model]


def test_exa_search(fake: RetrievalState) -> None:
    body = {"query": "rust async", "max_results": 3, "include_domains": ["docs.rs"]}
    answer = run(target(fake, "exa", "auto"), lambda a: a.search(body))  # type: ignore[arg-type]
    assert answer["object"] == "search.results" and answer["query"] == "rust async"
    assert answer["results"][0] == {
        "title": "Result 0",
        "url": "https://example.org/0",
        "content": "Page 0 about rust async",
        "score": 0.9,
        "published_date": "2025-01-02T00:00:00.000Z",
    }
    assert answer["results"][2]["content"] == "first bit … second bit"
    assert answer["results"][2]["title"] == ""
    sent = fake.last
    assert sent.path == "/exa/search" and sent.headers["x-api-key"] == KEY
    assert "authorization" not in sent.headers
    assert sent.body == {
        "query": "rust async",
        "numResults": 3,
        "contents": {"text": {"maxCharacters": 2000}},
        "type": "auto",
        "includeDomains": ["docs.rs"],
    }


def test_tavily_search(fake: RetrievalState) -> None:
    body = {"query": "news", "max_results": 2, "exclude_domains": ["spam.example"]}
    answer = run(target(fake, "tavily", "advanced"), lambda a: a.search(body))  # type: ignore[arg-type]
    assert answer["results"] == [
        {
            "title": f"Hit {i}",
            "url": f"https://news.example/{i}",
            "content": f"Snippet {i} on news",
            "score": 0.8,
            "published_date": None,
        }
        for i in range(2)
    ]
    sent = fake.last
    assert sent.path == "/tavily/search" and sent.headers["authorization"] == f"Bearer {KEY}"
    assert sent.body == {
        "query": "news",
        "max_results": 2,
        "search_depth": "advanced",
        "exclude_domains": ["spam.example"],
    }


def test_upstream_errors_are_typed(fake: RetrievalState) -> None:
    fake.script.append(Trouble(status=429, retry_after="2"))
    error = fail(target(fake, "exa", "auto"), lambda a: a.search({"query": "q"}))
    assert error.status == 429 and error.retry_after == 2.0 and error.retryable
    fake.script.append(Trouble(status=400, body=b'{"error": "bad query"}'))
    error = fail(target(fake, "tavily", "basic"), lambda a: a.search({"query": "q"}))
    assert error.status == 400 and not error.retryable and "bad query" in str(error)
    for wire in ("exa", "tavily"):
        wrong = UpstreamTarget(**{**target(fake, wire, "auto").__dict__, "api_key": "nope"})
        error = fail(wrong, lambda a: a.search({"query": "q"}))
        assert error.status == 401 and not error.retryable
    fake.script.append(Trouble(body=b'{"nothing": 1}'))
    error = fail(target(fake, "exa", "auto"), lambda a: a.search({"query": "q"}))
    assert error.kind == "protocol"
