"""Routing rules applied to selection: pure steering on the built-in snapshot, then the
Selector over a real store on SQLite and PostgreSQL (rules written through the service,
read once per registry version)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event

from conftest import migrate
from radiant.catalog import load_catalog
from radiant.core.context import WriteContext
from radiant.domain import Task
from radiant.domain.routing_rule import RoutingRule
from radiant.registry.service import Registry
from radiant.security import ROLE_PERMISSIONS, Principal, PrincipalKind, Role
from radiant.selection import SelectionCriteria, select
from radiant.selection.fallback import FallbackPath
from radiant.selection.rule_admin import RoutingRules
from radiant.selection.rule_matching import RuleDecision
from radiant.selection.rule_steering import RoutingBlockedError, decide, reorder, steer
from radiant.selection.service import Selector
from radiant.store.engine import make_engine
from radiant.sync import sync_catalog
from radiant.tenants import Tenants
from selection_helpers import builtin_snapshot, every_route_callable

FIXTURES = Path(__file__).parent / "fixtures"
CHAT = SelectionCriteria(task=Task.CHAT, input_modalities=["text"], output_modalities=["text"])


# ---------------------------------------------------------------------------- pure


def test_target_model_first_and_fallbacks_after_the_first_choice() -> None:
    snapshot = builtin_snapshot()
    plain = [
        c.model_id for c in select(snapshot, CHAT.model_copy(update={"limit": 1000})).candidates
    ]
    target, fb1, fb2 = plain[7], plain[12], plain[3]
    decision = RuleDecision(
        rule_id="r", rule_name="steer", target_model=target, fallback_models=(fb1, "nope", fb2)
    )
    steered = steer(CHAT, decision)
    assert steered.limit == 1000  # wide enough to find models ranked below the limit
    found = reorder(select(snapshot, steered), decision, CHAT.limit)
    ids = [c.model_id for c in found.candidates]
    assert ids[:3] == [target, fb1, fb2] and len(ids) == CHAT.limit
    assert ids[3:] == [m for m in plain if m not in (target, fb1, fb2)][: CHAT.limit - 3]
    assert found.candidates[0].reasons == ("routing rule 'steer': target model",)
    assert found.candidates[1].reasons == (f"routing rule fallback model {fb1}",)

    # a target the criteria exclude is not forced in; the fallbacks follow the best
    embedding = next(e.id for e in snapshot.entries if e.task is Task.EMBEDDING)
    other = RuleDecision(rule_id="r", rule_name="x", target_model=embedding, fallback_models=(fb1,))
    ids = [c.model_id for c in reorder(select(snapshot, steer(CHAT, other)), other, 5).candidates]
    assert ids == [plain[0], fb1, *[m for m in plain[1:] if m != fb1][:3]]

    # nothing to move: the selection is returned as it is
    assert reorder(found, RuleDecision(), 3) is found


def test_route_to_a_provider_prefers_it() -> None:
    snapshot = builtin_snapshot()
    plain = select(snapshot, CHAT).candidates
    provider = plain[-1].entry.model.provider_id
    assert plain[0].entry.model.provider_id != provider
    decision = RuleDecision(rule_id="r", rule_name="p", target_provider=provider)
    steered = steer(CHAT, decision)
    assert steered.preferred_providers == [provider] and steered.limit == CHAT.limit
    assert select(snapshot, steered).candidates[0].entry.model.provider_id == provider


def test_a_block_is_a_403_naming_the_rule() -> None:
    snapshot = builtin_snapshot()
    rule = RoutingRule(
        id="b1",
        name="no gpt",
        action="block",
        description="GPT models are paused",
        conditions={"models": ["gpt-*"]},
    )
    with pytest.raises(RoutingBlockedError) as caught:
        decide((rule,), snapshot, CHAT, tenant_id=None, model="gpt-4o")
    assert caught.value.status == 403 and caught.value.rule_id == "b1"
    assert str(caught.value) == "blocked by routing rule 'no gpt' (b1): GPT models are paused"
    # a request by criteria names no model: model patterns do not match it
    assert not decide((rule,), snapshot, CHAT, tenant_id=None, model=None).blocked


# ---------------------------------------------------------------------------- the Selector


ADMIN = Principal(
    PrincipalKind.ADMIN,
    subject_id="a1",
    name="admin@example.test",
    role=Role.ADMIN,
    permissions=ROLE_PERMISSIONS[Role.ADMIN],
)


@pytest.fixture
def store(db_url: str) -> Iterator[Registry]:
    migrate(db_url)
    engine = make_engine(db_url, role="radiant_app")
    sync_catalog(engine, load_catalog(FIXTURES / "catalog_small"))
    # no adapter speaks the small catalog's made-up providers: for these tests of the
    # rules, every route counts as callable (tests/test_selection_callable.py checks that)
    yield Registry(engine, check_interval=0, route_check=lambda: every_route_callable)
    engine.dispose()


def _count_rule_reads(engine: Engine) -> list[str]:
    seen: list[str] = []

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "FROM routing_rules" in statement:
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    return seen


def test_selector_applies_rules_read_once_per_registry_version(store: Registry) -> None:
    ctx = WriteContext(ADMIN)
    rules = RoutingRules(store)
    acme = Tenants.open(store).tenants.create(ADMIN, name="Acme", slug="acme", tier=2)
    selector = Selector(store)
    reads = _count_rule_reads(store.engine)

    def best(**kw: Any) -> str:
        return selector.select(CHAT, **kw).candidates[0].model_id

    assert best() == "acme-small"  # the cheaper of the two chat models
    route = rules.create(
        ctx,
        {
            "name": "acme gets large",
            "action": "route",
            "tenant_id": "acme",
            "target_model": "acme/large",
        },
    )
    assert best(tenant_id=acme.id) == "acme-large"
    assert best(tenant_id="someone-else") == "acme-small" and best() == "acme-small"
    chosen = selector.select_with_fallback(CHAT, tenant_id=acme.id).outcome
    assert (chosen.choice.entry.id, chosen.path) == ("acme-large", FallbackPath.PRIMARY)

    block = rules.create(
        ctx,
        {
            "name": "no large",
            "action": "block",
            "priority": 1,
            "conditions": {"models": ["acme-l*"]},
            "description": "too dear",
        },
    )
    with pytest.raises(RoutingBlockedError, match="no large"):
        selector.select(CHAT, tenant_id=acme.id, model="acme-large-2025-01-01")
    with pytest.raises(RoutingBlockedError):
        selector.select_with_fallback(CHAT, model="acme/large")
    assert best(tenant_id=acme.id, model="acme-small") == "acme-large"  # the route rule

    rules.update(ctx, block.id, {"enabled": False}, block.row_version)
    assert best(tenant_id=acme.id, model="acme-large") == "acme-large"
    rules.delete(ctx, route.id, route.row_version)
    assert best(tenant_id=acme.id) == "acme-small"

    # one read of the rules per registry version, none per selection
    before = len(reads)
    for _ in range(25):
        best(tenant_id=acme.id, model="acme-large")
    assert len(reads) == before
    rules.create(ctx, {"name": "slow", "action": "rate_limit", "rate_limit_rpm": 5})
    written = len(reads)
    for _ in range(25):
        best(tenant_id=acme.id)
    assert len(reads) == written + 1
