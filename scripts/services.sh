#!/usr/bin/env bash
# Start the local PostgreSQL when it is installed and not running. Never installs anything.
set -euo pipefail

if command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p 5432; then
    exit 0
fi
if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    for version in $(ls /etc/postgresql); do
        pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    done
    for _ in $(seq 1 30); do
        pg_isready -q -h 127.0.0.1 -p 5432 && exit 0
        sleep 1
    done
    echo "PostgreSQL did not become ready on 127.0.0.1:5432" >&2
    exit 1
fi
echo "PostgreSQL is not installed here; the PostgreSQL tests will fail" >&2
