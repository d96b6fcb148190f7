"""Snapshot lookups and filters, and rebuilds when another writer bumps the version."""

from __future__ import annotations

import sys
import threading
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from conftest import migrate
from manage_helpers import ctx, seed
from radiant.catalog import load_catalog
from radiant.domain import HostingType, Task
from radiant.errors import ModelNotFoundError, NotFoundError
from radiant.manage.registry_writes import RegistryWriter
from radiant.registry import ModelQuery, Snapshot
from radiant.registry.service import Registry, build_snapshot
from radiant.selection.rule_admin import RoutingRules
from radiant.store import repository
from radiant.store.engine import make_engine
from radiant.store.mapping import row_to_model, row_to_route
from radiant.store.tables import ModelAliasRow, ModelRow, RouteRow, SelfHostedModelRow
from radiant.sync import sync_catalog


@pytest.fixture(scope="module")
def builtin() -> Snapshot:
    c = load_catalog()
    return Snapshot.build(
        1, c.platforms.values(), c.providers.values(), c.models.values(), c.routes.values()
    )


def ids(snapshot: Snapshot, **filters: object) -> list[str]:
    page = snapshot.list(ModelQuery.model_validate({"limit": 1000, **filters}))
    assert page.count == len(page.data)
    return [e.id for e in page.data]


def test_resolve_every_kind_of_name(builtin: Snapshot) -> None:
    assert builtin.resolve("openai-gpt-4o").id == "openai-gpt-4o"
    assert builtin.resolve("gpt-4o").id == "openai-gpt-4o"
    assert builtin.resolve("GPT-4O").id == "openai-gpt-4o"  # case-insensitive
    assert (
        builtin.resolve("anthropic/claude-sonnet-4-5-20250929").id == "anthropic-claude-sonnet-4-5"
    )
    assert builtin.resolve("anthropic:claude-sonnet-4.5").id == "anthropic-claude-sonnet-4-5"
    assert builtin.resolve("openai/gpt-4o").id == "openai-gpt-4o"  # provider-qualified
    # a dated id resolves through its undated name, and the other way round
    assert builtin.resolve("claude-sonnet-4-5").id == "anthropic-claude-sonnet-4-5"
    assert builtin.resolve("gpt-4o-2099-01-01").id == "openai-gpt-4o"


def test_unknown_name_suggests(builtin: Snapshot) -> None:
    with pytest.raises(ModelNotFoundError) as info:
        builtin.resolve("gpt-4-o")
    assert "openai-gpt-4o" in info.value.suggestions
    assert "did you mean" in str(info.value)
    with pytest.raises(NotFoundError):
        builtin.provider("nobody")


def test_filters(builtin: Snapshot) -> None:
    vision = ids(builtin, capabilities=["vision", "function_calling"])
    assert "openai-gpt-4o" in vision
    assert "openai-gpt-5-nano" not in vision  # has no vision
    for model_id in vision:
        caps = builtin.resolve(model_id).model.capabilities
        assert "vision" in caps and "function_calling" in caps

    without = ids(builtin, provider=["openai"], exclude_capabilities=["vision"])
    assert "openai-gpt-5-nano" in without and "openai-gpt-4o" not in without

    # a parent provider matches its catalog children (openai-images, openai-audio, ...)
    openai_family = ids(builtin, provider=["openai"])
    assert "openai-dall-e-3" in openai_family and "openai-whisper-1" in openai_family

    big = ids(builtin, min_context_window=1_000_000)
    assert big and all((builtin.resolve(i).model.context_window or 0) >= 1_000_000 for i in big)

    cheap = ids(builtin, task=["chat"], max_input_price="0.2")
    assert cheap
    for model_id in cheap:
        entry = builtin.resolve(model_id)
        assert entry.task is Task.CHAT
        assert entry.input_price is not None and entry.input_price <= Decimal("0.2")

    self_hosted = ids(builtin, hosting_type="self_hosted")
    assert len(self_hosted) == 56
    assert "llama-3.3-70b" in self_hosted and "llama-3.3-70b" in ids(builtin, platform=["together"])

    tier3 = set(ids(builtin, tier=3, hosting_type="self_hosted"))
    assert "efficientnet-b0" in tier3 and "alphafold2" not in tier3  # alphafold2 needs tier 4

    assert ids(builtin, q="protein") and all(
        "protein" in builtin.resolve(i).search_text for i in ids(builtin, q="protein")
    )
    assert set(ids(builtin, input_modalities=["audio"], output_modalities=["text"])) >= {
        "openai-whisper-1",
        "whisper-large-v3",
    }
    assert "openai-gpt-4o" in ids(builtin, status=["active"], category=["text_generation"])
    # an older name of a category filters as the one it stands for
    assert ids(builtin, category=["llm"]) == ids(builtin, category=["text_generation"])
    assert ids(builtin, category=["embeddings"]) == ids(builtin, category=["embedding"])


