"""Route health and circuit breakers in Redis (``RADIANT_REDIS_URL``, extra ``radiant[redis]``).

One JSON value per route and kind (``<prefix>breaker:<route>``, ``<prefix>stats:<route>``)
and one set of route ids per kind. Compare-and-set is Redis's optimistic transaction:
``WATCH`` the key, read, ``MULTI``/``EXEC`` the write; ``EXEC`` fails when another client
wrote the key in between, and the update is retried.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from radiant.errors import StoreError
from radiant.health.breaker import BreakerState
from radiant.health.stats import HealthStats
from radiant.health.store import MAX_ATTEMPTS, BreakerChange, StatsChange

if TYPE_CHECKING:
    from redis import Redis

__all__ = ["RedisHealthStore"]

#: statistics of a route nobody reported on for this long disappear
STATS_TTL_SECONDS = 7 * 24 * 3600


class RedisHealthStore:
    def __init__(self, client: Redis, prefix: str = "radiant:health:") -> None:
        self.client = client
        self.prefix = prefix

    @classmethod
    def from_url(cls, url: str, prefix: str = "radiant:health:") -> RedisHealthStore:
        try:
            import redis  # an optional extra (``radiant[redis]``): imported when asked for
        except ImportError:  # pragma: no cover - depends on the installation
            raise StoreError(
                "RADIANT_REDIS_URL is set but the redis client is not installed: "
                "pip install 'radiant-registry[redis]'"
            ) from None
        return cls(redis.Redis.from_url(url), prefix)

    def _key(self, kind: str, route_id: str) -> str:
        return f"{self.prefix}{kind}:{route_id}"

    def _update(self, kind: str, route_id: str, apply: Any) -> Any:
        """Read the JSON at the route's key, ``apply`` it, write back if nobody else did."""
        import redis  # an optional extra, loaded by from_url already: only its errors here

        key = self._key(kind, route_id)
        try:
            for _ in range(MAX_ATTEMPTS):
                with self.client.pipeline() as pipe:
                    try:
                        pipe.watch(key)  # type: ignore[no-untyped-call]
                        raw = pipe.get(key)
                        old = json.loads(raw) if raw else None
                        new_raw, result = apply(old)
                        if new_raw is None:  # nothing changed
                            pipe.unwatch()
                            return result
                        pipe.multi()
                        pipe.set(key, json.dumps(new_raw), ex=STATS_TTL_SECONDS)
                        pipe.sadd(f"{self.prefix}{kind}s", route_id)
                        pipe.execute()
                        return result
                    except redis.WatchError:
                        continue
        except redis.RedisError as exc:
            raise StoreError(f"cannot use Redis: {exc}") from None
        raise StoreError(f"the {kind} of {route_id} is too contended to update")

    def _all(self, kind: str) -> dict[str, Any]:
        import redis  # an optional extra, loaded by from_url already: only its errors here

        try:
            raw = self.client.smembers(f"{self.prefix}{kind}s")
            members = sorted(m.decode() if isinstance(m, bytes) else str(m) for m in raw)
            if not members:
                return {}
            values = self.client.mget([self._key(kind, m) for m in members])
        except redis.RedisError as exc:
            raise StoreError(f"cannot use Redis: {exc}") from None
        return {m: json.loads(v) for m, v in zip(members, values, strict=True) if v}

    # ------------------------------------------------------------------ breakers

    def update_breaker(self, route_id: str, change: BreakerChange) -> tuple[BreakerState, bool]:
        def apply(raw: dict[str, Any] | None) -> tuple[Any, tuple[BreakerState, bool]]:
            old = BreakerState.from_dict(raw) if raw else BreakerState()
            new, answer = change(old)
            return (None if raw and new == old else new.as_dict()), (new, answer)

        result: tuple[BreakerState, bool] = self._update("breaker", route_id, apply)
        return result

    def breakers(self) -> dict[str, BreakerState]:
        return {k: BreakerState.from_dict(v) for k, v in self._all("breaker").items()}

    # ------------------------------------------------------------------ statistics

    def update_stats(self, route_id: str, change: StatsChange) -> HealthStats:
        def apply(raw: dict[str, Any] | None) -> tuple[Any, HealthStats]:
            new = change(HealthStats.from_dict(raw or {}))
            return new.as_dict(), new

        result: HealthStats = self._update("stats", route_id, apply)
        return result

    def update_stats_many(self, changes: dict[str, StatsChange]) -> None:
        for route_id, change in changes.items():
            self.update_stats(route_id, change)

    def stats(self) -> dict[str, HealthStats]:
        return {k: HealthStats.from_dict(v) for k, v in self._all("stats").items()}

    def close(self) -> None:
        self.client.close()
