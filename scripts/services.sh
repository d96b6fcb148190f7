#!/usr/bin/env bash
# Start the local PostgreSQL and Redis when they are installed and not running.
# Never installs anything.
set -euo pipefail

start_postgres() {
    if command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p 5432; then
        return 0
    fi
    if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
        for version in $(ls /etc/postgresql); do
            pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
        done
        for _ in $(seq 1 30); do
            pg_isready -q -h 127.0.0.1 -p 5432 && return 0
            sleep 1
        done
        echo "PostgreSQL did not become ready on 127.0.0.1:5432" >&2
        return 1
    fi
    echo "PostgreSQL is not installed here; the PostgreSQL tests will fail" >&2
}

redis_up() {
    command -v redis-cli >/dev/null 2>&1 && redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1
}

start_redis() {
    if redis_up; then
        return 0
    fi
    if command -v redis-server >/dev/null 2>&1; then
        redis-server --bind 127.0.0.1 --port 6379 --daemonize yes --save '' --appendonly no
        for _ in $(seq 1 20); do
            redis_up && return 0
            sleep 0.5
        done
        echo "Redis did not become ready on 127.0.0.1:6379" >&2
        return 1
    fi
    echo "Redis is not installed here; the Redis tests will fail" >&2
}

start_postgres
start_redis