def test_pagination_and_sorting(builtin: Snapshot) -> None:
    first = builtin.list(ModelQuery(limit=10))
    second = builtin.list(ModelQuery(limit=10, offset=10))
    assert first.count == second.count == builtin.size
    assert [e.id for e in first.data + second.data] == sorted(e.id for e in builtin.entries)[:20]
    by_price = builtin.list(ModelQuery(task=[Task.CHAT], sort="input_price", limit=5)).data
    prices = [e.input_price for e in by_price]
    assert prices == sorted(p for p in prices if p is not None)
    ranked = builtin.list(ModelQuery(provider=["anthropic"], optional_capabilities=["citations"]))
    assert ranked.data[0].id == "anthropic-claude-sonnet-4-5"  # the only one citing


def test_matrix_stats_and_hosting(builtin: Snapshot) -> None:
    matrix = builtin.capability_matrix()
    assert "openai-gpt-4o" in matrix["vision"]
    stats = builtin.stats()
    assert stats["models"] == builtin.size
    hosting = stats["by_hosting_type"]  # one kind a model: the counts add up
    assert sum(hosting.values()) == stats["models"]
    assert hosting["self_hosted"] + hosting["hybrid"] == 56  # one has both kinds
    assert builtin.resolve("llama-3.3-70b").hosting_type == "hybrid"
    assert builtin.resolve("llama-3.3-70b").hosting_types == {
        HostingType.EXTERNAL,
        HostingType.SELF_HOSTED,
    }


