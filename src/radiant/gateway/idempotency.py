"""``Idempotency-Key``: a call sent again with the same key gets its first answer, billed
once. Without the header every call is its own call, billed on its own.

Per tenant (two tenants may use one key: they never meet), as Stripe and OpenAI do it:

* a key is 1-255 printable ASCII characters, no spaces (a UUID is a good one); anything
  else is a 400 ``invalid_idempotency_key``;
* the first call with a key holds it while it runs; when it succeeds, its answer (status,
  body, media type, route, model and price) is kept for ``ttl`` (default 24 hours,
  ``RADIANT_IDEMPOTENCY_TTL_SECONDS``);
* a repeat of a call that succeeded, with the same body to the same endpoint, gets the
  kept answer with ``idempotent-replayed: true`` and the ``x-radiant-request-id`` of the
  call that billed it: no upstream call, no rate limit taken, no usage event;
* a repeat while the first call runs: 409 ``idempotency_key_in_use`` (retry later);
* a repeat with another body or to another endpoint: 422 ``idempotency_key_reused``;
* a call that failed keeps nothing (it billed nothing): its key is free, and a retry
  runs anew; a call whose process died holds its key for ``lease`` (10 minutes) at most;
* a streamed call with a key is refused (400): a stream is relayed as it comes and not
  kept, so a repeat could not be answered from it; send it without ``stream`` to have
  an answer kept, or without the key.

The keys live in the database (``idempotency_keys``), so every process of the gateway
shares them: holding a key is one ``INSERT ... ON CONFLICT DO NOTHING``, atomic on SQLite
and PostgreSQL. (Redis would save that round trip only for calls that send the header,
and would add a second store of the truth: not worth it.) Calls without the header never
touch the table. Expired rows are taken over by the next call with their key and purged
now and then.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Engine, Table, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from radiant.gateway.errors import BadRequestError, GatewayError
from radiant.store.billing_tables import IdempotencyKeyRow
from radiant.tenants.scope import admin_scope

__all__ = [
    "Answer",
    "Claim",
    "IdempotencyKeyInUseError",
    "IdempotencyKeyReusedError",
    "IdempotencyStore",
    "check_key",
    "fingerprint",
]

logger = logging.getLogger(__name__)

_KEY = re.compile(r"^[!-~]{1,255}$")
_RUNNING, _DONE = "running", "done"
#: seconds between two purges of expired keys (per process)
_PURGE_EVERY = 3600.0


class IdempotencyKeyInUseError(GatewayError):
    """A call with this key is still running."""

    status = 409
    code = "idempotency_key_in_use"


class IdempotencyKeyReusedError(GatewayError):
    """The key was used for another call (another body, another endpoint)."""

    status = 422
    code = "idempotency_key_reused"


@dataclass(frozen=True, slots=True)
class Answer:
    """A kept answer: what a repeat gets."""

    #: the gateway's id of the call that answered (and was billed)
    request_id: str
    status: int
    media_type: str
    #: the answer's own headers (x-radiant-price, -route, -model)
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True, slots=True)
class Claim:
    """A key this call holds."""

    tenant_id: str
    key: str
    request_id: str


def check_key(value: str) -> str:
    """The key of an ``Idempotency-Key`` header; BadRequestError when it cannot be one."""
    if not _KEY.match(value):
        raise BadRequestError(
            "Idempotency-Key must be 1 to 255 printable ASCII characters without spaces",
            code="invalid_idempotency_key",
        )
    return value


def fingerprint(path: str, fields: Mapping[str, Any], file: tuple[bytes, str] | None) -> str:
    """What a repeat must match: the endpoint and the body (its JSON, keys sorted, so a
    client that orders them differently sends the same call; a form's fields and file)."""
    digest = hashlib.sha256(path.encode())
    digest.update(b"\0")
    digest.update(json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str).encode())
    if file is not None:
        data, name = file
        digest.update(b"\0" + name.encode() + b"\0")
        digest.update(data)
    return digest.hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


