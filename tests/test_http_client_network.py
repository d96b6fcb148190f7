"""TLS and proxies for every outgoing call, on 127.0.0.1: an HTTPS upstream whose CA the
test makes (trusted only through ``RADIANT_CA_BUNDLE``), and an HTTP proxy that tunnels
``CONNECT`` and forwards plain requests, found through ``HTTPS_PROXY``/``HTTP_PROXY`` and
skipped for ``NO_PROXY``: for the gateway's upstream client and for the health probes and
discovery, which build theirs from the same settings."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Iterator
from pathlib import Path

import pydantic
import pytest
from sqlalchemy import Engine

from conftest import migrate
from health_fakes import KEY, seed
from http_client_fakes import (
    Authority,
    ConnectProxy,
    answer,
    make_authority,
    raw_server,
    read_request,
)
from radiant.errors import ProviderError
from radiant.gateway.client import gateway_client
from radiant.health.jobs import health_job
from radiant.health.provider_health import list_provider_health
from radiant.http.client import HttpClient
from radiant.http.config import HttpConfig
from radiant.http.proxies import EnvProxies
from radiant.providers.transport import Call
from radiant.secrets import EnvSecretResolver
from radiant.settings import Settings, get_settings
from radiant.store.engine import make_engine
from radiant.sync.discovery.job import discovery_job
from radiant.sync.jobs import JobContext

_PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
_LISTING = json.dumps({"object": "list", "data": [{"id": "model-a"}]}).encode()


@pytest.fixture(scope="module")
def authority(tmp_path_factory: pytest.TempPathFactory) -> Authority:
    return make_authority(tmp_path_factory.mktemp("ca"))


@pytest.fixture
def engine(sqlite_db: str) -> Iterator[Engine]:
    """A migrated SQLite registry (what is probed does not depend on the database)."""
    migrate(sqlite_db)
    made = make_engine(sqlite_db)
    yield made
    made.dispose()


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """No proxy variable but the test's own; settings read afresh."""
    for name in _PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


