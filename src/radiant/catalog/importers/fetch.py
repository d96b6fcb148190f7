"""Read a catalog document from a file or an http(s) URL, as JSON with Decimal numbers."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx2

from radiant.errors import ValidationError

__all__ = [
    "MAX_BYTES",
    "TIMEOUT",
    "is_url",
    "parse_document",
    "read_bytes",
    "read_document",
]

#: Seconds to connect and between two reads of a catalog download.
TIMEOUT = 30.0
#: The largest catalog accepted (LiteLLM's cost map is about 3 MB).
MAX_BYTES = 64 * 1024 * 1024


def is_url(location: str) -> bool:
    return location.startswith(("http://", "https://"))


def read_document(
    location: str, *, source: str, timeout: float = TIMEOUT, client: httpx2.Client | None = None
) -> Any:
    """The JSON document at ``location`` (a path or an http(s) URL).

    Numbers with a fraction or an exponent become ``Decimal`` (money stays exact).
    Raises ValidationError naming the source and the location when it cannot be read.
    """
    raw = read_bytes(location, source=source, timeout=timeout, client=client)
    return parse_document(raw, location=location, source=source)


def read_bytes(
    location: str, *, source: str, timeout: float = TIMEOUT, client: httpx2.Client | None = None
) -> bytes:
    """The bytes at ``location``; ValidationError when they cannot be read."""
    if is_url(location):
        return _download(location, source, timeout, client)
    return _file(location, source)


def parse_document(raw: bytes, *, location: str, source: str) -> Any:
    """JSON with Decimal numbers; ValidationError naming the source when it is not JSON."""
    try:
        return json.loads(raw, parse_float=Decimal)
    except (ValueError, RecursionError) as exc:
        raise ValidationError(f"{source}: {location} is not valid JSON: {exc}") from None


def _file(location: str, source: str) -> bytes:
    path = Path(location).expanduser()
    try:
        if path.stat().st_size > MAX_BYTES:
            raise ValidationError(f"{source}: {location} is larger than {MAX_BYTES} bytes")
        return path.read_bytes()
    except FileNotFoundError:
        raise ValidationError(f"{source}: no such file: {location}") from None
    except IsADirectoryError:
        raise ValidationError(f"{source}: {location} is a directory, not a file") from None
    except OSError as exc:
        raise ValidationError(f"{source}: cannot read {location}: {exc.strerror}") from None


def _download(location: str, source: str, timeout: float, client: httpx2.Client | None) -> bytes:
    own = client is None
    http = client or httpx2.Client(timeout=timeout, follow_redirects=True)
    try:
        with http.stream("GET", location, headers={"Accept": "application/json"}) as response:
            if response.status_code >= 400:
                raise ValidationError(
                    f"{source}: GET {location} answered HTTP {response.status_code}"
                )
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_BYTES:
                    raise ValidationError(f"{source}: {location} is larger than {MAX_BYTES} bytes")
                chunks.append(chunk)
            return b"".join(chunks)
    except httpx2.TimeoutException:
        raise ValidationError(f"{source}: GET {location} timed out after {timeout:g} s") from None
    except httpx2.HTTPError as exc:
        raise ValidationError(f"{source}: GET {location} failed: {exc}") from None
    finally:
        if own:
            http.close()
