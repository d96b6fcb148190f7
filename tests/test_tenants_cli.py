"""``radiant tenants`` run as a user would, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from cli_in_process import run_radiant

SMALL = str(Path(__file__).parent / "fixtures" / "catalog_small")
#: database URL -> the token of its first administrator (printed once by `admin create`)
TOKENS: dict[str, str] = {}


def run(url: str, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RADIANT_DATABASE_URL": url, "COLUMNS": "200"}
    if url in TOKENS:
        env["RADIANT_TOKEN"] = TOKENS[url]
    result = run_radiant(args, env=env)
    if ok:
        assert result.returncode == 0, result.stderr
    return result


def as_json(url: str, *args: str) -> Any:
    return json.loads(run(url, *args, "--json").stdout)


@pytest.fixture(name="loaded")
def loaded_fixture(db_url: str) -> str:
    return loaded(db_url)


def loaded(db_url: str) -> str:
    """A migrated, synced database and its first administrator's token."""
    run(db_url, "db", "upgrade")
    run(db_url, "sync", "catalog", "--dir", SMALL)
    created = run(db_url, "admin", "create", "root@example.test").stdout
    TOKENS[db_url] = next(
        line.split(":", 1)[1].strip() for line in created.splitlines() if line.startswith("token:")
    )
    return db_url


def test_tenant_access_and_keys(loaded: str) -> None:
    made = as_json(loaded, "tenants", "create", "Acme Corp", "--slug", "acme", "--tier", "2")
    assert made["slug"] == "acme" and made["tier"] == 2
    grant = as_json(
        loaded, "tenants", "access", "grant", "acme", "acme/large", "--input-price", "2.5"
    )
    assert grant[0]["model_id"] == "acme-large"
    assert grant[0]["custom_input_price_per_1m"] == "2.5"
    changed = as_json(
        loaded,
        "tenants",
        "access",
        "set",
        "acme",
        "acme-large",
        "--disable",
        "--input-price",
        "none",
    )
    assert changed[0]["enabled"] is False and changed[0]["custom_input_price_per_1m"] is None

    issued = run(loaded, "tenants", "keys", "create", "acme", "--name", "ci")
    secret = issued.stdout.strip()
    assert secret.startswith("rtk_") and "shown only once" in issued.stderr
    [key] = as_json(loaded, "tenants", "keys", "list", "acme")
    assert key["status"] == "active" and secret.startswith(key["key_prefix"])
    assert secret not in run(loaded, "tenants", "keys", "list", "acme").stdout
    assert "revoked" in run(loaded, "tenants", "keys", "revoke", "acme", key["id"]).stdout

    assert as_json(loaded, "tenants", "suspend", "acme")["status"] == "suspended"
    assert as_json(loaded, "tenants", "update", "acme", "--status", "active")["status"] == "active"
    table = run(loaded, "tenants", "list").stdout
    assert "acme" in table and "Acme Corp" in table
    run(loaded, "tenants", "access", "revoke", "acme", "acme-large")
    assert as_json(loaded, "tenants", "access", "list", "acme") == []
    assert as_json(loaded, "tenants", "delete", "acme")["status"] == "cancelled"
    assert as_json(loaded, "tenants", "list") == []


BAD_INPUT: list[tuple[tuple[str, ...], int, str]] = [
    (("tenants", "create", "Acme", "--slug", "Bad Slug"), 2, "slug"),
    (("tenants", "create", "Again", "--slug", "acme"), 4, "in use"),
    (("tenants", "update", "acme", "--tier", "9"), 2, "tier"),
    (("tenants", "update", "acme"), 2, "nothing to change"),
    (("tenants", "show", "nobody"), 3, "not found"),
    (("tenants", "list", "--status", "sleepy"), 2, "--status"),
    (("tenants", "access", "grant", "acme", "acme-largo"), 3, "did you mean"),
    (("tenants", "access", "grant", "acme", "acme-large", "--markup", "lots"), 2, "--markup"),
    (("tenants", "access", "grant", "acme", "tiny-detector"), 2, "needs tier 3"),
    (("tenants", "keys", "create", "acme", "--name", "k", "--scope", "root"), 2, "scope(s) 'root'"),
    (("tenants", "keys", "revoke", "acme", "nope"), 3, "no key"),
]


def test_bad_input_gives_one_line(sqlite_db: str) -> None:
    loaded(sqlite_db)
    run(sqlite_db, "tenants", "create", "Acme", "--slug", "acme")
    for args, code, fragment in BAD_INPUT:
        result = run(sqlite_db, *args, ok=False)
        assert result.returncode == code, (args, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and fragment in lines[0], lines
    [acme] = as_json(sqlite_db, "tenants", "list")
    assert acme["row_version"] == 1
    assert as_json(sqlite_db, "tenants", "access", "list", "acme") == []
    assert as_json(sqlite_db, "tenants", "keys", "list", "acme") == []
