"""Where the test services are: the PostgreSQL and Redis servers the tests talk to, from
the environment (``RADIANT_TEST_PG_ADMIN_URL``, ``RADIANT_TEST_REDIS_URL``), with the
machine's local servers as the default. Tests name them from here, never by address."""

from __future__ import annotations

import os

import redis

__all__ = ["PG_ADMIN_URL", "REDIS_URL", "redis_client", "redis_url"]

#: a database the tests may create others from (CREATE DATABASE)
PG_ADMIN_URL = os.environ.get(
    "RADIANT_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
#: the Redis the tests share (each test keeps to keys of its own prefix)
REDIS_URL = os.environ.get("RADIANT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def redis_url(db: int) -> str:
    """The test Redis server's database ``db`` (for a test that needs the default key
    prefix to itself)."""
    base, _, _ = REDIS_URL.rpartition("/")
    return f"{base}/{db}"


def redis_client(url: str = REDIS_URL) -> redis.Redis:
    return redis.Redis.from_url(url)
