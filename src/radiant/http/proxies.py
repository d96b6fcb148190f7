"""The proxy of each origin, from the standard environment variables, as curl and
``urllib`` read them: ``HTTP_PROXY`` for ``http://`` URLs, ``HTTPS_PROXY`` for
``https://`` ones (a tunnel through ``CONNECT``), ``ALL_PROXY`` for either when its own is
unset, and ``NO_PROXY`` for the origins that go direct: comma-separated host names (each
also covers its subdomains; a leading dot changes nothing), ``host:port``, IP addresses,
networks (``10.0.0.0/8``), or ``*`` for all. Lower-case names are read too and win.

Read once, when a client is built: the environment of a process does not change under
it, and asking ``urllib`` per request would cost the gateway's hot path.
"""

from __future__ import annotations

import ipaddress
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["EnvProxies", "UnsupportedProxy"]

_SCHEMES = ("http://", "https://")


class UnsupportedProxy(ValueError):
    """A proxy the client cannot speak to (only ``http://`` and ``https://`` proxies)."""


@dataclass
class EnvProxies:
    #: scheme (``http``, ``https``, ``all``, ``no``) -> value, as ``urllib`` reads them
    variables: Mapping[str, str]
    _origins: dict[tuple[str, str, int], str | None] = field(default_factory=dict, repr=False)

    @classmethod
    def from_environment(cls) -> EnvProxies:
        return cls(urllib.request.getproxies_environment())

    def __bool__(self) -> bool:
        return any(key != "no" for key in self.variables)

    def for_origin(self, scheme: str, host: str, port: int) -> str | None:
        """The proxy URL for ``scheme://host:port`` (credentials included), or None: go
        direct. Raises :class:`UnsupportedProxy` for a SOCKS or other proxy."""
        key = (scheme, host, port)
        try:
            return self._origins[key]
        except KeyError:
            pass
        proxy = self.variables.get(scheme) or self.variables.get("all")
        if proxy and _bypassed(self.variables.get("no", ""), host.lower().strip("[]"), port):
            proxy = None
        if proxy and "://" not in proxy:
            proxy = f"http://{proxy}"  # ``host:port``, as curl takes it
        if proxy and not proxy.lower().startswith(_SCHEMES):
            raise UnsupportedProxy(
                f"the proxy for {scheme}:// URLs is not an http:// or https:// proxy "
                f"(scheme {proxy.split(':', 1)[0]!r})"
            )
        self._origins[key] = proxy or None
        return proxy or None


def _bypassed(no_proxy: str, host: str, port: int) -> bool:
    return any(_matches(entry.strip().lower(), host, port) for entry in no_proxy.split(","))


def _matches(entry: str, host: str, port: int) -> bool:
    if entry == "*":
        return True
    if "/" in entry:
        try:
            return ipaddress.ip_address(host) in ipaddress.ip_network(entry, strict=False)
        except ValueError:
            return False
    name = entry
    if entry.count(":") == 1:  # host:port (an IPv6 address has more colons)
        name, _, wanted = entry.partition(":")
        if not wanted.isdigit() or int(wanted) != port:
            return False
    name = name.strip("[]").lstrip(".")
    return bool(name) and (host == name or host.endswith("." + name))
