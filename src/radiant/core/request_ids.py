"""Request ids: ours (the API's and the gateway's alike; on /v1 the key of a request's
usage event) and a caller's.

Ours are 32 hex digits: 80 random bits drawn when the process starts (and again in a
forked child, or two workers would share them) and a counter, so they are unique across
processes, machines and restarts without a system call per request. A caller's
``x-request-id`` is kept when it is sane (1-100 characters of ``[A-Za-z0-9._:@/+=-]``):
it is echoed and stored with the event, never used as its key.
"""

from __future__ import annotations

import itertools
import os
import re
import secrets

__all__ = ["caller_request_id", "new_request_id"]

_SANE = re.compile(r"^[A-Za-z0-9._:@/+=-]{1,100}$")


class _RequestIds:
    def __init__(self) -> None:
        self.reseed()

    def reseed(self) -> None:
        self.prefix = secrets.token_hex(10)
        self.counter = itertools.count(1)

    def new(self) -> str:
        return f"{self.prefix}{next(self.counter):012x}"


_IDS = _RequestIds()
os.register_at_fork(after_in_child=_IDS.reseed)


def new_request_id() -> str:
    """A new id of ours."""
    return _IDS.new()


def caller_request_id(value: str | None) -> str | None:
    """The caller's ``x-request-id`` when it is one we keep, else None."""
    return value if value and _SANE.match(value) else None