async def listing(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Every request, on a keep-alive connection, gets a models listing."""
    while True:
        await read_request(reader)
        writer.write(answer(_LISTING))
        await writer.drain()


async def _get(client: HttpClient, url: str) -> dict[str, object]:
    return await Call(client, "up", timeout=5).json("GET", f"{url}/v1/models", headers={})


# ---------------------------------------------------------------------- TLS


def test_an_https_upstream_is_trusted_through_the_ca_bundle(authority: Authority) -> None:
    async def run() -> dict[str, object]:
        async with (
            raw_server(listing, tls=authority.server) as server,
            HttpClient(HttpConfig(ca_bundle=authority.bundle)) as client,
        ):
            return await _get(client, server.url)

    assert asyncio.run(run())["object"] == "list"


def test_an_https_upstream_signed_by_an_unknown_ca_is_refused(authority: Authority) -> None:
    async def run() -> None:
        async with raw_server(listing, tls=authority.server) as server, HttpClient() as client:
            await _get(client, server.url)

    with pytest.raises(ProviderError) as caught:
        asyncio.run(run())
    assert caught.value.kind == "connect" and "certificate" in str(caught.value)


def test_the_gateway_client_takes_its_ca_bundle_from_the_settings(
    authority: Authority, environment: pytest.MonkeyPatch
) -> None:
    environment.setenv("RADIANT_CA_BUNDLE", str(authority.bundle))

    async def run() -> dict[str, object]:
        async with raw_server(listing, tls=authority.server) as server:
            client = gateway_client()
            try:
                return await _get(client, server.url)
            finally:
                await client.aclose()

    assert asyncio.run(run())["object"] == "list"


@pytest.mark.parametrize(
    ("content", "problem"),
    [(None, "does not point to a file"), ("not a certificate", "no certificate authority")],
)
def test_a_ca_bundle_that_cannot_be_read_is_a_settings_error(
    tmp_path: Path, content: str | None, problem: str
) -> None:
    bundle = tmp_path / "ca.pem"
    if content is not None:
        bundle.write_text(content)
    with pytest.raises(pydantic.ValidationError, match=problem):
        Settings(ca_bundle=bundle)


# ---------------------------------------------------------------------- proxies


def test_https_goes_through_the_tunnel_of_https_proxy_with_its_credentials(
    authority: Authority, environment: pytest.MonkeyPatch
) -> None:
    proxy = ConnectProxy()

    async def run() -> dict[str, object]:
        async with proxy.serving(), raw_server(listing, tls=authority.server) as server:
            host_port = proxy.url.removeprefix("http://")
            environment.setenv("HTTPS_PROXY", f"http://radiant:s3cret@{host_port}")
            async with HttpClient(HttpConfig(ca_bundle=authority.bundle)) as client:
                first = await _get(client, server.url)
                await _get(client, server.url)  # the tunnel is kept alive and reused
            assert proxy.tunnels == [("127.0.0.1", server.port)]
            return first

    assert asyncio.run(run())["object"] == "list"
    assert proxy.authorizations == ["Basic " + base64.b64encode(b"radiant:s3cret").decode()]


def test_http_is_forwarded_by_http_proxy(environment: pytest.MonkeyPatch) -> None:
    proxy = ConnectProxy()

    async def run() -> dict[str, object]:
        async with proxy.serving(), raw_server(listing) as server:
            environment.setenv("http_proxy", proxy.url)
            async with HttpClient() as client:
                found = await _get(client, server.url)
            assert proxy.forwarded == [("127.0.0.1", server.port)] and proxy.tunnels == []
            return found

    assert asyncio.run(run())["object"] == "list"


@pytest.mark.parametrize("entry", ["127.0.0.1", "127.0.0.0/8", "PORT", "*"])
def test_no_proxy_goes_direct(
    authority: Authority, environment: pytest.MonkeyPatch, entry: str
) -> None:
    proxy = ConnectProxy()

    async def run() -> dict[str, object]:
        async with proxy.serving(), raw_server(listing, tls=authority.server) as server:
            environment.setenv("HTTPS_PROXY", proxy.url)
            no_proxy = f"127.0.0.1:{server.port}" if entry == "PORT" else entry
            environment.setenv("NO_PROXY", f"internal.example, {no_proxy}")
            async with HttpClient(HttpConfig(ca_bundle=authority.bundle)) as client:
                return await _get(client, server.url)

    assert asyncio.run(run())["object"] == "list"
    assert proxy.tunnels == [] and proxy.authorizations == []


@pytest.mark.parametrize(
    ("no_proxy", "host", "port", "direct"),
    [
        ("example.com", "example.com", 443, True),
        ("example.com", "api.example.com", 443, True),
        (".example.com", "api.example.com", 443, True),
        ("example.com", "notexample.com", 443, False),
        ("example.com:8443", "example.com", 443, False),
        ("example.com:8443", "example.com", 8443, True),
        ("10.0.0.0/8", "10.1.2.3", 443, True),
        ("10.0.0.0/8", "11.1.2.3", 443, False),
        ("::1", "::1", 443, True),
        ("", "example.com", 443, False),
    ],
)
def test_which_origins_no_proxy_sends_direct(
    no_proxy: str, host: str, port: int, direct: bool
) -> None:
    proxies = EnvProxies({"https": "proxy.internal:3128", "no": no_proxy})
    expected = None if direct else "http://proxy.internal:3128"  # no scheme: http://
    assert proxies.for_origin("https", host, port) == expected


def test_a_proxy_that_refuses_is_a_connect_error_that_keeps_its_credentials_quiet(
    authority: Authority, environment: pytest.MonkeyPatch
) -> None:
    proxy = ConnectProxy(status=407)

    async def run() -> None:
        async with proxy.serving(), raw_server(listing, tls=authority.server) as server:
            host_port = proxy.url.removeprefix("http://")
            environment.setenv("HTTPS_PROXY", f"http://radiant:s3cret@{host_port}")
            async with HttpClient(HttpConfig(ca_bundle=authority.bundle)) as client:
                await _get(client, server.url)

    with pytest.raises(ProviderError) as caught:
        asyncio.run(run())
    assert caught.value.kind == "connect" and "407" in str(caught.value)
    assert "s3cret" not in str(caught.value)


def test_a_socks_proxy_is_refused_with_a_clear_error(environment: pytest.MonkeyPatch) -> None:
    environment.setenv("ALL_PROXY", "socks5://127.0.0.1:1080")

    async def run() -> None:
        async with raw_server(listing) as server, HttpClient() as client:
            await _get(client, server.url)

    with pytest.raises(ProviderError, match="not an http:// or https:// proxy") as caught:
        asyncio.run(run())
    assert caught.value.kind == "config" and not caught.value.retryable


# ---------------------------------------------------------------------- health and discovery


def test_health_probes_go_through_the_proxy_and_trust_the_ca_bundle(
    engine: Engine, authority: Authority, environment: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    proxy = ConnectProxy()
    environment.setenv("RADIANT_CA_BUNDLE", str(authority.bundle))

    async def run() -> None:
        async with proxy.serving(), raw_server(listing, tls=authority.server) as server:
            environment.setenv("HTTPS_PROXY", proxy.url)
            seed(engine, tmp_path / "catalog", server.url)  # hostco: the TLS upstream
            secrets = EnvSecretResolver({"HOSTCO_API_KEY": KEY})
            options = {"secrets": secrets, "platforms": ["hostco"], "timeout": 5}
            await asyncio.to_thread(health_job, engine, JobContext("h", options=options))
            assert proxy.tunnels == [("127.0.0.1", server.port)]

    asyncio.run(run())
    [row] = [r for r in list_provider_health(engine) if r["target"] == "hostco"]
    assert row["status"] == "healthy" and row["last_status_code"] == 200


def test_discovery_lists_through_the_proxy_and_trusts_the_ca_bundle(
    engine: Engine, authority: Authority, environment: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    proxy = ConnectProxy()
    environment.setenv("RADIANT_CA_BUNDLE", str(authority.bundle))

    async def run() -> dict[str, object]:
        async with proxy.serving(), raw_server(listing, tls=authority.server) as server:
            environment.setenv("HTTPS_PROXY", proxy.url)
            seed(engine, tmp_path / "catalog", server.url)  # hostco: the TLS upstream
            secrets = EnvSecretResolver({"HOSTCO_API_KEY": KEY})
            options = {"secrets": secrets, "platforms": ["hostco"], "attempts": 1}
            done = await asyncio.to_thread(discovery_job, engine, JobContext("d", options=options))
            assert proxy.tunnels == [("127.0.0.1", server.port)]
            summary: dict[str, object] = done.details["targets"]["hostco"]
            return summary

    summary = asyncio.run(run())
    assert summary["status"] == "listed" and summary["models"] == 1