class IdempotencyStore:
    """The ``idempotency_keys`` table: :meth:`claim`, then :meth:`complete` or :meth:`release`.

    Every method is blocking I/O: call it off the event loop.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        ttl: float = 24 * 3600.0,
        lease: float = 600.0,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self.engine = engine
        self.ttl = timedelta(seconds=ttl)
        self.lease = timedelta(seconds=lease)
        self.clock = clock
        self._purged_at = time.monotonic()

    def claim(
        self, tenant_id: str, key: str, print_: str, request_id: str, endpoint: str
    ) -> Claim | Answer:
        """Hold ``key`` for the call ``request_id`` (a :class:`Claim`), or the kept answer of
        the call that held it. Raises IdempotencyKeyInUseError while that call runs,
        IdempotencyKeyReusedError when it was another call (``print_`` differs)."""
        now = self.clock()
        values = {
            "tenant_id": tenant_id,
            "idempotency_key": key,
            "fingerprint": print_,
            "request_id": request_id,
            "endpoint": endpoint,
            "state": _RUNNING,
            "status_code": None,
            "media_type": None,
            "headers": None,
            "body": None,
            "created_at": now,
            "expires_at": now + self.lease,
        }
        with Session(self.engine) as session, session.begin():
            admin_scope(session)
            answer = self._take(session, values)
        if answer is not None:
            return answer
        self._purge_now_and_then()
        return Claim(tenant_id, key, request_id)

    def _take(self, session: Session, values: dict[str, Any]) -> Answer | None:
        """Hold the key (None) or find the answer kept for it, in ``session``'s transaction."""
        if self._insert(session, values):
            return None
        where = _row(values["tenant_id"], values["idempotency_key"])
        found = session.scalars(
            select(IdempotencyKeyRow).where(where).with_for_update()
        ).one_or_none()
        if found is None:  # deleted since our insert (its call failed): hold it now
            if self._insert(session, values):
                return None
            raise IdempotencyKeyInUseError(_IN_USE, retry_after=1.0)
        if found.expires_at <= values["created_at"]:  # forgotten, or its call died: take it
            taken = session.execute(
                update(IdempotencyKeyRow)
                .where(where, IdempotencyKeyRow.request_id == found.request_id)
                .values(values)
            )
            if getattr(taken, "rowcount", 0):
                return None
            raise IdempotencyKeyInUseError(_IN_USE, retry_after=1.0)
        if found.fingerprint != values["fingerprint"]:
            raise IdempotencyKeyReusedError(
                "this Idempotency-Key was used for another call (another body or endpoint); "
                "use a new key for a new call"
            )
        if found.state != _DONE:
            raise IdempotencyKeyInUseError(_IN_USE, retry_after=1.0)
        return Answer(
            found.request_id,
            found.status_code or 200,
            found.media_type or "application/json",
            dict(found.headers or {}),
            found.body or b"",
        )

    def _insert(self, session: Session, values: dict[str, Any]) -> bool:
        table = cast(Table, IdempotencyKeyRow.__table__)
        dialect = session.get_bind().dialect.name
        if dialect == "postgresql":
            statement: Any = pg_insert(table).on_conflict_do_nothing()
        else:
            statement = sqlite_insert(table).on_conflict_do_nothing()
        result = session.execute(statement.values(values).returning(table.c.request_id))
        return result.first() is not None

    def complete(self, claim: Claim, answer: Answer) -> None:
        """Keep ``answer`` for the repeats of the call that holds ``claim``."""
        now = self.clock()
        with Session(self.engine) as session, session.begin():
            admin_scope(session)
            session.execute(
                update(IdempotencyKeyRow)
                .where(_row(claim.tenant_id, claim.key), _held(claim))
                .values(
                    state=_DONE,
                    status_code=answer.status,
                    media_type=answer.media_type,
                    headers=answer.headers,
                    body=answer.body,
                    expires_at=now + self.ttl,
                )
            )

    def release(self, claim: Claim) -> None:
        """Free the key of a call that failed: a retry runs anew."""
        with Session(self.engine) as session, session.begin():
            admin_scope(session)
            session.execute(
                delete(IdempotencyKeyRow).where(
                    _row(claim.tenant_id, claim.key),
                    _held(claim),
                    IdempotencyKeyRow.state == _RUNNING,
                )
            )

    def purge(self) -> int:
        """Delete the keys whose time is over; how many."""
        with Session(self.engine) as session, session.begin():
            admin_scope(session)
            result = session.execute(
                delete(IdempotencyKeyRow).where(IdempotencyKeyRow.expires_at <= self.clock())
            )
            return int(getattr(result, "rowcount", 0) or 0)

    def _purge_now_and_then(self) -> None:
        if time.monotonic() - self._purged_at < _PURGE_EVERY:
            return
        self._purged_at = time.monotonic()
        try:
            self.purge()
        except Exception:  # a purge is housekeeping: the next one will do
            logger.warning("gateway: cannot purge expired idempotency keys", exc_info=True)


_IN_USE = "a call with this Idempotency-Key is still running; retry once it has finished"


def _row(tenant_id: str, key: str) -> Any:
    return (IdempotencyKeyRow.tenant_id == tenant_id) & (IdempotencyKeyRow.idempotency_key == key)


def _held(claim: Claim) -> Any:
    return IdempotencyKeyRow.request_id == claim.request_id
