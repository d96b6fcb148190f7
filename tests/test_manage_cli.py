"""The administration commands, run as a user would (in this process, as the `radiant`
script would run them: ``cli_in_process``)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from cli_in_process import run_radiant


def run(url: str, *args: str, token: str | None = None, code: int = 0) -> str:
    env = {**os.environ, "RADIANT_DATABASE_URL": url, "COLUMNS": "200"}
    env.pop("RADIANT_TOKEN", None)
    if token:
        env["RADIANT_TOKEN"] = token
    result = run_radiant(args, env=env)
    assert result.returncode == code, (args, result.stdout, result.stderr)
    return result.stdout + result.stderr


def _token(output: str) -> str:
    found = re.search(r"token: (rad_\S+)", output)
    assert found, output
    return found.group(1)


def test_an_administrator_runs_the_registry_from_the_cli(
    sqlite_db: str, small_catalog: Path
) -> None:
    url = sqlite_db
    run(url, "db", "upgrade")
    run(url, "sync", "catalog", "--dir", str(small_catalog))
    # without a token a write is refused with one clear line
    denied = run(url, "models", "update", "acme-large", "--set", "description=x", code=6)
    assert denied.startswith("error: ") and denied.count("\n") == 1
    root = _token(run(url, "admin", "create", "root@example.test"))
    # the bootstrap works once only
    assert "exist already" in run(url, "admin", "create", "x@example.test", code=6)
    ops = _token(run(url, "admin", "create", "ops@example.test", "--role", "operator", token=root))
    second = _token(run(url, "admin", "create", "two@example.test", "--role", "admin", token=root))
    assert "ops@example.test" in run(url, "admin", "list")

    out = run(url, "models", "update", "acme-large", "--set", "quality_score=88", token=root)
    assert "saved: version 2" in out
    assert "lacks the permission" in run(
        url, "models", "update", "acme-large", "--set", "quality_score=1", token=ops, code=6
    )
    assert "saved" in run(url, "routes", "set-priority", "acme-large@hostco", "4", token=ops)
    stale = run(
        url,
        "models",
        "set-status",
        "acme-large",
        "--status",
        "deprecated",
        "--expect-version",
        "1",
        token=root,
        code=4,
    )
    assert "changed since you read it" in stale
    run(
        url,
        "models",
        "set-status",
        "acme-large",
        "--status",
        "deprecated",
        "--date",
        "2026-12-31",
        "--guide",
        "Use acme-small",
        "--successor",
        "acme-small",
        token=ops,
    )
    run(url, "models", "capability", "acme-large", "add", "streaming", token=root)
    shown = json.loads(run(url, "models", "show", "acme-large", "--json"))
    assert shown["deprecated"] is True and "streaming" in shown["capabilities"]

    # two-person approval for prices
    run(url, "approvals", "set-policy", "billing_change", "--require", token=root)
    pending = run(url, "models", "set-price", "acme-large", "--input", "2.5", token=root)
    request_id = re.search(r"pending approval (\S+)", pending)
    assert request_id, pending
    assert "different administrator" in run(
        url, "approvals", "approve", request_id.group(1), token=root, code=6
    )
    assert "executed" in run(url, "approvals", "approve", request_id.group(1), token=second)

    audit = json.loads(run(url, "audit", "list", "--json", "--limit", "100", token=root))
    actions = {row["action"] for row in audit["data"]}
    assert {"model.update", "route.priority", "model.status", "model.pricing"} <= actions
    assert {"approval.request", "approval.approve", "administrator.create"} <= actions

    tokens = json.loads(run(url, "admin", "list-tokens", "--json", token=ops))
    run(url, "admin", "revoke-token", tokens[0]["id"], token=ops)
    assert "unknown, expired or revoked" in run(url, "audit", "list", token=ops, code=6)


def test_a_route_is_named_by_any_name_of_its_model(sqlite_db: str, small_catalog: Path) -> None:
    """``MODEL@PLATFORM`` with MODEL any name the registry resolves: an alias, a dated id's
    undated name, ``provider:name``; one clear line when nothing matches."""
    url = sqlite_db
    run(url, "db", "upgrade")
    run(url, "sync", "catalog", "--dir", str(small_catalog))
    root = _token(run(url, "admin", "create", "root@example.test"))
    for name, priority in (
        ("acme-large-2025-01-01@hostco", "3"),  # an alias
        ("acme:acme-large@hostco", "4"),  # provider:name (the registry's resolver)
        ("acme-small-20250101@direct", "5"),  # a dated form of an undated id
    ):
        assert "saved" in run(url, "routes", "set-priority", name, priority, token=root)
    routes = json.loads(run(url, "routes", "list", "acme-large", "--json"))["data"]
    assert {r["platform_id"]: r["priority"] for r in routes}["hostco"] == 4
    missing = run(url, "routes", "set-priority", "acme-large@nowhere", "2", token=root, code=3)
    assert missing == (
        "error: route 'acme-large@nowhere' not found: model 'acme-large' has routes on "
        "direct, hostco, none on 'nowhere'\n"
    )
    unknown = run(url, "routes", "set-priority", "nosuch@direct", "2", token=root, code=3)
    assert unknown == "error: route 'nosuch@direct' not found: no model is named 'nosuch'\n"


def test_the_root_token_reaches_every_command(sqlite_db: str, small_catalog: Path) -> None:
    """``radiant --token X CMD``: the root option, before the command, is the token of every
    command; a command's own ``--token`` wins over it, and the root option over
    ``RADIANT_TOKEN``."""
    url = sqlite_db
    run(url, "db", "upgrade")
    run(url, "sync", "catalog", "--dir", str(small_catalog))
    root = _token(run(url, "admin", "create", "root@example.test"))
    auditor = _token(
        run(url, "admin", "create", "aud@example.test", "--role", "auditor", token=root)
    )
    update = ("models", "update", "acme-large", "--set", "quality_score=70")
    assert "saved" in run(url, "--token", root, *update)  # a command with a --token of its own
    assert "saved" in run(url, "--token", root, "routes", "set-priority", "acme-large@hostco", "3")
    assert "acme" in run(url, "--token", root, "tenants", "create", "Acme", "--slug", "acme")
    assert "model.update" in run(url, "--token", root, "audit", "list")
    # the command's own option wins over the root's
    assert "lacks the permission" in run(url, "--token", root, *update, "--token", auditor, code=6)
    # and the root option over the environment
    assert "lacks the permission" in run(url, "--token", auditor, *update, token=root, code=6)
    assert "saved" in run(url, "--token", root, *update[:-1], "quality_score=71", token=auditor)
