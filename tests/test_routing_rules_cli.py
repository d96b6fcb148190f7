"""``radiant rules`` run as a user would, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from cli_in_process import run_radiant

SMALL = str(Path(__file__).parent / "fixtures" / "catalog_small")

pytestmark = pytest.mark.slow


def run(url: str, *args: str, token: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RADIANT_DATABASE_URL": url, "COLUMNS": "200"}
    if token:
        env["RADIANT_TOKEN"] = token
    return run_radiant(args, env=env)


def ok(url: str, *args: str, token: str) -> Any:
    result = run(url, *args, "--json", token=token)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _token(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    return next(
        line.split(":", 1)[1].strip()
        for line in result.stdout.splitlines()
        if line.startswith("token:")
    )


def test_rules_from_the_command_line(db_url: str) -> None:
    assert run(db_url, "db", "upgrade").returncode == 0
    assert run(db_url, "sync", "catalog", "--dir", SMALL).returncode == 0
    root = _token(run(db_url, "admin", "create", "root@example.test"))
    ops = _token(
        run(db_url, "admin", "create", "ops@example.test", "--role", "operator", token=root)
    )
    tenant = run(db_url, "tenants", "create", "Acme", "--slug", "acme", "--tier", "2", token=root)
    assert tenant.returncode == 0, tenant.stderr

    made = ok(
        db_url,
        "rules",
        "create",
        "--name",
        "acme large to small",
        "--action",
        "route",
        "--tenant",
        "acme",
        "--priority",
        "10",
        "--model",
        "acme-l*",
        "--tier",
        "2",
        "--target-model",
        "acme-small",
        "--fallback",
        "acme/large",
        token=root,
    )
    assert made["target_model"] == "acme-small" and made["fallback_models"] == ["acme-large"]
    conditions = {k: v for k, v in made["conditions"].items() if v not in (None, [])}
    assert conditions == {"models": ["acme-l*"], "tenant_tiers": [2]}
    limit = ok(
        db_url,
        "rules",
        "create",
        "--name",
        "slow down",
        "--action",
        "rate_limit",
        "--rpm",
        "10",
        token=root,
    )

    listed = ok(db_url, "rules", "list", token=ops)  # operators read (admin:read)
    assert [r["name"] for r in listed["data"]] == ["acme large to small", "slow down"]
    assert "acme large to small" in run(db_url, "rules", "list", token=ops).stdout

    decided = ok(
        db_url, "rules", "evaluate", "--tenant", "acme", "--model", "acme/large", token=ops
    )
    assert decided["decision"]["target_model"] == "acme-small"
    assert decided["decision"]["rate_limit_rpm"] == 10
    text = run(
        db_url, "rules", "evaluate", "--tenant", "acme", "--model", "acme-large", token=ops
    ).stdout
    assert "route to: acme-small" in text and "rpm 10" in text

    changed = ok(
        db_url,
        "rules",
        "update",
        made["id"],
        "--set",
        "priority=5",
        "--set",
        "enabled=false",
        token=root,
    )
    assert changed["priority"] == 5 and changed["enabled"] is False and changed["row_version"] == 2
    stale = run(
        db_url,
        "rules",
        "update",
        made["id"],
        "--set",
        "priority=6",
        "--expect-version",
        "1",
        token=root,
    )
    assert stale.returncode != 0 and stale.stderr.startswith("error: ")
    assert len(stale.stderr.strip().splitlines()) == 1
    assert ok(db_url, "rules", "show", made["id"], token=root)["priority"] == 5

    # one line on stderr and a non-zero exit for every mistake; nothing stored
    mistakes = [
        (["rules", "create", "--name", "x", "--action", "route"], root),
        (
            ["rules", "create", "--name", "x", "--action", "block", "--target-model", "acme-small"],
            root,
        ),
        (["rules", "create", "--name", "x", "--action", "route", "--target-model", "nope"], root),
        (["rules", "create", "--name", "x", "--action", "block"], ops),  # no routing:write
        (["rules", "list"], ""),  # no token
        (["rules", "show", "no-such-rule"], root),
        (["rules", "evaluate", "--task", "juggling"], root),
        (["rules", "update", made["id"]], root),
    ]
    for args, who in mistakes:
        result = run(db_url, *args, token=who or None)
        assert result.returncode != 0, args
        assert result.stderr.startswith("error: ") and len(result.stderr.strip().splitlines()) == 1
    assert ok(db_url, "rules", "list", token=root)["count"] == 2

    deleted = run(db_url, "rules", "delete", limit["id"], token=root)
    assert deleted.returncode == 0 and "deleted" in deleted.stdout
    assert ok(db_url, "rules", "list", token=root)["count"] == 1
