"""How Radiant's outgoing HTTP is set up, read from the settings in one place: which
certificate authorities are trusted, how many connections go to one origin. The proxies
come from the standard environment variables (:mod:`radiant.http.proxies`).

The gateway's upstream client (:class:`radiant.http.client.HttpClient`) and the
``httpx2`` clients of the health probes and of discovery (:func:`httpx2_client`) are
built from the same :class:`HttpConfig`, so they trust the same CAs and go through the
same proxies.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import httpx2

if TYPE_CHECKING:
    from radiant.settings import Settings

__all__ = ["HttpConfig", "httpx2_client", "ssl_context"]


@dataclass(frozen=True)
class HttpConfig:
    #: a PEM file of the certificate authorities to trust for HTTPS, instead of the
    #: system's (``SSL_CERT_FILE`` and ``SSL_CERT_DIR`` are honoured when it is unset)
    ca_bundle: Path | None = None
    #: connections open at once to one origin (scheme, host, port); more callers wait
    connections_per_origin: int = 256
    #: connections open at once in all
    connections: int = 1024

    def __post_init__(self) -> None:
        if self.connections_per_origin < 1 or self.connections < 1:
            raise ValueError("connection limits must be at least 1")

    @classmethod
    def from_settings(cls, settings: Settings) -> HttpConfig:
        return cls(
            ca_bundle=settings.ca_bundle,
            connections_per_origin=settings.upstream_connections_per_origin,
            connections=settings.upstream_connections,
        )

    def ssl_context(self) -> ssl.SSLContext:
        return ssl_context(self.ca_bundle)


@lru_cache(maxsize=8)
def ssl_context(ca_bundle: Path | None = None) -> ssl.SSLContext:
    """A verifying client context: the CAs of ``ca_bundle``, or httpx2's defaults (the
    system's store; ``SSL_CERT_FILE``/``SSL_CERT_DIR``; the OS trust store on macOS and
    Windows). Built once per bundle: loading the roots takes milliseconds."""
    if ca_bundle is None:
        return httpx2.create_ssl_context()
    return ssl.create_default_context(cafile=str(ca_bundle))


def httpx2_client(config: HttpConfig, *, timeout: float) -> httpx2.AsyncClient:
    """An ``httpx2`` client for the health probes and discovery: ``config``'s CAs, and the
    proxies of ``HTTP_PROXY``, ``HTTPS_PROXY``, ``ALL_PROXY`` and ``NO_PROXY``."""
    return httpx2.AsyncClient(verify=config.ssl_context(), trust_env=True, timeout=timeout)
