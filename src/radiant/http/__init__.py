"""Radiant's outgoing HTTP, set up in one place from the settings.

* :mod:`radiant.http.config`: :class:`HttpConfig` (CA bundle, connection limits) and the
  ``httpx2`` clients of the health probes and discovery;
* :mod:`radiant.http.proxies`: the proxy of each origin, from ``HTTP(S)_PROXY`` and
  ``NO_PROXY``;
* :mod:`radiant.http.client`: :class:`~radiant.http.client.HttpClient`, the upstream
  client under the gateway and the provider adapters (aiohttp), and
  :mod:`radiant.http.sse` for the event streams it reads.

Importing this package loads neither aiohttp nor the client: the services that only
probe take :mod:`radiant.http.config`.
"""