def test_another_process_write_is_seen(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    migrate(url)
    writer_engine, reader_engine = make_engine(url), make_engine(url)
    small = Path(__file__).parent / "fixtures" / "catalog_small"
    sync_catalog(writer_engine, load_catalog(small))
    reader = Registry(reader_engine, check_interval=0)
    assert reader.snapshot().version == 1
    with pytest.raises(ModelNotFoundError):
        reader.get_model("gpt-4o")
    sync_catalog(writer_engine, load_catalog())  # another process writes
    assert reader.get_model("gpt-4o").id == "openai-gpt-4o"
    assert reader.snapshot().version == 2
    writer_engine.dispose()
    reader_engine.dispose()


def test_background_refresh_serves_the_old_snapshot_until_the_new_one_is_prepared(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """As ``radiant serve`` runs it: no reader waits for a rebuild, the prepare hooks run
    before a snapshot is served, and a write of this process waits for its own snapshot."""
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    migrate(url)
    writer_engine, reader_engine = make_engine(url), make_engine(url)
    small = Path(__file__).parent / "fixtures" / "catalog_small"
    sync_catalog(writer_engine, load_catalog(small))
    reader = Registry(reader_engine, check_interval=0, background=True)
    building, release = threading.Event(), threading.Event()
    prepared: list[tuple[int, int | None]] = []  # (version prepared, version then served)

    switch_intervals: dict[int, float] = {}
    default_interval = sys.getswitchinterval()

    def hold_version_2(snapshot: Snapshot) -> None:
        served = reader.served
        prepared.append((snapshot.version, served.version if served else None))
        switch_intervals[snapshot.version] = sys.getswitchinterval()
        if snapshot.version == 2:
            building.set()
            assert release.wait(10)
        if snapshot.version == 4:
            raise RuntimeError("prepare failed")

    reader.prepare(hold_version_2)
    reader.prepare(hold_version_2)  # registered once
    try:
        assert reader.snapshot().version == 1
        sync_catalog(writer_engine, load_catalog())  # another process writes: version 2
        assert reader.snapshot().version == 1  # noticed; built on the refresher thread
        assert building.wait(10)
        assert reader.snapshot().version == 1  # a reader while it builds is not held up
        with pytest.raises(ModelNotFoundError):
            reader.get_model("gpt-4o")
        release.set()
        reader.wait_for_refresh(10)
        assert reader.get_model("gpt-4o").id == "openai-gpt-4o"
        assert prepared == [(1, None), (2, 1)]  # version 2 was prepared while 1 was served
        # built beside the readers, the refresher hands the interpreter over within 0.5 ms
        # (readers served meanwhile are not held 5 ms at every socket read); then as it was
        assert switch_intervals[1] == default_interval
        assert switch_intervals[2] <= 0.0005 < default_interval
        assert sys.getswitchinterval() == default_interval

        sync_catalog(writer_engine, load_catalog(small))  # version 3, as a write of ours
        reader.invalidate(3)  # returns once the snapshot shows it, no waiting by the caller
        assert reader.served is not None and reader.served.version == 3

        sync_catalog(writer_engine, load_catalog())  # version 4: its preparation fails
        assert reader.snapshot().version == 3
        reader.wait_for_refresh(10)
        assert reader.served is not None and reader.served.version == 3
        assert "snapshot rebuild failed; serving version 3" in caplog.text
    finally:
        release.set()
        reader.wait_for_refresh(10)
        writer_engine.dispose()
        reader_engine.dispose()


def test_store_errors_are_clear(tmp_path: Path) -> None:
    from radiant.errors import StoreError

    engine = make_engine(f"sqlite:///{tmp_path / 'blank.db'}")
    with pytest.raises(StoreError, match="radiant db upgrade"):
        Registry(engine).snapshot()
    engine.dispose()


def test_snapshot_on_postgres(postgres_db: str) -> None:
    migrate(postgres_db)
    engine: Engine = make_engine(postgres_db)
    sync_catalog(engine, load_catalog())
    snapshot = Registry(engine).snapshot()
    entry = snapshot.resolve("claude-3.5-haiku")
    assert entry.id == "anthropic-claude-haiku-35"
    direct = next(r for r in entry.routes if r.platform_id == "direct")
    assert direct.price is not None and direct.price.input_per_1m == Decimal("0.8")
    engine.dispose()


def test_postgres_notify_refreshes_a_quiet_reader(postgres_db: str) -> None:
    """A reader that would not check the version for an hour still sees a write at once."""
    migrate(postgres_db)
    writer, reader_engine = make_engine(postgres_db), make_engine(postgres_db)
    small = Path(__file__).parent / "fixtures" / "catalog_small"
    sync_catalog(writer, load_catalog(small))
    reader = Registry(reader_engine, check_interval=3600)
    assert reader.snapshot().version == 1
    reader.start_listening()
    try:
        sync_catalog(writer, load_catalog())
        deadline = time.monotonic() + 1.0
        while reader.snapshot().version != 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert reader.snapshot().version == 2
        assert reader.get_model("gpt-4o").id == "openai-gpt-4o"
    finally:
        reader.stop_listening()
        writer.dispose()
        reader_engine.dispose()


def test_descending_keeps_missing_values_last(builtin: Snapshot) -> None:
    page = builtin.list(ModelQuery(sort="input_price", descending=True, limit=1000))
    prices = [e.input_price for e in page.data]
    known = [p for p in prices if p is not None]
    assert known == sorted(known, reverse=True)
    assert prices[: len(known)] == known  # every model without a token price comes after
    top = builtin.list(ModelQuery(sort="input_price", descending=True, limit=1)).data[0]
    # the catalog: ElevenLabs Multilingual V2 at $0.18 per 1K characters is the dearest per 1M
    assert top.id == "elevenlabs-multilingual-v2" and top.input_price == max(known) == 180


def test_an_empty_registry_answers_every_filter(migrated: Engine) -> None:
    snapshot = Registry(migrated).snapshot()
    page = snapshot.list(
        ModelQuery(
            capabilities=["vision"],
            exclude_capabilities=["audio"],
            input_modalities=["text"],
            output_modalities=["image"],
            provider=["openai"],
            platform=["direct"],
            hosting_type=HostingType.EXTERNAL,
            category=["chat"],
        )
    )
    assert page.count == 0 and list(page.data) == []


def test_a_selector_prepares_every_new_snapshot_before_it_is_served(tmp_path: Path) -> None:
    """The selection index comes with the snapshot: no request builds it on first use."""
    from radiant.selection import SelectionCriteria
    from radiant.selection.service import Selector

    url = f"sqlite:///{tmp_path / 'prepared.db'}"
    migrate(url)
    engine = make_engine(url)
    try:
        sync_catalog(engine, load_catalog(Path(__file__).parent / "fixtures" / "catalog_small"))
        registry = Registry(engine, check_interval=0)
        selector = Selector(registry)
        first = registry.snapshot()
        assert "selection.index" in first.derived
        sync_catalog(engine, load_catalog())
        second = registry.snapshot()
        assert second.version == 2 and "selection.index" in second.derived
        index = second.derived["selection.index"]
        assert index.snapshot is second and index is not first.derived["selection.index"]
        selector.select(SelectionCriteria(task=Task.CHAT, tier=5))
        assert second.derived["selection.index"] is index  # selection used the prepared one
    finally:
        engine.dispose()


def test_a_rebuild_reads_only_the_models_a_write_changed(migrated: Engine) -> None:
    """Each write records which models it changed; a server's next snapshot re-reads
    those and keeps the rest as they were, and ends equal to a build from scratch."""
    seed(migrated, Path(__file__).parent / "fixtures" / "catalog_small")
    registry = Registry(migrated, check_interval=0)
    writer = RegistryWriter(migrated, registry)
    first = registry.snapshot()
    models = {e.id: e.model for e in first.entries}

    def same_objects(snapshot: Snapshot, changed: set[str]) -> set[str]:
        """The models the snapshot holds as the same objects as ``first``."""
        held = {e.id for e in snapshot.entries if e.model is models.get(e.id)}
        assert not held & changed
        return held

    route = first.resolve("acme-large").routes[0]
    version = writer.get("route", route.id).row_version
    writer.set_price("route", route.id, {"input_per_1m": "3.33"}, version, ctx())
    second = registry.snapshot()
    large = second.resolve("acme-large")
    price = {r.id: r.price for r in large.routes}[route.id]
    assert price is not None and price.input_per_1m == Decimal("3.33")
    assert same_objects(second, {"acme-large"}) == set(models) - {"acme-large"}

    # a routing rule is no model's row: every model is kept
    RoutingRules(registry).create(ctx(), {"action": "rate_limit", "name": "r", "rate_limit_rpm": 5})
    third = registry.snapshot()
    assert third.version == second.version + 1
    assert all(e.model is second.resolve(e.id).model for e in third.entries)

    # a new model with a route, another model edited: both read, the rest kept
    writer.create(
        "model",
        {
            "id": "acme-new",
            "provider_id": "acme",
            "name": "acme-new",
            "display_name": "Acme New",
            "category": "text_generation",
            "capabilities": ["chat"],
        },
        ctx(),
    )
    writer.create(
        "route",
        {
            "model_id": "acme-new",
            "platform_id": "hostco",
            "model_string": "acme/new",
            "price": {"pricing_type": "per_token", "input_per_1m": "1", "output_per_1m": "2"},
        },
        ctx(),
    )
    small = writer.get("model", "acme-small")
    writer.update("model", "acme-small", {"description": "edited"}, small.row_version, ctx())
    fourth = registry.snapshot()
    assert fourth.resolve("acme-new").routes[0].model_string == "acme/new"
    assert fourth.resolve("acme-small").model.description == "edited"
    assert same_objects(fourth, {"acme-large", "acme-small"}) == set(models) - {
        "acme-large",
        "acme-small",
    }
    scratch = build_snapshot(migrated)
    assert [(e.model, e.routes) for e in fourth.entries] == [
        (e.model, e.routes) for e in scratch.entries
    ]

    # a version moved without saying what changed (an older release, a script): all read
    with migrated.begin() as conn:
        conn.execute(text("UPDATE registry_state SET version = version + 1"))
    fifth = registry.snapshot()
    assert fifth.version == fourth.version + 1
    assert not [e for e in fifth.entries if e.model is fourth.resolve(e.id).model]


def test_every_price_sheet_reads_as_its_history_row_on_each_backend(migrated: Engine) -> None:
    """The snapshot reads current prices its own way (on SQLite a row's figures come as
    one JSON array); each sheet equals the one the price history reads through the ORM,
    text with quotes and non-ASCII letters, flags and timestamps included."""
    sync_catalog(migrated, load_catalog(), source="test")
    model_id = build_snapshot(migrated).resolve("gpt-4o").id
    with migrated.begin() as conn:
        conn.execute(
            text(
                "UPDATE price_history SET notes = :notes, is_estimated = :flag,"
                " last_verified_at = effective_from, long_context_threshold = 200000,"
                " long_context_input_per_1m = '6.000001' WHERE effective_to IS NULL"
                " AND route_id IN (SELECT id FROM routes WHERE model_id = :model)"
            ),
            {"model": model_id, "notes": 'say "hi" \\ über 50%, [0] {x}\nnext', "flag": True},
        )
    snapshot = build_snapshot(migrated)
    routes = [r for e in snapshot.entries for r in e.routes if r.price is not None]
    assert len(routes) > 100
    for route in routes:
        assert route.price == repository.price_history(migrated, route.id)[-1], route.id
    edited = snapshot.resolve("gpt-4o").routes[0].price
    assert edited is not None and edited.is_estimated
    assert edited.notes == 'say "hi" \\ über 50%, [0] {x}\nnext'
    assert edited.long_context_input_per_1m == Decimal("6.000001")
    assert edited.last_verified_at is not None and edited.last_verified_at.tzinfo is not None


def test_every_model_and_route_reads_as_its_orm_row_on_each_backend(migrated: Engine) -> None:
    """The snapshot reads models and routes its own way (on SQLite a row comes as one JSON
    array); each equals what its row reads as through the ORM, down to the type of every
    value: free-form metadata with decimals and nested objects, a float score, dates,
    text with quotes and non-ASCII letters, self-hosted deployments."""
    sync_catalog(migrated, load_catalog(), source="test")
    model_id = build_snapshot(migrated).resolve("gpt-4o").id
    with Session(migrated) as session, session.begin():
        row = session.get(ModelRow, model_id)
        assert row is not None
        row.description = 'say "hi" \\ über 50%, [0] {x}\nnext'
        row.quality_score = 87.25
        row.knowledge_cutoff = date(2024, 6, 1)
        row.meta = {"ratio": Decimal("0.125"), "nested": {"list": [1, 2.5, "x"]}, "n": None}
        routes = session.execute(select(RouteRow).where(RouteRow.model_id == model_id)).scalars()
        first = next(iter(routes))
        first.meta = {"weight": Decimal("1.5"), "ok": True}
    snapshot = build_snapshot(migrated)
    with Session(migrated) as session:
        aliases: dict[str, list[str]] = {}
        for alias in session.execute(select(ModelAliasRow)).scalars():
            aliases.setdefault(alias.model_id, []).append(alias.alias)
        hosted = {r.model_id: r for r in session.execute(select(SelfHostedModelRow)).scalars()}
        for entry in snapshot.entries:
            row = session.get(ModelRow, entry.id)
            assert row is not None
            expected = row_to_model(row, sorted(aliases.get(entry.id, [])), hosted.get(entry.id))
            assert repr(entry.model.model_dump()) == repr(expected.model_dump()), entry.id
            for route in entry.routes:
                route_row = session.get(RouteRow, route.id)
                assert route_row is not None
                price = route.price
                want = row_to_route(route_row, price, hosted.get(entry.id))
                assert repr(route.model_dump()) == repr(want.model_dump()), route.id
    edited = snapshot.resolve("gpt-4o").model
    assert edited.metadata["ratio"] == Decimal("0.125") and edited.quality_score == 87.25
    assert isinstance(edited.quality_score, float) and edited.knowledge_cutoff == date(2024, 6, 1)
    assert edited.metadata["nested"] == {"list": [1, Decimal("2.5"), "x"]}
