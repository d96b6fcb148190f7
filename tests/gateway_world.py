"""A registry, a tenant with a key, fake upstreams and the API with its gateway, served
on 127.0.0.1: what the gateway tests point the ``openai`` client at."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openai
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from conftest import migrate, postgres_copy
from gateway_fakes import FakeUpstream, write_catalog
from local_server import serve_app
from radiant.api.app import create_app
from radiant.catalog import load_catalog
from radiant.gateway.limits import LocalRateLimiter
from radiant.gateway.metering import Meter
from radiant.gateway.retry import RetryPolicy
from radiant.gateway.service import Gateway
from radiant.health import HealthMonitor
from radiant.health.breaker import BreakerPolicy
from radiant.health.monitor import open_health_store
from radiant.registry.service import Registry
from radiant.security import ROLE_PERMISSIONS, Principal, PrincipalKind, Role
from radiant.store.billing_tables import UsageEventRow
from radiant.store.engine import make_engine
from radiant.sync.catalog_sync import sync_catalog
from radiant.tenants import Tenants

__all__ = [
    "ADMIN",
    "Backend",
    "Template",
    "World",
    "add_tenant",
    "make_backends",
    "make_template",
    "open_backend_world",
    "open_world",
]

ADMIN = Principal(
    PrincipalKind.ADMIN,
    subject_id="test-admin",
    name="admin@example.test",
    role=Role.SUPER_ADMIN,
    permissions=ROLE_PERMISSIONS[Role.SUPER_ADMIN],
)
GRANTED = ("chat-small", "chat-big", "embed", "paint", "voice", "ears")


@dataclass
class Template:
    """A migrated SQLite database with the catalog, a tenant and its keys, to copy."""

    path: Path
    key: str
    #: a key limited to 2 requests a minute
    slow_key: str


def make_template(directory: Path, urls: dict[str, str], db_url: str | None = None) -> Template:
    url = db_url or f"sqlite:///{directory / 'template.db'}"
    migrate(url)
    engine = make_engine(url)
    try:
        sync_catalog(engine, load_catalog(write_catalog(directory / "catalog", urls)))
        tenants = Tenants.open(Registry(engine))
        tenants.tenants.create(ADMIN, name="Globex", slug="globex", tier=2)
        others = [f"chat-{p}" for p in urls if p not in ("a", "b")]
        for model in (*GRANTED, *others):
            tenants.access.grant(ADMIN, "globex", model)
        key = tenants.keys.issue(ADMIN, "globex", name="app").secret
        slow = tenants.keys.issue(ADMIN, "globex", name="slow", rate_limit_rpm=2).secret
    finally:
        engine.dispose()
    return Template(directory / "template.db", key, slow)


def add_tenant(db_url: str, slug: str, *, tier: int = 2, rpm: int | None = None) -> str:
    """Another tenant of a template's database, granted the usual models; its key."""
    engine = make_engine(db_url)
    try:
        tenants = Tenants.open(Registry(engine))
        tenants.tenants.create(ADMIN, name=slug.title(), slug=slug, tier=tier)
        for model in GRANTED:
            tenants.access.grant(ADMIN, slug, model)
        return tenants.keys.issue(ADMIN, slug, name="app", rate_limit_rpm=rpm).secret
    finally:
        engine.dispose()


@dataclass
class World:
    url: str
    engine: Engine
    registry: Registry
    gateway: Gateway
    health: HealthMonitor
    meter: Meter
    key: str
    slow_key: str
    upstreams: dict[str, FakeUpstream] = field(default_factory=dict)
    #: openai clients made for this world, closed with it
    clients: list[openai.OpenAI] = field(default_factory=list)

    def client(self, key: str | None = None) -> openai.OpenAI:
        """The official client pointed at the gateway (no retries of its own)."""
        made = openai.OpenAI(base_url=self.base, api_key=key or self.key, max_retries=0)
        self.clients.append(made)
        return made

    @property
    def base(self) -> str:
        return f"{self.url}/v1"

    def events(self) -> list[UsageEventRow]:
        """Every usage event, once the meter has written what it holds."""
        self.meter.flush()
        with Session(self.engine) as session:
            rows = session.execute(select(UsageEventRow).order_by(UsageEventRow.created_at))
            return list(rows.scalars())


@contextmanager
def open_world(
    template: Template,
    directory: Path,
    upstreams: dict[str, FakeUpstream],
    *,
    breaker: BreakerPolicy | None = None,
    engine: Engine | None = None,
    **gateway: Any,
) -> Iterator[World]:
    with ExitStack() as stack:
        if engine is None:
            db = directory / "radiant.db"
            shutil.copyfile(template.path, db)
            engine = make_engine(f"sqlite:///{db}")
            stack.callback(engine.dispose)
        registry = Registry(engine)
        health = HealthMonitor(
            open_health_store(engine),
            breaker=breaker or BreakerPolicy(allowed_fails=3, window=60, cooldown=60),
            refresh_interval=0.0,
        )
        meter = Meter(engine, directory / "spool")
        gw = Gateway(
            registry,
            meter=meter,
            limiter=gateway.pop("limiter", None) or LocalRateLimiter(),
            health=health,
            retry=gateway.pop(
                "retry", RetryPolicy(attempts_per_route=2, initial_backoff=0.01, max_backoff=0.02)
            ),
            **gateway,
        )
        # the tests read x-radiant-route (off by default: it names our routes)
        app = create_app(registry, health=health, gateway=gw, expose_route=True)
        url = stack.enter_context(serve_app(app))
        world = World(
            url, engine, registry, gw, health, meter, template.key, template.slow_key, upstreams
        )
        try:
            yield world
        finally:
            for made in world.clients:
                made.close()


@dataclass
class Backend:
    """A template on one backend, for tests that run on SQLite and on PostgreSQL."""

    template: Template
    #: the template database (PostgreSQL: copied for each test)
    url: str
    #: the key of a second tenant, ``initech``
    other_key: str


def make_backends(
    directory: Path, upstreams: dict[str, FakeUpstream], postgres_url: str
) -> dict[str, Backend]:
    """A template on SQLite and one on the (empty) PostgreSQL database ``postgres_url``."""
    urls = {name: fake.url for name, fake in upstreams.items()}  # type: ignore[attr-defined]
    sqlite = make_template(directory, urls)
    sqlite_url = f"sqlite:///{sqlite.path}"
    pg = make_template(directory / "pg", urls, db_url=postgres_url)
    return {
        "sqlite": Backend(sqlite, sqlite_url, add_tenant(sqlite_url, "initech")),
        "postgres": Backend(pg, postgres_url, add_tenant(postgres_url, "initech")),
    }


@contextmanager
def open_backend_world(
    backend: Backend, directory: Path, upstreams: dict[str, FakeUpstream], **gateway: Any
) -> Iterator[World]:
    """A world on a copy of ``backend``'s template (a file copy, or a PostgreSQL copy)."""
    for fake in upstreams.values():
        fake.heal()
        fake.calls.clear()
    if backend.url.startswith("sqlite"):
        with open_world(backend.template, directory, upstreams, **gateway) as world:
            yield world
        return
    with postgres_copy(backend.url) as url:
        engine = make_engine(url)
        try:
            with open_world(
                backend.template, directory, upstreams, engine=engine, **gateway
            ) as world:
                yield world
        finally:
            engine.dispose()
