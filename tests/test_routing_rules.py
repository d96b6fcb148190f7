"""Routing rules without a database: the domain's validation and :func:`apply_rules`."""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from radiant.domain import Task
from radiant.domain.routing_rule import RoutingRule, RuleAction, RuleConditions
from radiant.selection.rule_matching import (
    RuleRequest,
    apply_rules,
    check_rules,
    mismatch,
    rule_order,
)


def rule(rule_id: str, action: str = "block", **fields: Any) -> RoutingRule:
    defaults: dict[str, dict[str, Any]] = {
        "route": {"target_model": "gpt-4o-mini"},
        "fallback": {"fallback_models": ["claude-3-5-haiku"]},
        "rate_limit": {"rate_limit_rpm": 60},
    }
    targets = defaults.get(action, {})
    return RoutingRule(id=rule_id, name=rule_id, action=action, **{**targets, **fields})


GPT4O = RuleRequest(
    tenant_id="t1",
    tenant_tier=3,
    model_names=("gpt-4o", "GPT-4o-2024-08-06", "openai/gpt-4o"),
    provider_id="openai",
    task=Task.CHAT,
    capabilities=frozenset({"vision", "function_calling"}),
    estimated_tokens=1_500,
)


# ---------------------------------------------------------------------------- the domain


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"action": "route"}, "needs target_model or target_provider"),
        ({"action": "block", "target_model": "x"}, "takes no target"),
        ({"action": "block", "fallback_models": ["x"]}, "takes no fallback_models"),
        ({"action": "fallback"}, "needs fallback_models"),
        ({"action": "fallback", "fallback_models": ["a"], "target_provider": "p"}, "no target"),
        ({"action": "rate_limit"}, "needs rate_limit_rpm or rate_limit_tpm"),
        ({"action": "route", "target_model": "a", "rate_limit_rpm": 5}, "takes no rate limits"),
        ({"action": "route", "target_model": "a", "fallback_models": ["a"]}, "also among"),
        ({"action": "rate_limit", "rate_limit_tpm": 0}, "greater than or equal to 1"),
        ({"action": "block", "priority": -1}, "greater than or equal to 0"),
        ({"action": "block", "conditions": {"min_tier": 5, "max_tier": 1}}, "min_tier"),
        ({"action": "block", "conditions": {"tenant_tiers": [0]}}, "tiers are 1 to 5"),
        ({"action": "block", "conditions": {"models": [" "]}}, "1 to 200 characters"),
        (
            {
                "action": "block",
                "conditions": {"min_estimated_tokens": 9, "max_estimated_tokens": 1},
            },
            "min_estimated_tokens",
        ),
        ({"action": "block", "conditions": {"size": 1}}, "Extra inputs are not permitted"),
        ({"action": "route", "target_model": "Not An Id"}, "lower-case"),
    ],
)
def test_invalid_rules_are_refused(fields: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        RoutingRule(id="r", name="r", **fields)


def test_valid_rules_and_their_normal_form() -> None:
    r = rule(
        "r",
        "route",
        target_provider="anthropic",
        target_model=None,
        fallback_models=["a", "b", "a"],
        conditions={"tenant_tiers": [3, 1, 3], "tasks": ["chat"], "models": ["gpt-*", "gpt-*"]},
    )
    assert r.fallback_models == ["a", "b"] and r.scope == "global"
    assert r.conditions.tenant_tiers == [1, 3] and r.conditions.models == ["gpt-*"]
    assert r.conditions.tasks == [Task.CHAT] and not r.conditions.is_empty
    assert RuleConditions().is_empty
    assert rule("t", tenant_id="t1").scope == "tenant"


# ---------------------------------------------------------------------------- conditions


@pytest.mark.parametrize(
    ("conditions", "matches"),
    [
        ({}, True),
        ({"models": ["gpt-4o"]}, True),
        ({"models": ["gpt-4o-2024-*"]}, True),  # an alias, case-insensitively
        ({"models": ["OPENAI/*"]}, True),
        ({"models": ["gpt-4o-mini", "claude-*"]}, False),
        ({"models": ["gpt-?o"]}, True),
        ({"providers": ["open*"]}, True),
        ({"providers": ["anthropic"]}, False),
        ({"tenant_tiers": [1, 3]}, True),
        ({"tenant_tiers": [4, 5]}, False),
        ({"min_tier": 3, "max_tier": 3}, True),
        ({"min_tier": 4}, False),
        ({"max_tier": 2}, False),
        ({"capabilities": ["vision"]}, True),
        ({"capabilities": ["vision", "audio"]}, False),
        ({"tasks": ["chat", "completion"]}, True),
        ({"tasks": ["embedding"]}, False),
        ({"min_estimated_tokens": 1_500, "max_estimated_tokens": 1_500}, True),
        ({"min_estimated_tokens": 1_501}, False),
        ({"max_estimated_tokens": 1_000}, False),
        ({"models": ["gpt-*"], "tenant_tiers": [3], "tasks": ["chat"]}, True),
        ({"models": ["gpt-*"], "tenant_tiers": [3], "tasks": ["image"]}, False),
    ],
)
def test_conditions(conditions: dict[str, Any], matches: bool) -> None:
    verdict = mismatch(rule("r", conditions=conditions), GPT4O)
    assert (verdict is None) is matches, verdict


def test_a_request_without_the_facts_a_condition_needs_never_matches_it() -> None:
    bare = RuleRequest(tenant_id="t1")
    assert mismatch(rule("r", conditions={"models": ["*"]}), bare) is not None
    assert mismatch(rule("r", conditions={"providers": ["*"]}), bare) is not None
    assert mismatch(rule("r", conditions={"min_tier": 1}), bare) == "the request has no tenant tier"
    why = mismatch(rule("r", conditions={"max_estimated_tokens": 10}), bare)
    assert why == "the request has no token estimate"
    assert mismatch(rule("r"), bare) is None


# ---------------------------------------------------------------------------- combining


def test_first_route_or_block_decides_fallbacks_and_limits_accumulate() -> None:
    rules = [
        rule("late-block", "block", priority=90),
        rule("route", "route", priority=20, fallback_models=["llama-3"]),
        rule("fb1", "fallback", priority=10, fallback_models=["gpt-4o-mini", "mistral"]),
        rule("fb2", "fallback", priority=30, fallback_models=["mistral", "claude"]),
        rule("rl1", "rate_limit", priority=40, rate_limit_rpm=100, rate_limit_tpm=5_000),
        rule("rl2", "rate_limit", priority=50, rate_limit_rpm=20),
        rule("other-tenant", "block", priority=0, tenant_id="t2"),
        rule("disabled", "block", priority=0, enabled=False),
    ]
    decision = apply_rules(rules, GPT4O)
    assert not decision.blocked and decision.rule_id == "route"
    assert decision.target_model == "gpt-4o-mini"
    # the target itself is never its own fallback; each model once, in rule order
    assert decision.fallback_models == ("mistral", "llama-3", "claude")
    assert (decision.rpm, decision.tpm) == (20, 5_000)
    assert decision.matched == ("fb1", "route", "fb2", "rl1", "rl2", "late-block")
    checks = {c.rule.id: c for c in check_rules(rules, GPT4O)}
    assert checks["late-block"].matched and not checks["late-block"].applied
    assert checks["other-tenant"].reason == "another tenant's rule"
    assert checks["disabled"].reason == "disabled"


def test_a_block_refuses_and_nothing_else_applies() -> None:
    rules = [
        rule("fb", "fallback", priority=1),
        rule("no-gpt", "block", priority=5, conditions={"models": ["gpt-*"]}, description="why"),
        rule("route", "route", priority=9),
        rule("rl", "rate_limit", priority=10),
    ]
    decision = apply_rules(rules, GPT4O)
    assert decision.blocked and decision.rule_id == "no-gpt" and decision.reason == "why"
    assert decision.target_model is None and decision.fallback_models == ()
    assert decision.rate_limits == ()
    assert decision.matched == ("fb", "no-gpt", "route", "rl")
    named = apply_rules([rule("b", "block")], GPT4O)
    assert named.reason == "blocked by routing rule 'b'"


def test_ties_the_tenant_rule_first_then_name() -> None:
    rules = [
        rule("g", "route", priority=5, target_model="global-target"),
        rule("t", "route", priority=5, target_model="tenant-target", tenant_id="t1"),
    ]
    assert apply_rules(rules, GPT4O).target_model == "tenant-target"
    assert apply_rules(rules, RuleRequest(tenant_id="t2")).target_model == "global-target"
    assert [r.id for r in sorted(rules, key=rule_order)] == ["t", "g"]


ACTIONS = st.sampled_from(list(RuleAction))


@st.composite
def rules_strategy(draw: st.DrawFn) -> list[RoutingRule]:
    count = draw(st.integers(0, 12))
    made = []
    for i in range(count):
        action = draw(ACTIONS).value
        fields: dict[str, Any] = {
            "priority": draw(st.integers(0, 5)),
            "tenant_id": draw(st.sampled_from([None, "t1", "t2"])),
            "enabled": draw(st.booleans()),
            "conditions": draw(
                st.sampled_from(
                    [
                        {},
                        {"models": ["gpt-*"]},
                        {"models": ["claude-*"]},
                        {"min_tier": 4},
                        {"tasks": ["chat"]},
                        {"capabilities": ["vision"]},
                    ]
                )
            ),
        }
        if action == "route":
            fields["target_model"] = draw(st.sampled_from(["m1", "m2"]))
            fields["fallback_models"] = draw(st.sampled_from([[], ["m3"]]))
        elif action == "fallback":
            fields["fallback_models"] = draw(st.sampled_from([["m3"], ["m1", "m4"]]))
        elif action == "rate_limit":
            fields["rate_limit_rpm"] = draw(st.integers(1, 100))
        made.append(rule(f"r{i}", action, **fields))
    return made


@settings(max_examples=300, deadline=None)
@given(rules_strategy(), st.randoms(use_true_random=False))
def test_apply_rules_matches_a_plain_reading_of_the_rules(
    rules: list[RoutingRule], rnd: random.Random
) -> None:
    decision = apply_rules(rules, GPT4O)
    shuffled = list(rules)
    rnd.shuffle(shuffled)
    assert apply_rules(shuffled, GPT4O) == decision  # the input order never matters

    # a plain reading: the rules that count, sorted as documented, the first decisive wins
    counted = sorted(
        (
            r
            for r in rules
            if r.enabled and r.tenant_id in (None, "t1") and mismatch(r, GPT4O) is None
        ),
        key=lambda r: (r.priority, r.tenant_id is None, r.name),
    )
    assert decision.matched == tuple(r.id for r in counted)
    decisive = next((r for r in counted if r.action in ("route", "block")), None)
    assert decision.blocked == (decisive is not None and decisive.action == "block")
    assert decision.rule_id == (decisive.id if decisive else None)
    if decision.blocked:
        return
    target = decisive.target_model if decisive else None
    assert decision.target_model == target
    expected_fallbacks: list[str] = []
    for r in counted:
        if r.action == "fallback" or r is decisive:
            expected_fallbacks += [m for m in r.fallback_models if m not in expected_fallbacks]
    assert list(decision.fallback_models) == [m for m in expected_fallbacks if m != target]
    limits = [r.rate_limit_rpm for r in counted if r.action == "rate_limit"]
    assert decision.rpm == (min(x for x in limits if x is not None) if limits else None)
    # another tenant's rules never change anything
    assert apply_rules([r for r in rules if r.tenant_id != "t2"], GPT4O) == decision
